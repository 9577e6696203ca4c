/**
 * BuildKit's shell-word lexer (`frontend/dockerfile/shell`): quotes, the escape character and `$`
 * substitutions processed left to right, optionally cutting the result into words. It records every
 * variable reference and reports problems as data instead of stopping.
 * https://docs.docker.com/reference/dockerfile/#environment-replacement
 */
import type { EscapeChar } from './ast';
import { charWidth, isGoSpace } from './chars';
import { compilePattern, removePrefix, removeSuffix, replaceMatches } from './shell-pattern';
import type { WordSpan } from './words';

/** A span of the processed string, `[start, end)` in UTF-16 code units. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** A `$name` or `${name...}` found in the string. */
export interface VariableReference {
  name: string;
  /** The whole expression, from `$` to its end. */
  range: OffsetRange;
  nameRange: OffsetRange;
  /** The operator of `${name<op>word}`: `:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%`, `/`, `//`. */
  modifier?: string;
}

/** Stable codes of expansion problems. */
export type ExpandProblemCode =
  | 'unterminated-quote'
  | 'missing-brace'
  | 'bad-substitution'
  | 'unsupported-modifier'
  | 'invalid-pattern'
  | 'unset-variable'
  | 'empty-variable'
  | 'too-deeply-nested';

/** Something BuildKit would refuse while expanding; the value is then a best effort. */
export interface ExpandProblem {
  range: OffsetRange;
  message: string;
  code: ExpandProblemCode;
}

/** How to process a word. */
export interface ShellWordOptions {
  escape: EscapeChar;
  lookup: (name: string) => string | undefined;
  /** Keep quotes in the result (BuildKit's `RawQuotes`). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result (BuildKit's `RawEscapes`). */
  rawEscapes?: boolean;
  /** Leave expressions of unset variables as written (BuildKit's `SkipUnsetEnv`). */
  keepUnset?: boolean;
  /** Also cut the result into words at unquoted whitespace (BuildKit's `ProcessWords`). */
  words?: boolean;
}

/** What processing a word gives. */
export interface ShellWordResult {
  value: string;
  words: WordSpan[];
  references: VariableReference[];
  problems: ExpandProblem[];
}

const MAX_DEPTH = 64;
const SPECIAL_PARAMS = '@*#?-$!0';

/** Collects words as BuildKit's `wordsStruct` does, with where each word came from. */
class WordCollector {
  readonly words: WordSpan[] = [];
  private word = '';
  private inWord = false;
  private started = false;
  private start = 0;
  private end = 0;

  addChar(ch: string, s: number, e: number): void {
    if (!isGoSpace(ch.charCodeAt(0))) return this.addRaw(ch, s, e);
    if (this.inWord && this.word.length > 0) this.flush();
    else if (this.word.length === 0) this.started = false;
  }

  addRaw(str: string, s: number, e: number): void {
    if (!this.started) {
      this.start = s;
      this.started = true;
    }
    this.word += str;
    this.inWord = true;
    this.end = e;
  }

  addString(str: string, s: number, e: number): void {
    for (const ch of str) this.addChar(ch, s, e);
  }

  finish(): WordSpan[] {
    if (this.word.length > 0) this.flush();
    return this.words;
  }

  private flush(): void {
    this.words.push({ text: this.word, start: this.start, end: this.end });
    this.word = '';
    this.inWord = false;
    this.started = false;
  }
}

function isDigit(cp: string): boolean {
  if (cp.length === 1 && cp.charCodeAt(0) < 128) return cp >= '0' && cp <= '9';
  return /^\p{Nd}$/u.test(cp);
}

function isNameChar(cp: string): boolean {
  if (cp.length === 1) {
    const c = cp.charCodeAt(0);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return true;
    if (c < 128) return false;
  }
  return /^[\p{L}\p{Nd}]$/u.test(cp);
}

/** One pass of the lexer over a string. */
class ShellWord {
  pos = 0;
  depth = 0;
  /** BuildKit's `sw.rawEscapes`: set for the word being read (patterns keep their escapes). */
  private rawEscapes = false;
  readonly references: VariableReference[] = [];
  readonly problems: ExpandProblem[] = [];

  constructor(
    readonly src: string,
    readonly opts: ShellWordOptions,
  ) {}

  private next(): string {
    const w = charWidth(this.src, this.pos);
    const ch = this.src.slice(this.pos, this.pos + w);
    this.pos += w;
    return ch;
  }

  private problem(code: ExpandProblemCode, message: string, start: number): string {
    this.problems.push({ range: { start, end: this.pos }, message, code });
    return this.src.slice(start, this.pos);
  }

