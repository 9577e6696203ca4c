/**
 * A small POSIX shell reader for checks: it cuts a script into simple commands at `&&`, `||`, `;`, `|`,
 * `&`, parentheses and newlines, keeping quotes, escapes, `$(...)`, backquotes, comments and
 * here-document bodies out of the way, and remembers where every word and operator was written.
 * It does not run or expand anything; a construct it does not follow becomes part of a word, so a check
 * sees less rather than something that is not there.
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html
 */

/** A word of a simple command: `value` has quotes and escapes removed; `$` constructs are kept as written. */
export interface ShellWord {
  value: string;
  /** `[start, end)` in the script. */
  start: number;
  end: number;
  /** Some part of the word was quoted or escaped. */
  quoted: boolean;
  /** The word holds a `$` expansion or a command substitution, so its value is not known. */
  expands: boolean;
}

/** A control operator or a newline between commands, `[start, end)` in the script. */
export interface ShellOperator {
  text: string;
  start: number;
  end: number;
}

/** A redirection such as `> /dev/null`, `2>&1` or `<<EOF`. */
export interface ShellRedirect {
  operator: string;
  /** The file descriptor written before the operator, if any. */
  fd?: number;
  target?: ShellWord;
}

/** A command between two operators. */
export interface SimpleCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  /** The operator just before it (absent for the first command). */
  after?: ShellOperator;
}

/** A script cut into its commands. */
export interface ShellScript {
  commands: SimpleCommand[];
  operators: ShellOperator[];
}

/** ` `, `\t`, `\v`, `\f` (character codes). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** `&`, `|`, `;`, `(`, `)`, `<`, `>` (character codes). */
function isOperatorStart(c: number): boolean {
  return c === 38 || c === 124 || c === 59 || c === 40 || c === 41 || c === 60 || c === 62;
}

interface HeredocWanted {
  delimiter: string;
  chomp: boolean;
}

class ScriptReader {
  private i = 0;
  private readonly commands: SimpleCommand[] = [];
  private readonly operators: ShellOperator[] = [];
  private command: SimpleCommand = { words: [], redirects: [] };
  private word: ShellWord | undefined;
  private pendingRedirect: ShellRedirect | undefined;
  private heredocs: HeredocWanted[] = [];

  constructor(
    private readonly text: string,
    private readonly tabsStripped: boolean,
  ) {}

  read(): ShellScript {
    const text = this.text;
    while (this.i < text.length) {
      const c = text.charCodeAt(this.i);
      if (isBlank(c)) {
        this.endWord();
        this.i++;
      } else if (c === 10 || c === 13) this.newline();
      else if (c === 35 /* # */ && this.word === undefined) this.comment();
      else if (isOperatorStart(c)) this.operator();
      else this.wordPart();
    }
    this.endCommand(undefined);
    return { commands: this.commands, operators: this.operators };
  }

  private current(): ShellWord {
    this.word ??= { value: '', start: this.i, end: this.i, quoted: false, expands: false };
    return this.word;
  }

  private endWord(): void {
    const w = this.word;
    if (!w) return;
    this.word = undefined;
    if (!this.pendingRedirect) {
      this.command.words.push(w);
      return;
    }
    this.pendingRedirect.target = w;
    const op = this.pendingRedirect.operator;
    if (op === '<<' || op === '<<-') this.heredocs.push({ delimiter: w.value, chomp: op === '<<-' });
    this.pendingRedirect = undefined;
  }

  private endCommand(op: ShellOperator | undefined): void {
    this.endWord();
    this.pendingRedirect = undefined;
    const cmd = this.command;
    if (cmd.words.length > 0 || cmd.redirects.length > 0) this.commands.push(cmd);
    if (op) this.operators.push(op);
    this.command = op ? { words: [], redirects: [], after: op } : { words: [], redirects: [] };
  }

  private newline(): void {
    const start = this.i;
    this.i += this.text.startsWith('\r\n', this.i) ? 2 : 1;
    this.endCommand({ text: '\n', start, end: this.i });
    const wanted = this.heredocs;
    this.heredocs = [];
    for (const h of wanted) this.skipHeredocBody(h);
  }

  /** Skips the lines of a here-document up to and including its delimiter line. */
  private skipHeredocBody(h: HeredocWanted): void {
    const text = this.text;
    while (this.i < text.length) {
      let end = text.indexOf('\n', this.i);
      if (end < 0) end = text.length;
      let line = text.slice(this.i, end).replace(/\r$/, '');
      if (h.chomp || this.tabsStripped) line = line.replace(/^\t+/, '');
      this.i = Math.min(end + 1, text.length);
      if (line === h.delimiter) return;
    }
  }

  private comment(): void {
    while (this.i < this.text.length && this.text[this.i] !== '\n' && this.text[this.i] !== '\r') this.i++;
  }

  private operator(): void {
    const text = this.text;
    const start = this.i;
    const c = text[start]!;
    if (c === '<' || c === '>' || text.startsWith('&>', start)) return this.redirect();
    const two = text.slice(start, start + 2);
    const op = ['&&', '||', '|&', ';;', ';&'].includes(two) ? two : c;
    this.i += op.length;
    this.endCommand({ text: op, start, end: this.i });
  }

