/**
 * The two ways BuildKit's parser cuts arguments into words: at whitespace outside quotes (`parseWords`,
 * for ENV, LABEL, ARG) and at any whitespace (`parseStringsWhitespaceDelimited`, for FROM, EXPOSE and the
 * shell form of ADD, COPY, VOLUME). Quotes and escapes stay in the words.
 * https://docs.docker.com/reference/dockerfile/#env
 */
import type { EscapeChar } from './ast';
import { charWidth, isGoSpace, isSplitSpace } from './chars';

/** A word and where it lies in the string it was cut from, `[start, end)`. */
export interface WordSpan {
  /** The word as BuildKit keeps it (an escape character at the very end is dropped). */
  text: string;
  start: number;
  end: number;
}

/**
 * BuildKit's `parseWords`: splits at whitespace outside quotes; an escape character protects the next one.
 * A word is the run of the text it spans (quotes and escapes stay), so it is sliced, not built.
 */
export function splitQuotedWords(rest: string, escape: EscapeChar): WordSpan[] {
  const esc = escape.charCodeAt(0);
  if (!hasQuoteOrEscape(rest, esc)) return splitAtGoSpace(rest);
  const words: WordSpan[] = [];
  let start = 0;
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = 0;
  let blankOK = false;
  let pos = 0;
  /** Where the word's text ends when an escape character at the very end of the text is dropped. */
  let dropped = -1;
  while (pos <= rest.length) {
    if (pos === rest.length) {
      const textEnd = dropped >= 0 ? dropped : pos;
      if (phase !== 'spaces' && (blankOK || textEnd > start)) words.push({ text: rest.slice(start, textEnd), start, end: pos });
      break;
    }
    const ch = rest.charCodeAt(pos);
    const width = charWidth(rest, pos);
    if (phase === 'spaces') {
      if (isGoSpace(ch)) {
        pos += width;
        continue;
      }
      phase = 'word';
      start = pos;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (blankOK || pos > start) words.push({ text: rest.slice(start, pos), start, end: pos });
        blankOK = false;
        pos += width;
        continue;
      }
      if (ch === 39 || ch === 34) {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === esc) {
        if (pos + width === rest.length) {
          dropped = pos;
          pos += width;
          continue;
        }
        pos += width;
      }
      pos += charWidth(rest, pos);
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === esc && quote !== 39) {
      if (pos + width === rest.length) {
        dropped = pos;
        phase = 'word';
        pos += width;
        continue;
      }
      pos += width;
    }
    pos += charWidth(rest, pos);
  }
  return words;
}

/** BuildKit's `parseStringsWhitespaceDelimited`: splits at runs of `[\t\v\f\r ]`, quotes or not. */
export function splitAtWhitespace(rest: string): WordSpan[] {
  const words: WordSpan[] = [];
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && isSplitSpace(rest.charCodeAt(i))) i++;
    if (i >= rest.length) break;
    const start = i;
    while (i < rest.length && !isSplitSpace(rest.charCodeAt(i))) i++;
    words.push({ text: rest.slice(start, i), start, end: i });
  }
  return words;
}

function hasQuoteOrEscape(text: string, esc: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34 || c === esc) return true;
  }
  return false;
}

/** {@link splitQuotedWords} of a text without quotes or escapes: the runs between Go spaces, sliced. */
function splitAtGoSpace(rest: string): WordSpan[] {
  const words: WordSpan[] = [];
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && isGoSpace(rest.charCodeAt(i))) i++;
    if (i >= rest.length) break;
    const start = i;
    while (i < rest.length && !isGoSpace(rest.charCodeAt(i))) i++;
    words.push({ text: rest.slice(start, i), start, end: i });
  }
  return words;
}
