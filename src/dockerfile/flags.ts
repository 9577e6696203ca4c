/**
 * The `--name=value` flags between an instruction's keyword and its arguments, cut as BuildKit's
 * `extractBuilderFlags` cuts them: words that start with `--`, quotes removed, `\` escaping the next
 * character, `--` alone ending the flags. https://docs.docker.com/reference/dockerfile/#run---mount
 */
import { isGoSpace } from './chars';

/** A flag word: its processed text and, for each character of it, where that character was written. */
export interface FlagWord {
  /** Quotes and escapes removed, e.g. `--chown=a b`. */
  text: string;
  /** `sources[i]` is the offset in the line of `text[i]`. */
  sources: number[];
  start: number;
  end: number;
}

/** The flags found and where the arguments begin. */
export interface FlagSplit {
  flags: FlagWord[];
  argsStart: number;
}

/** Reads flags from `line[from, to)`. */
export function extractFlags(line: string, from: number, to: number): FlagSplit {
  const flags: FlagWord[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let sources: number[] = [];
  let start = from;
  let quote = 0;
  let blankOK = false;
  const push = (end: number): void => {
    if (word !== '--' && (blankOK || word.length > 0)) flags.push({ text: word, sources, start, end });
  };
  for (let pos = from; pos <= to; pos++) {
    if (pos === to) {
      if (phase !== 'spaces') push(pos);
      break;
    }
    const ch = line.charCodeAt(pos);
    if (phase === 'spaces') {
      if (isGoSpace(ch)) continue;
      if (ch !== 45 || pos + 1 === to || line.charCodeAt(pos + 1) !== 45) return { flags, argsStart: pos };
      phase = 'word';
      start = pos;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { flags, argsStart: pos };
        push(pos);
        word = '';
        sources = [];
        blankOK = false;
        continue;
      }
      if (ch === 39 || ch === 34) {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === 92) {
        if (pos + 1 === to) continue;
        pos++;
      }
      word += line[pos];
      sources.push(pos);
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === 92) {
      if (pos + 1 === to) {
        phase = 'word';
        continue;
      }
      pos++;
    }
    word += line[pos];
    sources.push(pos);
  }
  return { flags, argsStart: to };
}
