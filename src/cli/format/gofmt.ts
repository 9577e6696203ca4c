/**
 * Go's fmt package over JavaScript values, for templates that must print like docker's:
 * `%v` of maps and slices, `Sprint`'s spacing, `Printf` verbs, flags, widths and its
 * `%!d(string=x)` error notation, and strconv's float formatting with round-half-even.
 * See https://pkg.go.dev/fmt and https://pkg.go.dev/strconv#FormatFloat.
 *
 * Values map to Go types this way: string -> string, integral number -> int, other number ->
 * float64, boolean -> bool, array -> []interface {}, plain object -> map[string]interface {}
 * (keys printed sorted), Date -> time.Time, null/undefined -> nil.
 */
import { formatFloat } from './gofloat.js';
import { formatGoTime } from './gotime.js';

/** Orders strings as Go does (by UTF-8 bytes, that is by code point). */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Go's name for the type a JS value stands for, as error messages print it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func()';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Date) return 'time.Time';
  return 'map[string]interface {}';
}

/** Keys of a map-like value in the order Go's fmt and template range visit them. */
export function sortedKeys(obj: object): string[] {
  return Object.keys(obj).sort(compareGoStrings);
}

// ---------------------------------------------------------------------------------------------
// Strings.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** strconv.Quote: a double-quoted Go string literal, printable Unicode kept as is. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0x80 && PRINTABLE.test(ch)) out += ch;
    else out += escapeRune(cp);
  }
  return out + '"';
}

function escapeRune(cp: number): string {
  switch (cp) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  return cp < 0x10000 ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
}

function quoteRune(cp: number): string {
  if (cp === 0x27) return "'\\''";
  if (cp === 0x5c) return "'\\\\'";
  const ch = String.fromCodePoint(cp);
  return "'" + ((cp >= 0x20 && cp < 0x7f) || (cp >= 0x80 && PRINTABLE.test(ch)) ? ch : escapeRune(cp)) + "'";
}

const runeCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

// ---------------------------------------------------------------------------------------------
// The printer.

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const noFlags = (): Flags => ({ minus: false, plus: false, sharp: false, space: false, zero: false, wid: 0, widPresent: false, prec: 0, precPresent: false });
const FLOAT_VERBS = 'eEfFgG';
const INTEGER_BASES: Readonly<Record<string, number>> = { v: 10, d: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };

class Printer {
  out = '';
  f: Flags = noFlags();

  pad(s: string): void {
    const f = this.f;
    if (!f.widPresent || f.wid === 0) {
      this.out += s;
      return;
    }
    const n = f.wid - runeCount(s);
    if (n <= 0) this.out += s;
    else if (f.minus) this.out += s + ' '.repeat(n);
    else this.out += (f.zero ? '0' : ' ').repeat(n) + s;
  }

