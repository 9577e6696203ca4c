/**
 * Parser directives, read the way BuildKit's `DirectiveParser` reads them: each line at the top of the
 * file is looked at until one is not `#name=value` for a known name; from then on `#` lines are comments.
 * https://docs.docker.com/reference/dockerfile/#parser-directives
 */
import type { Directive, EscapeChar } from './ast';
import { isGoSpace, isRegexpSpace } from './chars';

/** The directives BuildKit knows. */
export const DIRECTIVE_NAMES: readonly Directive['name'][] = ['syntax', 'escape', 'check'];

/** A directive found on a line, as offsets into the text. */
export interface DirectiveMatch {
  name: Directive['name'];
  rawName: string;
  value: string;
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** What one line means to the directive reader. */
export type DirectiveLine =
  | { kind: 'directive'; match: DirectiveMatch }
  | { kind: 'duplicate'; match: DirectiveMatch }
  | { kind: 'end' };

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || (c >= 48 && c <= 57);
}

/**
 * Matches `#\s*name\s*=\s*value\s*` on `text[from, to)` (a line with its leading whitespace removed), as
 * BuildKit's pattern `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after the `#` and leading spaces.
 */
export function matchDirective(text: string, from: number, to: number): Omit<DirectiveMatch, 'name'> | undefined {
  if (from >= to || text.charCodeAt(from) !== 35) return undefined;
  let i = from + 1;
  while (i < to && isGoSpace(text.charCodeAt(i))) i++;
  const nameStart = i;
  if (i >= to || !isAsciiLetter(text.charCodeAt(i))) return undefined;
  while (i < to && isAsciiAlnum(text.charCodeAt(i))) i++;
  const nameEnd = i;
  while (i < to && isRegexpSpace(text.charCodeAt(i))) i++;
  if (i >= to || text.charCodeAt(i) !== 61) return undefined;
  i++;
  const afterEquals = i;
  while (i < to && isRegexpSpace(text.charCodeAt(i))) i++;
  let valueStart = i;
  let valueEnd = to;
  while (valueEnd > valueStart && isRegexpSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
  if (valueEnd === valueStart) {
    // `.+?` still takes one character: the last of the blanks after `=`.
    if (to === afterEquals) return undefined;
    valueStart = to - 1;
    valueEnd = to;
  }
  for (let k = valueStart; k < valueEnd; k++) if (text.charCodeAt(k) === 10) return undefined;
  const rawName = text.slice(nameStart, nameEnd);
  return { rawName, value: text.slice(valueStart, valueEnd), nameStart, nameEnd, valueStart, valueEnd };
}

/** Reads directives line by line until the first line that is not one. */
export class DirectiveReader {
  private done = false;
  private readonly seen = new Set<string>();

  get finished(): boolean {
    return this.done;
  }

  /** Looks at `text[from, to)`, a line without its leading whitespace. */
  read(text: string, from: number, to: number): DirectiveLine {
    if (this.done) return { kind: 'end' };
    const m = matchDirective(text, from, to);
    const name = m?.rawName.toLowerCase();
    if (m === undefined || !(DIRECTIVE_NAMES as readonly string[]).includes(name!)) {
      this.done = true;
      return { kind: 'end' };
    }
    const match: DirectiveMatch = { ...m, name: name as Directive['name'] };
    if (this.seen.has(match.name)) return { kind: 'duplicate', match };
    this.seen.add(match.name);
    return { kind: 'directive', match };
  }
}

/** Whether `value` is an escape character BuildKit accepts. https://docs.docker.com/reference/dockerfile/#escape */
export function isEscapeChar(value: string): value is EscapeChar {
  return value === '\\' || value === '`';
}