  /** Processes up to `stop` (consumed) or the end; `found` is false when `stop` never came. */
  stopOn(stop: string | undefined, rawEscapes: boolean, words?: WordCollector): { text: string; found: boolean } {
    const src = this.src;
    const esc = this.opts.escape;
    if (++this.depth > MAX_DEPTH) {
      const start = this.pos;
      this.pos = src.length;
      this.depth--;
      this.problem('too-deeply-nested', 'substitutions are nested too deeply', start);
      return { text: src.slice(start), found: stop === undefined };
    }
    const outerRawEscapes = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    const done = (text: string, found: boolean): { text: string; found: boolean } => {
      this.depth--;
      this.rawEscapes = outerRawEscapes;
      return { text, found };
    };
    let out = '';
    while (this.pos < src.length) {
      const ch = src[this.pos]!;
      if (stop !== undefined && ch === stop) {
        this.pos++;
        return done(out, true);
      }
      const s = this.pos;
      if (ch === "'" || ch === '"') {
        const t = ch === "'" ? this.singleQuote() : this.doubleQuote();
        out += t;
        words?.addRaw(t, s, this.pos);
        continue;
      }
      if (ch === '$') {
        const t = this.dollar();
        out += t;
        words?.addString(t, s, this.pos);
        continue;
      }
      const c = this.next();
      if (c !== esc) {
        words?.addChar(c, s, this.pos);
        out += c;
        continue;
      }
      if (rawEscapes) {
        words?.addRaw(c, s, this.pos);
        out += c;
      }
      if (this.pos >= src.length) break;
      const s2 = this.pos;
      const c2 = this.next();
      words?.addRaw(c2, s2, this.pos);
      out += c2;
    }
    return done(out, stop === undefined);
  }

  private singleQuote(): string {
    const start = this.pos;
    this.pos++;
    let out = this.opts.rawQuotes ? "'" : '';
    for (;;) {
      if (this.pos >= this.src.length) {
        this.problem('unterminated-quote', 'unexpected end of statement while looking for matching single-quote', start);
        return out;
      }
      const ch = this.next();
      if (ch === "'") return this.opts.rawQuotes ? out + ch : out;
      out += ch;
    }
  }

