/**
 * The lexer of Go's text/template (https://pkg.go.dev/text/template, src/text/template/parse/lex.go):
 * text, `{{ }}` actions with `{{- ` / ` -}}` trim markers, `{{/* comments *\/}}`, and the tokens
 * inside actions. One left-to-right pass; every character is looked at a bounded number of times.
 * A lexical error ends the token list with an 'error' token, which the parser reports when it
 * reaches it, so errors come out in the order Go reports them.
 */

/** Kinds of token. Keywords are their own kinds. */
export type TokenKind =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'field' | 'variable' | 'dot' | 'identifier'
  | 'bool' | 'number' | 'char' | 'charConstant' | 'string' | 'rawString' | 'pipe' | 'leftParen'
  | 'rightParen' | 'declare' | 'assign' | 'nil' | 'error' | 'eof'
  | 'if' | 'else' | 'end' | 'range' | 'with' | 'break' | 'continue' | 'define' | 'template' | 'block';

/** One token: its kind, its text, and where it starts (string index and 1-based line). */
export interface Token {
  readonly kind: TokenKind;
  readonly val: string;
  readonly pos: number;
  readonly line: number;
}

const KEYWORDS: ReadonlySet<string> = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil']);
const LEFT = '{{';
const RIGHT = '}}';

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string): boolean => c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);
const hasLeftTrimMarker = (s: string, at: number): boolean => s[at] === '-' && isSpace(s[at + 1] ?? '');
const hasRightTrimMarker = (s: string, at: number): boolean => isSpace(s[at] ?? '') && s[at + 1] === '-';

