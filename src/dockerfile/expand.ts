/**
 * Variable substitution as the builder does it: `$v`, `${v}`, `${v:-w}`, `${v-w}`, `${v:+w}`, `${v+w}`,
 * `${v:?msg}`, `${v?msg}`, `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`, `${v/p/r}`, `${v//p/r}`, quotes
 * removed, the escape character protecting `$`. https://docs.docker.com/reference/dockerfile/#environment-replacement
 */
import type { EscapeChar } from './ast';
import { processShellWord, type ExpandProblem, type VariableReference } from './shell-word';

export type { ExpandProblem, ExpandProblemCode, OffsetRange, VariableReference } from './shell-word';

/** The result of `expand`. */
export interface ExpandResult {
  value: string;
  /** Every variable the text refers to, with its span in the text, in order. */
  references: VariableReference[];
  /** What BuildKit would refuse (unterminated quote, `${v:?msg}` with `v` unset, bad substitution...). */
  problems: ExpandProblem[];
}

/**
 * Expands `text` (one argument word, e.g. `Arg.rawText` or a key-value's raw value) with the variables
 * `lookup` knows; `undefined` means unset. Never throws: problems come back as data.
 */
export function expand(
  text: string,
  lookup: (name: string) => string | undefined,
  escapeChar: EscapeChar = '\\',
): ExpandResult {
  if (isPlain(text)) return { value: text, references: [], problems: [] };
  const r = processShellWord(text, { escape: escapeChar, lookup });
  return { value: r.value, references: r.references, problems: r.problems };
}

/**
 * Removes quotes and escapes from `text` as expansion would, but leaves every `$` expression as written:
 * the word a user wrote, before any variable is known.
 */
export function unquote(text: string, escapeChar: EscapeChar = '\\'): string {
  // variables are kept as written: only quotes and the escape character change a word
  if (!hasQuoteOrEscape(text, escapeChar.charCodeAt(0))) return text;
  return processShellWord(text, { escape: escapeChar, lookup: () => undefined, keepUnset: true }).value;
}

/** The variables `text` refers to, without expanding it. */
export function variableReferences(text: string, escapeChar: EscapeChar = '\\'): VariableReference[] {
  if (!text.includes('$')) return [];
  return processShellWord(text, { escape: escapeChar, lookup: () => undefined, keepUnset: true }).references;
}

/**
 * The instructions whose arguments the builder expands. ARG's defaults are expanded too (BuildKit does);
 * ONBUILD is not (its trigger is expanded when it runs, in the child build); RUN, CMD and ENTRYPOINT are
 * left to the shell. https://docs.docker.com/reference/dockerfile/#environment-replacement
 */
export const EXPANDING_INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ADD',
  'ARG',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Whether the builder expands variables in the arguments of `keyword` (any case). */
export function expandsVariables(keyword: string): boolean {
  return EXPANDING_INSTRUCTIONS.has(keyword.toUpperCase());
}

/** True when `text` holds nothing the shell-word rules change (no quote, either escape character, or `$`): it stands for itself. */
function hasQuoteOrEscape(text: string, escape: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ || c === 39 /* ' */ || c === escape) return true;
  }
  return false;
}

function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 36 /* $ */ || c === 34 /* " */ || c === 39 /* ' */ || c === 92 /* \ */ || c === 96 /* ` */) return false;
  }
  return true;
}
