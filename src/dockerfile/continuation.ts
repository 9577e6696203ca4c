/**
 * Line continuation: a line whose last character before trailing blanks is the escape character goes on
 * on the next line. https://docs.docker.com/reference/dockerfile/#escape
 */
import type { EscapeChar } from './ast';

/**
 * Looks at `text[from, to)` as BuildKit's `([^\e])\e[ \t]*$|^\e[ \t]*$` does: when the line continues,
 * returns where its content ends (before the escape character); otherwise returns undefined. An escape
 * character preceded by another one (`\\`) does not continue the line.
 */
export function continuationEnd(text: string, from: number, to: number, escape: EscapeChar): number | undefined {
  const esc = escape.charCodeAt(0);
  let j = to;
  while (j > from) {
    const c = text.charCodeAt(j - 1);
    if (c !== 32 && c !== 9) break;
    j--;
  }
  if (j === from || text.charCodeAt(j - 1) !== esc) return undefined;
  if (j - 1 > from && text.charCodeAt(j - 2) === esc) return undefined;
  return j - 1;
}