function describeRune(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  readonly tokens: Token[] = [];

  constructor(private readonly input: string) {}

  run(): Token[] {
    try {
      this.lexText();
      while (this.tokens[this.tokens.length - 1].kind !== 'eof') this.lexAction();
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      this.tokens.push({ kind: 'error', val: e.message, pos: this.start, line: this.startLine });
    }
    return this.tokens;
  }

  private emit(kind: TokenKind): void {
    this.tokens.push({ kind, val: this.input.slice(this.start, this.pos), pos: this.start, line: this.startLine });
    this.ignore();
  }

  /** Skips input up to pos, counting the lines in it. */
  private ignore(): void {
    for (let i = this.start; i < this.pos; i++) if (this.input.charCodeAt(i) === 0x0a) this.line++;
    this.start = this.pos;
    this.startLine = this.line;
  }

  private fail(message: string): never {
    throw new LexError(message);
  }

  private peekChar(): string {
    if (this.pos >= this.input.length) return '';
    return String.fromCodePoint(this.input.codePointAt(this.pos)!);
  }

  private nextChar(): string {
    const c = this.peekChar();
    this.pos += c.length;
    return c;
  }

  /** Text up to the next action, trimmed when that action starts with "{{- ". Ends with eof. */
  private lexText(): void {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit('text');
      this.emit('eof');
      return;
    }
    if (x > this.pos) {
      this.pos = x;
      let end = x;
      if (hasLeftTrimMarker(this.input, x + LEFT.length)) while (end > this.start && isSpace(this.input[end - 1])) end--;
      this.pos = end;
      if (end > this.start) this.emit('text');
      this.pos = x;
      this.ignore();
    }
    this.lexLeftDelim();
  }

  private lexLeftDelim(): void {
    const trim = hasLeftTrimMarker(this.input, this.pos + LEFT.length);
    const afterMarker = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + LEFT.length + afterMarker)) {
      this.pos += LEFT.length + afterMarker;
      this.ignore();
      this.lexComment();
      return;
    }
    this.pos += LEFT.length;
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
  }

  private lexComment(): void {
    const close = this.input.indexOf('*/', this.pos + 2);
    if (close < 0) this.fail('unclosed comment');
    this.pos = close + 2;
    const [delim, trim] = this.atRightDelim();
    if (!delim) this.fail('comment ends before closing delimiter');
    this.pos += (trim ? 2 : 0) + RIGHT.length;
    if (trim) this.skipLeadingSpace();
    this.ignore();
    this.lexText();
  }

  private skipLeadingSpace(): void {
    while (this.pos < this.input.length && isSpace(this.input[this.pos])) this.pos++;
  }

  private atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) return [true, true];
    return [this.input.startsWith(RIGHT, this.pos), false];
  }

  private lexRightDelim(trim: boolean): void {
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trim) {
      this.skipLeadingSpace();
      this.ignore();
    }
    this.lexText();
  }

  /** Lexes one token inside an action (or the closing delimiter and the text after it). */
  private lexAction(): void {
    const [delim, trim] = this.atRightDelim();
    if (delim) {
      if (this.parenDepth !== 0) this.fail('unclosed left paren');
      this.lexRightDelim(trim);
      return;
    }
    const c = this.nextChar();
    if (c === '') this.fail('unclosed action');
    if (isSpace(c)) return this.lexSpace();
    switch (c) {
      case '=':
        return this.emit('assign');
      case ':':
        if (this.nextChar() !== '=') this.fail('expected :=');
        return this.emit('declare');
      case '|':
        return this.emit('pipe');
      case '"':
        return this.lexQuote();
      case '`':
        return this.lexRawQuote();
      case '$':
        return this.lexVariable();
      case "'":
        return this.lexChar();
      case '(':
        this.parenDepth++;
        return this.emit('leftParen');
      case ')':
        this.parenDepth--;
        this.emit('rightParen');
        if (this.parenDepth < 0) this.fail('unexpected right paren');
        return;
    }
    if (c === '.') {
      const n = this.input[this.pos];
      if (n === undefined || n < '0' || n > '9') return this.lexFieldOrVariable('field');
    }
    if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      this.pos = this.start;
      return this.lexNumber();
    }
    if (isAlphaNumeric(c)) {
      this.pos = this.start;
      return this.lexIdentifier();
    }
    if (c.charCodeAt(0) >= 0x21 && c.charCodeAt(0) < 0x7f) return this.emit('char');
    this.fail(`unrecognized character in action: ${describeRune(c)}`);
  }

  private lexSpace(): void {
    let numSpaces = 1;
    while (isSpace(this.input[this.pos] ?? '')) {
      this.pos++;
      numSpaces++;
    }
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.pos--;
      if (numSpaces === 1) return;
    }
    this.emit('space');
  }

  private atTerminator(): boolean {
    const c = this.input[this.pos];
    if (c === undefined || isSpace(c) || '.,|:)('.includes(c)) return true;
    return this.input.startsWith(RIGHT, this.pos);
  }

  private lexIdentifier(): void {
    while (this.pos < this.input.length && isAlphaNumeric(this.peekChar())) this.nextChar();
    if (!this.atTerminator()) this.fail(`bad character ${describeRune(this.peekChar())}`);
    const word = this.input.slice(this.start, this.pos);
    if (KEYWORDS.has(word)) this.emit(word as TokenKind);
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
  }

  private lexVariable(): void {
    if (this.atTerminator()) return this.emit('variable');
    this.lexFieldOrVariable('variable');
  }

  private lexFieldOrVariable(kind: 'field' | 'variable'): void {
    if (this.atTerminator()) return this.emit(kind === 'variable' ? 'variable' : 'dot');
    while (this.pos < this.input.length && isAlphaNumeric(this.peekChar())) this.nextChar();
    if (!this.atTerminator()) this.fail(`bad character ${describeRune(this.peekChar())}`);
    this.emit(kind);
  }

  private lexQuote(): void {
    for (;;) {
      const c = this.nextChar();
      if (c === '\\') {
        const n = this.nextChar();
        if (n !== '' && n !== '\n') continue;
      }
      if (c === '' || c === '\n' || c === '\\') this.fail('unterminated quoted string');
      if (c === '"') break;
    }
    this.emit('string');
  }

  private lexRawQuote(): void {
    const close = this.input.indexOf('`', this.pos);
    if (close < 0) this.fail('unterminated raw quoted string');
    this.pos = close + 1;
    this.emit('rawString');
  }

  private lexChar(): void {
    for (;;) {
      const c = this.nextChar();
      if (c === '\\') {
        const n = this.nextChar();
        if (n !== '' && n !== '\n') continue;
      }
      if (c === '' || c === '\n' || c === '\\') this.fail('unterminated character constant');
      if (c === "'") break;
    }
    this.emit('charConstant');
  }

  private accept(valid: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && valid.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private lexNumber(): void {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (this.pos < this.input.length && isAlphaNumeric(this.peekChar())) {
      this.nextChar();
      this.fail(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`);
    }
    this.emit('number');
  }
}

class LexError extends Error {}

/** Splits template text into tokens; the list ends with an 'eof' or an 'error' token. */
export function lexTemplate(input: string): Token[] {
  return new Lexer(input).run();
}