  private doubleQuote(): string {
    const start = this.pos;
    const esc = this.opts.escape;
    this.pos++;
    let out = this.opts.rawQuotes ? '"' : '';
    for (;;) {
      if (this.pos >= this.src.length) {
        this.problem('unterminated-quote', 'unexpected end of statement while looking for matching double-quote', start);
        return out;
      }
      const peek = this.src[this.pos];
      if (peek === '"') {
        this.pos++;
        return this.opts.rawQuotes ? out + '"' : out;
      }
      if (peek === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.next();
      if (ch === esc) {
        if (this.rawEscapes) out += ch;
        if (this.pos >= this.src.length) continue;
        const after = this.src[this.pos];
        if (after === '"' || after === '$' || after === esc) ch = this.next();
      }
      out += ch;
    }
  }

  private name(): string {
    const start = this.pos;
    if (this.pos >= this.src.length) return '';
    const first = this.src.slice(this.pos, this.pos + charWidth(this.src, this.pos));
    if (isDigit(first)) {
      while (this.pos < this.src.length) {
        const cp = this.src.slice(this.pos, this.pos + charWidth(this.src, this.pos));
        if (!isDigit(cp)) break;
        this.pos += cp.length;
      }
      return this.src.slice(start, this.pos);
    }
    if (SPECIAL_PARAMS.includes(first)) {
      this.pos++;
      return first;
    }
    while (this.pos < this.src.length) {
      const cp = this.src.slice(this.pos, this.pos + charWidth(this.src, this.pos));
      if (!isNameChar(cp)) break;
      this.pos += cp.length;
    }
    return this.src.slice(start, this.pos);
  }

  private lookup(name: string): string | undefined {
    return this.opts.lookup(name);
  }

  private reference(name: string, start: number, nameRange: OffsetRange, modifier?: string): void {
    if (name === '') return;
    const ref: VariableReference = { name, range: { start, end: this.pos }, nameRange };
    if (modifier !== undefined) ref.modifier = modifier;
    this.references.push(ref);
  }

  private dollar(): string {
    const start = this.pos;
    const src = this.src;
    this.pos++;
    if (src[this.pos] === '{') return this.braced(start);
    const nameStart = this.pos;
    const name = this.name();
    if (name === '') return '$';
    this.reference(name, start, { start: nameStart, end: this.pos });
    const value = this.lookup(name);
    if (value === undefined && this.opts.keepUnset) return src.slice(start, this.pos);
    return value ?? '';
  }

  /** `${...}`, the `$` at `start` and the `{` just read. */
  private braced(start: number): string {
    const src = this.src;
    const missingBrace = (): string => this.problem('missing-brace', "syntax error: missing '}'", start);
    this.pos++;
    if (this.pos >= src.length) return missingBrace();
    if ('{}:'.includes(src[this.pos]!)) {
      this.pos++;
      return this.problem('bad-substitution', 'syntax error: bad substitution', start);
    }
    const nameStart = this.pos;
    const name = this.name();
    const nameRange = { start: nameStart, end: this.pos };
    if (this.pos >= src.length) return missingBrace();
    let op = src[this.pos++]!;
    if (op === '}') {
      this.reference(name, start, nameRange);
      const value = this.lookup(name);
      if (value === undefined && this.opts.keepUnset) return src.slice(start, this.pos);
      return value ?? '';
    }
    let modifier = op;
    const nullIsUnset = op === ':';
    if (nullIsUnset) {
      if (this.pos >= src.length) return missingBrace();
      op = src[this.pos++]!;
      modifier += op;
    }
    if (op === '/' && !nullIsUnset) return this.replace(start, name, nameRange);
    const word = this.stopOn('}', op === '#' || op === '%');
    if (!word.found) return missingBrace();
    let text = word.text;
    if ((op === '#' || op === '%') && text.startsWith(op)) {
      modifier += op;
      text = text.slice(1);
    }
    this.reference(name, start, nameRange, modifier);
    const supported = '+-?#%'.includes(op);
    const unsupported = `unsupported modifier (${modifier}) in substitution`;
    if (!supported && !nullIsUnset) return this.problem('unsupported-modifier', unsupported, start);
    const value = this.lookup(name);
    if (value === undefined && this.opts.keepUnset) return src.slice(start, this.pos);
    if (!supported) return this.problem('unsupported-modifier', unsupported, start);
    return this.modify(start, name, value, modifier, nullIsUnset, text);
  }

  private modify(
    start: number,
    name: string,
    value: string | undefined,
    modifier: string,
    nullIsUnset: boolean,
    word: string,
  ): string {
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (modifier.replace(':', '')) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) {
          this.problem('unset-variable', `${name}: ${word || 'is not allowed to be unset'}`, start);
          return '';
        }
        if (nullIsUnset && value === '') {
          this.problem('empty-variable', `${name}: ${word || 'is not allowed to be empty'}`, start);
          return '';
        }
        return value;
      default: {
        const pattern = compilePattern(word);
        if ('error' in pattern) {
          this.problem('invalid-pattern', `invalid pattern (${word}) in substitution: ${pattern.error}`, start);
          return '';
        }
        const longest = modifier.endsWith('##') || modifier.endsWith('%%');
        if (modifier.includes('#')) return removePrefix(value ?? '', pattern.tokens, longest);
        return removeSuffix(value ?? '', pattern.tokens, longest);
      }
    }
  }

  private replace(start: number, name: string, nameRange: OffsetRange): string {
    const all = this.src[this.pos] === '/';
    if (all) this.pos++;
    const pattern = this.stopOn('/', true);
    if (!pattern.found) return this.problem('missing-brace', "syntax error: missing '/' in ${}", start);
    const replacement = this.stopOn('}', true);
    if (!replacement.found) return this.problem('missing-brace', "syntax error: missing '}'", start);
    this.reference(name, start, nameRange, all ? '//' : '/');
    const value = this.lookup(name);
    if (value === undefined && this.opts.keepUnset) return this.src.slice(start, this.pos);
    const compiled = compilePattern(pattern.text);
    if ('error' in compiled) {
      this.problem('invalid-pattern', `invalid pattern (${pattern.text}) in substitution: ${compiled.error}`, start);
      return '';
    }
    return replaceMatches(value ?? '', compiled.tokens, replacement.text, all);
  }
}

/** Processes `text` as BuildKit's `ProcessWord` (or `ProcessWords` with `words`) does. */
export function processShellWord(text: string, opts: ShellWordOptions): ShellWordResult {
  const sw = new ShellWord(text, opts);
  const collector = opts.words ? new WordCollector() : undefined;
  const { text: value } = sw.stopOn(undefined, opts.rawEscapes === true, collector);
  const references = sw.references.sort((a, b) => a.range.start - b.range.start);
  return { value, words: collector?.finish() ?? [], references, problems: sw.problems };
}
