/**
 * Writing values back into a Dockerfile for quick fixes: a double-quoted word means the same after
 * variable substitution as the text it replaces. https://docs.docker.com/reference/dockerfile/#environment-replacement
 */
import type { EscapeChar } from '../ast';
import { isGoSpace } from '../chars';

/** `value` as one double-quoted word, taken literally: `"`, `$` and the escape character escaped. */
export function doubleQuoted(value: string, escape: EscapeChar): string {
  let out = '"';
  for (const c of value) out += c === '"' || c === '$' || c === escape ? escape + c : c;
  return `${out}"`;
}

/** Whether `raw` has whitespace outside quotes; undefined when a quote is not closed. */
function hasUnquotedSpace(raw: string, escape: EscapeChar): boolean | undefined {
  let quote = '';
  let spaced = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === escape && quote !== "'") i++;
    else if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (isGoSpace(c.charCodeAt(0))) spaced = true;
  }
  return quote === '' ? spaced : undefined;
}

/**
 * The raw value of a legacy `ENV key value` (the rest of the line) as one word with the same meaning,
 * for `key=<word>`: unchanged when it is one word already, else double-quoted with the quoted parts
 * and escapes carried over. Undefined when a quote is not closed (the line is broken anyway).
 */
export function asOneWord(raw: string, escape: EscapeChar): string | undefined {
  const spaced = hasUnquotedSpace(raw, escape);
  if (spaced === undefined) return undefined;
  if (!spaced) return raw;
  let out = '"';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === escape) {
      const next = raw[++i];
      if (next !== undefined) out += next === '"' || next === '$' || next === escape ? escape + next : next;
    } else if (c === "'") {
      const close = raw.indexOf("'", i + 1);
      out += doubleQuoted(raw.slice(i + 1, close), escape).slice(1, -1);
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '"') j += raw[j] === escape ? 2 : 1;
      out += raw.slice(i + 1, j);
      i = j;
    } else out += c;
  }
  return `${out}"`;
}
