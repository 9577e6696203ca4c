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
  /** `sources[i]` is the offset in the line of `text[i]`; absent when the word is written as it reads (`start + i`). */
  sources?: number[];
  start: number;
  end: number;
}

/** The offset in the line of character `i` of the flag word. */
export function sourceOf(w: FlagWord, i: number): number | undefined {
  if (w.sources) return w.sources[i];
  return i < w.text.length ? w.start + i : undefined;
}

/** The flags found and where the arguments begin. */
export interface FlagSplit {
  flags: FlagWord[];
  argsStart: number;
}

const NO_FLAGS: readonly FlagWord[] = Object.freeze([]);

/** Reads flags from `line[from, to)`. */
export function extractFlags(line: string, from: number, to: number): FlagSplit {
  let pos = from;
  while (pos < to && isGoSpace(line.charCodeAt(pos))) pos++;
  // most instructions have no flags: nothing to allocate but the answer
  if (pos >= to - 1 || line.charCodeAt(pos) !== 45 || line.charCodeAt(pos + 1) !== 45) {
    return { flags: NO_FLAGS as FlagWord[], argsStart: pos < to ? pos : to };
  }
  return new FlagReader(line, to).read(pos);
}

/** The flag words from a `--` on: a word is sliced while it holds no quote or backslash, built otherwise. */
class FlagReader {
  private readonly flags: FlagWord[] = [];
  private word = '';
  /** Undefined while the word is the line's text from `start` as it is. */
  private sources: number[] | undefined;
  private start = 0;
  private blankOK = false;

  constructor(private readonly line: string, private readonly to: number) {}

  read(from: number): FlagSplit {
    const { line, to } = this;
    let phase: 'spaces' | 'word' | 'quote' = 'spaces';
    let quote = 0;
    for (let pos = from; pos <= to; pos++) {
      if (pos === to) {
        if (phase !== 'spaces') this.push(pos);
        break;
      }
      const ch = line.charCodeAt(pos);
      if (phase === 'spaces') {
        if (isGoSpace(ch)) continue;
        if (ch !== 45 || pos + 1 === to || line.charCodeAt(pos + 1) !== 45) return { flags: this.flags, argsStart: pos };
        phase = 'word';
        this.begin(pos);
      }
      if (phase === 'word') {
        if (isGoSpace(ch)) {
          phase = 'spaces';
          if (this.text(pos) === '--') return { flags: this.flags, argsStart: pos };
          this.push(pos);
          continue;
        }
        if (ch === 39 || ch === 34) {
          this.built(pos);
          quote = ch;
          this.blankOK = true;
          phase = 'quote';
          continue;
        }
        if (ch === 92) {
          this.built(pos);
          if (pos + 1 === to) continue;
          pos++;
        }
        this.add(pos);
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
      this.add(pos);
    }
    return { flags: this.flags, argsStart: to };
  }

  private begin(pos: number): void {
    this.start = pos;
    this.word = '';
    this.sources = undefined;
    this.blankOK = false;
  }

  /** Switches the word to being built: what was read so far is the line's text from `start`. */
  private built(pos: number): void {
    if (this.sources) return;
    this.word = this.line.slice(this.start, pos);
    this.sources = [];
    for (let i = this.start; i < pos; i++) this.sources.push(i);
  }

  private add(pos: number): void {
    if (!this.sources) return;
    this.word += this.line[pos];
    this.sources.push(pos);
  }

  private text(end: number): string {
    return this.sources ? this.word : this.line.slice(this.start, end);
  }

  private push(end: number): void {
    const text = this.text(end);
    if (text === '--' || !(this.blankOK || text.length > 0)) return;
    const w: FlagWord = { text, start: this.start, end };
    if (this.sources) w.sources = this.sources;
    this.flags.push(w);
  }
}
