/**
 * The Dockerfile reference texts, in English and Simplified Chinese: what hover shows on a keyword, a
 * flag or a parser directive, and the documentation completion items carry.
 * https://docs.docker.com/reference/dockerfile/
 */
import type { Directive } from '../ast';
import { DIRECTIVE_DOCS } from './directives';
import { FLAG_DOCS } from './flags';
import { INSTRUCTION_DOCS } from './instructions';
import { docMarkdown } from './render';
import type { Doc, Locale } from './types';

export { DIRECTIVE_DOCS } from './directives';
export { FLAG_DOCS } from './flags';
export { INSTRUCTION_DOCS } from './instructions';
export { BUILTIN_ARG_DOCS } from './variables';
export { humanAge, humanSize } from './human';
export { code, docMarkdown, REFERENCE_URL } from './render';
export * from './messages';
export { LOCALES, localeOf, type Doc, type DocText, type Locale } from './types';

/** The instructions, in the order of the reference. */
export const INSTRUCTIONS: readonly string[] = Object.keys(INSTRUCTION_DOCS);

/** The flags each instruction takes (names without `--`), from the texts written for them. */
export const INSTRUCTION_FLAGS: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, string[]> = {};
  for (const key of Object.keys(FLAG_DOCS)) {
    const [keyword = '', flag = ''] = key.split(' --');
    (table[keyword] ??= []).push(flag);
  }
  return table;
})();

const own = (table: object, key: string): boolean => Object.prototype.hasOwnProperty.call(table, key);

/** The text of an instruction (any case), or undefined for a word that is not one. */
export function instructionDoc(keyword: string): Doc | undefined {
  const k = keyword.toUpperCase();
  return own(INSTRUCTION_DOCS, k) ? INSTRUCTION_DOCS[k] : undefined;
}

/** The text of flag `--name` of an instruction, or undefined when the instruction has no such flag. */
export function flagDoc(keyword: string, name: string): Doc | undefined {
  const key = `${keyword.toUpperCase()} --${name}`;
  return own(FLAG_DOCS, key) ? FLAG_DOCS[key] : undefined;
}

/** The hover Markdown of an instruction. */
export function instructionMarkdown(keyword: string, locale: Locale): string | undefined {
  const doc = instructionDoc(keyword);
  return doc && docMarkdown(keyword.toUpperCase(), doc, locale);
}

/** The hover Markdown of a flag. */
export function flagMarkdown(keyword: string, name: string, locale: Locale): string | undefined {
  const doc = flagDoc(keyword, name);
  return doc && docMarkdown(`${keyword.toUpperCase()} --${name}`, doc, locale);
}

/** The hover Markdown of a parser directive. */
export function directiveMarkdown(name: Directive['name'], locale: Locale): string {
  return docMarkdown(`# ${name}=`, DIRECTIVE_DOCS[name], locale);
}
