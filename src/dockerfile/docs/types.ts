/**
 * The shape of a reference text: what hover shows and completion attaches, in every display language.
 * The texts follow the Dockerfile reference in meaning (https://docs.docker.com/reference/dockerfile/).
 */
import type { Locale } from '../features/types';

export type { Locale };

/** One reference text in one language. */
export interface DocText {
  /** Markdown: what it does, in a few sentences. */
  summary: string;
  /** The forms it is written in, one per line (Dockerfile code). */
  syntax: string[];
  /** A short example, one line per entry (Dockerfile code). */
  example: string[];
}

/** A reference text in every language, and its section of the Dockerfile reference. */
export interface Doc {
  /** The anchor in https://docs.docker.com/reference/dockerfile/, e.g. `run---mount`. */
  anchor: string;
  en: DocText;
  'zh-cn': DocText;
}

/** The languages texts are written in, for tests and for a locale setting that names another one. */
export const LOCALES: readonly Locale[] = ['en', 'zh-cn'];

/** The language to write in for a locale setting: Simplified Chinese for `zh-cn` (and `zh`, `zh-hans`), else English. */
export function localeOf(locale: string | undefined): Locale {
  return typeof locale === 'string' && /^zh(-cn|-hans|-sg)?$/i.test(locale) ? 'zh-cn' : 'en';
}