  printArg(arg: unknown, verb: string, depth = 0): void {
    if (arg === null || arg === undefined) {
      if (depth > 0 || verb === 'v' || verb === 'T') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') return this.fmtString(goTypeName(arg), 's');
    switch (typeof arg) {
      case 'boolean':
        return verb === 't' || verb === 'v' ? this.pad(String(arg)) : this.badVerb(verb, arg);
      case 'number':
        return Number.isInteger(arg) && !FLOAT_VERBS.includes(verb) ? this.fmtInteger(BigInt(arg), verb, arg) : this.fmtFloat(arg, verb);
      case 'bigint':
        return this.fmtInteger(arg, verb, arg);
      case 'string':
        return this.fmtString(arg, verb);
      case 'function':
        return this.pad('<func>');
    }
    if (arg instanceof Date) return this.fmtString(formatGoTime(arg), verb);
    if (Array.isArray(arg)) {
      this.out += '[';
      arg.forEach((e, i) => {
        if (i > 0) this.out += ' ';
        this.printArg(e, verb, depth + 1);
      });
      this.out += ']';
      return;
    }
    const obj = arg as Record<string, unknown>;
    this.out += 'map[';
    sortedKeys(obj).forEach((k, i) => {
      if (i > 0) this.out += ' ';
      this.printArg(k, verb, depth + 1);
      this.out += ':';
      this.printArg(obj[k], verb, depth + 1);
    });
    this.out += ']';
  }

  badVerb(verb: string, arg: unknown): void {
    this.out += '%!' + verb + '(';
    if (arg === null || arg === undefined) this.out += '<nil>';
    else {
      this.out += goTypeName(arg) + '=';
      this.printArg(arg, 'v');
    }
    this.out += ')';
  }

  fmtString(s: string, verb: string): void {
    const f = this.f;
    switch (verb) {
      case 'v':
      case 's': {
        if (f.precPresent) s = Array.from(s).slice(0, f.prec).join('');
        return this.pad(s);
      }
      case 'q':
        return this.pad(quote(s));
      case 'x':
      case 'X': {
        const bytes = Buffer.from(s, 'utf8');
        let h = Array.from(bytes, (b) => hex(b, 2)).join(f.space ? ' ' : '');
        if (verb === 'X') h = h.toUpperCase();
        return this.pad(h);
      }
    }
    this.badVerb(verb, s);
  }

  fmtInteger(n: bigint, verb: string, original: unknown): void {
    const f = this.f;
    const rune = n >= 0n && n <= 0x10ffffn ? Number(n) : 0xfffd;
    if (verb === 'c') return this.pad(String.fromCodePoint(rune));
    if (verb === 'q') return this.pad(quoteRune(rune));
    if (verb === 'U') return this.pad('U+' + n.toString(16).toUpperCase().padStart(4, '0'));
    const base = INTEGER_BASES[verb];
    if (base === undefined) return this.badVerb(verb, original);
    const negative = n < 0n;
    let digits = (negative ? -n : n).toString(base);
    if (verb === 'X') digits = digits.toUpperCase();
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && n === 0n) return this.pad('');
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid - (negative || f.plus || f.space ? 1 : 0);
    }
    digits = digits.padStart(prec, '0');
    if (f.sharp && base !== 10) digits = (base === 16 ? (verb === 'X' ? '0X' : '0x') : base === 8 ? '0' : '0b') + digits;
    if (verb === 'O') digits = '0o' + digits;
    const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
    const zero = f.zero;
    f.zero = false;
    this.pad(sign + digits);
    f.zero = zero;
  }

  fmtFloat(x: number, verb: string): void {
    const f = this.f;
    let prec: number;
    switch (verb) {
      case 'v':
        verb = 'g';
        prec = -1;
        break;
      case 'g':
      case 'G':
        prec = -1;
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
        prec = 6;
        break;
      default:
        return this.badVerb(verb, x);
    }
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(x, verb === 'F' ? 'f' : verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const zero = f.zero;
      f.zero = false;
      this.pad(num[1] === 'N' && !f.space && !f.plus ? num.slice(1) : num);
      f.zero = zero;
      return;
    }
    if (f.plus || num[0] !== '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
        return;
      }
      return this.pad(num);
    }
    this.pad(num.slice(1));
  }
}

/** One value as fmt's %v prints it (nil as "<nil>"). */
export function formatValue(v: unknown): string {
  const p = new Printer();
  p.printArg(v, 'v');
  return p.out;
}

/** fmt.Sprint: operands printed with %v, a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.out += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.out;
}

/** fmt.Sprintln: operands printed with %v, always separated by spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

interface Cursor {
  i: number;
  argNum: number;
  reordered: boolean;
  goodArgNum: boolean;
}

/** Parses an explicit "[n]" argument index at c.i; returns true when one was present. */
function argNumber(format: string, c: Cursor, numArgs: number): boolean {
  if (format[c.i] !== '[') return false;
  c.reordered = true;
  const close = format.indexOf(']', c.i + 1);
  const text = close < 0 ? '' : format.slice(c.i + 1, close);
  if (!/^[0-9]+$/.test(text)) {
    c.goodArgNum = false;
    c.i = close < 0 ? c.i + 1 : close + 1;
    return true;
  }
  const index = Number(text) - 1;
  c.i = close + 1;
  if (index >= 0 && index <= numArgs) c.argNum = index;
  else c.goodArgNum = false;
  return true;
}

