/**
 * The exec form: arguments that are a JSON array of strings, read as BuildKit reads them with Go's
 * `json.Decoder` (one value; what follows it is ignored; error messages in Go's words).
 * https://docs.docker.com/reference/dockerfile/#shell-and-exec-form
 */

/** A string of the array and where its literal lies, `[start, end)` including the quotes. */
export interface JsonString {
  value: string;
  start: number;
  end: number;
}

/** The outcome of reading the exec form. */
export type JsonArrayResult =
  | { kind: 'strings'; items: JsonString[] }
  /** Valid JSON, but not only strings: BuildKit refuses the instruction. */
  | { kind: 'not-strings'; message: string }
  /** Not JSON: BuildKit falls back to the shell form. */
  | { kind: 'invalid'; message: string };

/** BuildKit's error for an exec form with something other than strings. */
export const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

const MAX_DEPTH = 10000;

class JsonSyntaxError {
  constructor(readonly message: string) {}
}

function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) {
    const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
    return `'${named[code] ?? '\\x' + code.toString(16).padStart(2, '0')}'`;
  }
  return `'${c}'`;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Reads JSON values from a string, for one array at a time. */
class JsonReader {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(context: string): never {
    if (this.pos >= this.text.length) throw new JsonSyntaxError('unexpected EOF');
    throw new JsonSyntaxError(`invalid character ${quoteChar(this.text[this.pos]!)} ${context}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.pos++;
    }
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    let run = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('');
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        out += t.slice(run, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += t.slice(run, this.pos);
      this.pos++;
      out += this.escape();
      run = this.pos;
    }
  }

  escape(): string {
    const e = this.text[this.pos];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (e !== undefined && simple[e] !== undefined) {
      this.pos++;
      return simple[e]!;
    }
    if (e !== 'u') this.fail('in string escape code');
    this.pos++;
    const unit = this.hex4();
    if (unit >= 0xd800 && unit <= 0xdbff && this.text.startsWith('\\u', this.pos)) {
      const save = this.pos;
      this.pos += 2;
      const low = this.hex4();
      if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
      this.pos = save;
    }
    return unit >= 0xd800 && unit <= 0xdfff ? '\ufffd' : String.fromCharCode(unit);
  }

  hex4(): number {
    for (let k = 0; k < 4; k++) {
      if (!isHex(this.peek())) this.fail('in \\u hexadecimal character escape');
      this.pos++;
    }
    return parseInt(this.text.slice(this.pos - 4, this.pos), 16);
  }

  digits(context: string): void {
    const c = this.peek();
    if (c < 48 || c > 57) this.fail(context);
    while (this.peek() >= 48 && this.peek() <= 57) this.pos++;
  }

  number(): void {
    if (this.peek() === 45) this.pos++;
    if (this.peek() === 48) this.pos++;
    else this.digits('in numeric literal');
    if (this.peek() === 46) {
      this.pos++;
      this.digits('after decimal point in numeric literal');
    }
    if (this.peek() === 101 || this.peek() === 69) {
      this.pos++;
      if (this.peek() === 43 || this.peek() === 45) this.pos++;
      this.digits('in exponent of numeric literal');
    }
  }

  literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.text[this.pos] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
      this.pos++;
    }
  }
}

type Expect = 'value' | 'arrayFirst' | 'objectFirst' | 'key' | 'colon' | 'after';

/** Walks one JSON value with an explicit stack (no recursion, any depth), keeping the top array's strings. */
class ArrayWalker {
  readonly items: JsonString[] = [];
  onlyStrings = true;
  private readonly stack: Array<'array' | 'object'> = [];
  private expect: Expect = 'value';

  constructor(private readonly r: JsonReader) {}

  run(): void {
    const r = this.r;
    r.skipSpace();
    if (r.peek() !== 91) r.fail('looking for beginning of value');
    do {
      r.skipSpace();
      this.step(r.peek());
    } while (this.stack.length > 0);
  }

  private step(c: number): void {
    const r = this.r;
    switch (this.expect) {
      case 'arrayFirst':
        if (c === 93) return this.close();
        return this.value(c);
      case 'value':
        return this.value(c);
      case 'objectFirst':
        if (c === 125) return this.close();
        return this.key(c);
      case 'key':
        return this.key(c);
      case 'colon':
        if (c !== 58) r.fail('after object key');
        r.pos++;
        this.expect = 'value';
        return;
      case 'after':
        return this.after(c);
    }
  }

  private close(): void {
    this.r.pos++;
    this.stack.pop();
    this.expect = 'after';
  }

  private key(c: number): void {
    if (c !== 34) this.r.fail('looking for beginning of object key string');
    this.r.string();
    this.expect = 'colon';
  }

  private value(c: number): void {
    const r = this.r;
    const atTop = this.stack.length === 1;
    if (c === 91 || c === 123) {
      if (this.stack.length >= MAX_DEPTH) throw new JsonSyntaxError('exceeded max depth');
      if (atTop) this.onlyStrings = false;
      this.stack.push(c === 91 ? 'array' : 'object');
      r.pos++;
      this.expect = c === 91 ? 'arrayFirst' : 'objectFirst';
      return;
    }
    const start = r.pos;
    if (c === 34) {
      const value = r.string();
      if (atTop) this.items.push({ value, start, end: r.pos });
    } else {
      if (c === 45 || (c >= 48 && c <= 57)) r.number();
      else if (c === 116) r.literal('true');
      else if (c === 102) r.literal('false');
      else if (c === 110) r.literal('null');
      else r.fail('looking for beginning of value');
      if (atTop) this.onlyStrings = false;
    }
    this.expect = 'after';
  }

  private after(c: number): void {
    const inArray = this.stack[this.stack.length - 1] === 'array';
    if (c === 44) {
      this.r.pos++;
      this.expect = inArray ? 'value' : 'key';
    } else if (c === (inArray ? 93 : 125)) this.close();
    else this.r.fail(inArray ? 'after array element' : 'after object key:value pair');
  }
}

/** Reads `text` (which starts with `[`) as Go's `json.Decoder` reads its first value into `[]interface{}`. */
export function parseJsonArray(text: string): JsonArrayResult {
  const walker = new ArrayWalker(new JsonReader(text));
  try {
    walker.run();
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { kind: 'invalid', message: e.message };
    throw e;
  }
  if (!walker.onlyStrings) return { kind: 'not-strings', message: NOT_STRING_ARRAY };
  return { kind: 'strings', items: walker.items };
}