  private redirect(): void {
    const text = this.text;
    let fd: number | undefined;
    const w = this.word;
    if (w && !w.quoted && /^\d+$/.test(w.value) && w.end === this.i) {
      fd = Number(w.value);
      this.word = undefined;
    } else this.endWord();
    const m = /^(<<<|<<-|<<|<&|<>|<|>>|>&|>\||>|&>>|&>)/.exec(text.slice(this.i, this.i + 3))!;
    const redirect: ShellRedirect = { operator: m[1]! };
    if (fd !== undefined) redirect.fd = fd;
    this.i += m[1]!.length;
    this.command.redirects.push(redirect);
    this.pendingRedirect = redirect;
  }

  private wordPart(): void {
    const text = this.text;
    const c = text[this.i]!;
    const w = this.current();
    if (c === '\\') {
      const next = text[this.i + 1];
      if (next === '\n' || next === '\r') {
        this.i += text.startsWith('\r\n', this.i + 1) ? 3 : 2;
        if (w.value === '' && !w.quoted && w.start === w.end) this.word = undefined;
        return;
      }
      w.quoted = true;
      if (next !== undefined) w.value += next;
      this.i += next === undefined ? 1 : 2;
    } else if (c === "'") {
      w.quoted = true;
      w.value += this.singleQuoted();
    } else if (c === '"') {
      w.quoted = true;
      w.value += this.doubleQuoted();
    } else if (c === '$' || c === '`') {
      const ansi = c === '$' && text[this.i + 1] === "'";
      const part = this.expansion();
      w.value += part;
      if (ansi) w.quoted = true;
      else if (part !== '$') w.expands = true;
    } else {
      // a run of ordinary characters at once: one slice, not a string per character
      let j = this.i + 1;
      while (j < text.length && isPlainChar(text.charCodeAt(j))) j++;
      w.value += text.slice(this.i, j);
      this.i = j;
    }
    w.end = this.i;
  }

  private singleQuoted(): string {
    const close = this.text.indexOf("'", this.i + 1);
    const end = close < 0 ? this.text.length : close;
    const value = this.text.slice(this.i + 1, end);
    this.i = close < 0 ? end : end + 1;
    return value;
  }

  private doubleQuoted(): string {
    const text = this.text;
    const w = this.word!;
    let value = '';
    this.i++;
    while (this.i < text.length && text[this.i] !== '"') {
      const c = text[this.i]!;
      if (c === '\\' && this.i + 1 < text.length) {
        const next = text[this.i + 1]!;
        if (next === '\n') {
          this.i += 2;
          continue;
        }
        value += '$`"\\'.includes(next) ? next : c + next;
        this.i += 2;
      } else if ((c === '$' && text[this.i + 1] !== "'") || c === '`') {
        const part = this.expansion();
        if (part !== '$') w.expands = true;
        value += part;
      } else {
        value += c;
        this.i++;
      }
    }
    if (this.i < text.length) this.i++;
    return value;
  }

  /** `$name`, `${...}`, `$(...)`, `$((...))`, `$'...'` or a backquoted command, as written. */
  private expansion(): string {
    const text = this.text;
    const start = this.i;
    if (text[start] === '`') {
      this.i = skipBackquoted(text, start);
      return text.slice(start, this.i);
    }
    const next = text[start + 1];
    if (next === '(') this.i = skipParenthesized(text, start + 1);
    else if (next === '{') this.i = skipBraced(text, start + 1);
    else if (next === "'") {
      this.i = start + 1;
      return this.singleQuoted();
    } else if (next !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(next)) {
      this.i = start + 2;
      if (/[A-Za-z_]/.test(next)) while (this.i < text.length && /[A-Za-z0-9_]/.test(text[this.i]!)) this.i++;
    } else this.i = start + 1;
    return text.slice(start, this.i);
  }
}

function skipBackquoted(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '`') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** The offset after the `)` matching the `(` at `open`, across nested quotes and parentheses. */
function skipParenthesized(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    i = skipQuotedAt(text, i);
  }
  return text.length;
}

function skipBraced(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
    i = skipQuotedAt(text, i);
  }
  return text.length;
}

/** The offset after the character at `i`, or after the whole quoted string, escape or substitution it opens. */
function skipQuotedAt(text: string, i: number): number {
  const c = text[i];
  if (c === '\\') return i + 2;
  if (c === "'") {
    const close = text.indexOf("'", i + 1);
    return close < 0 ? text.length : close + 1;
  }
  if (c === '`') return skipBackquoted(text, i);
  if (c === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '$' && text[j + 1] === '(') j = skipParenthesized(text, j + 1);
      else j += text[j] === '\\' ? 2 : 1;
    }
    return Math.min(j + 1, text.length);
  }
  if (c === '$' && text[i + 1] === '(') return skipParenthesized(text, i + 1);
  return i + 1;
}

/** How to read a script. */
export interface ReadScriptOptions {
  /**
   * The shell gets the text with the leading tabs of each line removed (the body of a `<<-EOF`
   * here-document, read as written so that offsets stay those of the document).
   */
  tabsStripped?: boolean;
}

/** Reads `text` as a POSIX shell script. Never throws; unterminated quotes run to the end of the text. */
export function readScript(text: string, options: ReadScriptOptions = {}): ShellScript {
  return new ScriptReader(text, options.tabsStripped === true).read();
}

/** A character code that continues a word as it is (not a blank, line end, operator, quote, escape or expansion). */
function isPlainChar(c: number): boolean {
  // \n \r \ ' " $ `
  return !isBlank(c) && c !== 10 && c !== 13 && !isOperatorStart(c) && c !== 92 && c !== 39 && c !== 34 && c !== 36 && c !== 96;
}
