/**
 * The character classes BuildKit's parser uses, by their Go names, so that the parser splits and trims
 * exactly where BuildKit does. https://docs.docker.com/reference/dockerfile/#format
 */

/**
 * Go's `unicode.IsSpace`: `\t \n \v \f \r`, space, U+0085, U+00A0 and the other Unicode White_Space
 * characters. BuildKit trims lines and splits words with it.
 */
export function isGoSpace(code: number): boolean {
  if (code <= 0xff) return code === 32 || (code >= 9 && code <= 13) || code === 0x85 || code === 0xa0;
  return (
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** BuildKit's `[\t\v\f\r ]`: the separators between an instruction's keyword and its arguments. */
export function isSplitSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 11 || code === 12 || code === 13;
}

/** Go regexp's `\s`, `[\t\n\f\r ]`, as used in the parser-directive pattern. */
export function isRegexpSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

/** The first offset in `[from, to)` of `text` that is not a Go space, or `to`. */
export function skipGoSpace(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isGoSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The offset just after the last character in `[from, to)` of `text` that is not a Go space, or `from`. */
export function trimGoSpaceEnd(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && isGoSpace(text.charCodeAt(i - 1))) i--;
  return i;
}

/** The length in code units of the character starting at `i` (2 for a surrogate pair). */
export function charWidth(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** The number of bytes `text[from, to)` takes in UTF-8 (a lone surrogate counts as the 3 of U+FFFD). */
export function utf8Length(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && charWidth(text, i) === 2) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