function parseNum(format: string, c: Cursor): number | undefined {
  const start = c.i;
  while (c.i < format.length && format[c.i] >= '0' && format[c.i] <= '9') c.i++;
  if (c.i === start) return undefined;
  const n = Number(format.slice(start, c.i));
  return n > 1e6 ? undefined : n;
}

function intFromArg(args: readonly unknown[], c: Cursor): number | undefined {
  const v = args[c.argNum];
  if (c.argNum < args.length) c.argNum++;
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 1e6 ? v : undefined;
}

function parseFlags(format: string, c: Cursor, f: Flags): void {
  for (; c.i < format.length; c.i++) {
    const ch = format[c.i];
    if (ch === '#') f.sharp = true;
    else if (ch === '0') f.zero = !f.minus;
    else if (ch === '+') f.plus = true;
    else if (ch === '-') (f.minus = true), (f.zero = false);
    else if (ch === ' ') f.space = true;
    else return;
  }
}

/** Width and precision (digits, `*` or after an `[n]` index); returns whether an index came last. */
function parseWidthAndPrecision(format: string, c: Cursor, args: readonly unknown[], p: Printer): boolean {
  const f = p.f;
  let afterIndex = argNumber(format, c, args.length);
  if (format[c.i] === '*') {
    c.i++;
    const w = intFromArg(args, c);
    if (w === undefined) p.out += '%!(BADWIDTH)';
    else [f.wid, f.widPresent] = [Math.abs(w), true];
    if (w !== undefined && w < 0) (f.minus = true), (f.zero = false);
    afterIndex = false;
  } else {
    const w = parseNum(format, c);
    if (w !== undefined) [f.wid, f.widPresent] = [w, true];
    if (w !== undefined && afterIndex) c.goodArgNum = false;
  }
  if (c.i + 1 < format.length && format[c.i] === '.') {
    c.i++;
    if (afterIndex) c.goodArgNum = false;
    afterIndex = argNumber(format, c, args.length);
    if (format[c.i] === '*') {
      c.i++;
      const pr = intFromArg(args, c);
      if (pr === undefined) p.out += '%!(BADPREC)';
      f.precPresent = pr !== undefined && pr >= 0;
      f.prec = f.precPresent ? pr! : 0;
      afterIndex = false;
    } else [f.prec, f.precPresent] = [parseNum(format, c) ?? 0, true];
  }
  return afterIndex;
}

function printExtra(p: Printer, extra: readonly unknown[]): void {
  p.f = noFlags();
  p.out += '%!(EXTRA ';
  extra.forEach((arg, i) => {
    if (i > 0) p.out += ', ';
    if (arg === null || arg === undefined) p.out += '<nil>';
    else {
      p.out += goTypeName(arg) + '=';
      p.printArg(arg, 'v');
    }
  });
  p.out += ')';
}

/** fmt.Sprintf with Go's verbs, flags, widths, precisions, [n] indexes and error notation. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  const c: Cursor = { i: 0, argNum: 0, reordered: false, goodArgNum: true };
  while (c.i < format.length) {
    c.goodArgNum = true;
    const next = format.indexOf('%', c.i);
    p.out += format.slice(c.i, next < 0 ? undefined : next);
    if (next < 0) break;
    c.i = next + 1;
    p.f = noFlags();
    parseFlags(format, c, p.f);
    if (!parseWidthAndPrecision(format, c, args, p)) argNumber(format, c, args.length);
    if (c.i >= format.length) {
      p.out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(c.i)!);
    c.i += verb.length;
    if (verb === '%') p.out += '%';
    else if (!c.goodArgNum) p.out += `%!${verb}(BADINDEX)`;
    else if (c.argNum >= args.length) p.out += `%!${verb}(MISSING)`;
    else {
      if (verb === 'v') p.f.sharp = false;
      p.printArg(args[c.argNum++], verb);
    }
  }
  if (!c.reordered && c.argNum < args.length) printExtra(p, args.slice(c.argNum));
  return p.out;
}
