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

/** BuildKit's `parseWords`: splits at whitespace outside quotes; an escape character protects the next one. */
export function splitQuotedWords(rest: string, escape: EscapeChar): WordSpan[] {
  const esc = escape.charCodeAt(0);
  if (!hasQuoteOrEscape(rest, esc)) return splitAtGoSpace(rest);
  const words: WordSpan[] = [];
  let word = '';
  let start = 0;
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = 0;
  let blankOK = false;
  let pos = 0;
  while (pos <= rest.length) {
    if (pos === rest.length) {
      if (phase !== 'spaces' && (blankOK || word.length > 0)) words.push({ text: word, start, end: pos });
      break;
    }
    let ch = rest.charCodeAt(pos);
    let width = charWidth(rest, pos);
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
        if (blankOK || word.length > 0) words.push({ text: word, start, end: pos });
        word = '';
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
          pos += width;
          continue;
        }
        word += rest.slice(pos, pos + width);
        pos += width;
        ch = rest.charCodeAt(pos);
        width = charWidth(rest, pos);
      }
      word += rest.slice(pos, pos + width);
      pos += width;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === esc && quote !== 39) {
      if (pos + width === rest.length) {
        phase = 'word';
        pos += width;
        continue;
      }
      word += rest.slice(pos, pos + width);
      pos += width;
      width = charWidth(rest, pos);
    }
    word += rest.slice(pos, pos + width);
    pos += width;
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
