/**
 * Functions a docker `--format` template can call: Go's text/template builtins
 * (https://pkg.go.dev/text/template#hdr-Functions) and docker's additions (docker/cli
 * templates/templates.go), plus docker's header variants used to print a table's header row.
 */
import { compareGoStrings, formatValue, goTypeName, sprint, sprintf, sprintln } from './gofmt.js';
import { toGoJSON } from './gojson.js';

/**
 * How an argument reaches a function, after Go's reflection rules:
 * 'value' raw (undefined when a map key was missing), 'any' an interface{} (missing becomes
 * null), 'string' and 'int' checked scalars, 'strings' a []string.
 */
export type ArgKind = 'value' | 'any' | 'string' | 'int' | 'strings';

/** A function callable from a template. It throws to report "error calling <name>: …". */
export interface TemplateFunction {
  /** Kinds of the fixed parameters. */
  readonly params: readonly ArgKind[];
  /** Kind of the extra arguments, when the function is variadic. */
  readonly variadic?: ArgKind;
  /** and/or: arguments are evaluated lazily and the deciding one is returned. */
  readonly shortCircuit?: boolean;
  readonly call: (...args: any[]) => unknown;
}

/** Functions by name. */
export type FunctionMap = Readonly<Record<string, TemplateFunction>>;

const fn = (params: readonly ArgKind[], call: (...args: any[]) => unknown, variadic?: ArgKind): TemplateFunction =>
  variadic ? { params, variadic, call } : { params, call };

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    case 'function':
      return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Date) return true;
  return Object.keys(v as object).length > 0;
}

/** True for values that behave like Go maps (plain objects and other non-array objects). */
export function isMapLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

// --- comparison ---------------------------------------------------------------------------------

type BasicKind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): BasicKind {
  if (v === undefined || v === null) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
  }
  return 'other';
}

function eq(a: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const ka = basicKind(a);
  for (const b of others) {
    const kb = basicKind(b);
    let same: boolean;
    if (ka === 'nil' || kb === 'nil') same = ka === kb;
    else if (ka !== kb) throw new Error('incompatible types for comparison');
    else if (ka === 'other') throw new Error(`non-comparable type ${formatValue(a)}: ${goTypeName(a)}`);
    else same = ka === 'number' ? Number(a) === Number(b) : a === b;
    if (same) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || ka === 'other' || kb === 'nil' || kb === 'other') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'bool') throw new Error('invalid type for comparison');
  return ka === 'string' ? compareGoStrings(a as string, b as string) < 0 : Number(a) < Number(b);
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);

// --- collections --------------------------------------------------------------------------------

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (index < 0 || index > cap) throw new Error(`index out of range: ${index}`);
  return index;
}

/** The zero value Go's index yields for a missing key: "" for a map of strings, nil otherwise. */
function zeroOfMap(m: Record<string, unknown>): unknown {
  return Object.values(m).every((v) => typeof v === 'string') ? '' : undefined;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  for (const key of indexes) {
    if ((item === undefined || item === null) && typeof key === 'string') return '';
    if (item === undefined || item === null) throw new Error('index of untyped nil');
    if (typeof item === 'string') {
      const bytes = Buffer.from(item, 'utf8');
      const x = indexArg(key, bytes.length);
      if (x === bytes.length) throw new Error(`index out of range: ${x}`);
      item = bytes[x];
    } else if (Array.isArray(item)) {
      const x = indexArg(key, item.length);
      if (x === item.length) throw new Error(`index out of range: ${x}`);
      item = item[x];
    } else if (isMapLike(item)) {
      if (key === undefined || key === null) throw new Error('value is nil; should be of type string');
      if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
      item = Object.prototype.hasOwnProperty.call(item, key) ? item[key] : zeroOfMap(item);
    } else throw new Error(`can't index item of type ${goTypeName(item)}`);
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let length: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    length = Buffer.byteLength(item);
  } else if (Array.isArray(item)) length = item.length;
  else throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, length];
  indexes.forEach((x, i) => (idx[i] = indexArg(x, length)));
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return (item as unknown[]).slice(idx[0], idx[1]);
}

function length(item: unknown): number {
  if (item === undefined || item === null) throw new Error('len of nil pointer');
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (Array.isArray(item)) return item.length;
  if (isMapLike(item)) return Object.keys(item).length;
  throw new Error(`len of type ${goTypeName(item)}`);
}

// --- strings --------------------------------------------------------------------------------------

/** Maps each rune like Go's unicode.ToUpper/ToLower/ToTitle: one rune in, one rune out. */
function mapRunes(s: string, convert: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const c = convert(ch);
    out += Array.from(c).length === 1 ? c : ch;
  }
  return out;
}

const upper = (s: string): string => (/^[\x00-\x7f]*$/.test(s) ? s.toUpperCase() : mapRunes(s, (c) => c.toUpperCase()));
const lower = (s: string): string => (/^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : mapRunes(s, (c) => c.toLowerCase()));

function isSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/** strings.Title: the first letter of each word in upper case, the rest unchanged. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

/** strings.Split: an empty separator splits into runes. */
const split = (s: string, sep: string): string[] => (sep === '' ? Array.from(s) : s.split(sep));

/** docker's truncate: the first `n` bytes of `s`. */
function truncate(s: string, n: number): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length < n) return s;
  if (n < 0) throw new Error(`runtime error: slice bounds out of range [:${n}]`);
  return bytes.subarray(0, n).toString('utf8');
}

/** docker's pad: spaces around `s`, unless `s` is empty. */
function pad(s: string, prefix: number, suffix: number): string {
  if (s === '') return s;
  if (prefix < 0 || suffix < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(prefix) + s + ' '.repeat(suffix);
}

/** docker's json: Go JSON without HTML escaping; an unencodable value gives "". */
function json(v: unknown): string {
  try {
    return toGoJSON(v, { escapeHTML: false }).trim();
  } catch {
    return '';
  }
}

const identity = (s: string): string => s;

/** Go's builtins plus docker's functions: what `docker … --format` templates can call. */
export const defaultFunctions: FunctionMap = {
  and: { params: ['value'], variadic: 'value', shortCircuit: true, call: () => undefined },
  or: { params: ['value'], variadic: 'value', shortCircuit: true, call: () => undefined },
  not: fn(['value'], (v) => !truth(v)),
  len: fn(['value'], length),
  index: fn(['value'], index, 'value'),
  slice: fn(['value'], slice, 'value'),
  print: fn([], (...args) => sprint(args), 'any'),
  printf: fn(['string'], (format, ...args) => sprintf(format, args), 'any'),
  println: fn([], (...args) => sprintln(args), 'any'),
  eq: fn(['value'], eq, 'value'),
  ne: fn(['value', 'value'], (a, b) => !eq(a, b)),
  lt: fn(['value', 'value'], lt),
  le: fn(['value', 'value'], le),
  gt: fn(['value', 'value'], (a, b) => !le(a, b)),
  ge: fn(['value', 'value'], (a, b) => !lt(a, b)),
  json: fn(['any'], json),
  split: fn(['string', 'string'], split),
  join: fn(['strings', 'string'], (a: string[], sep: string) => a.join(sep)),
  title: fn(['string'], title),
  lower: fn(['string'], lower),
  upper: fn(['string'], upper),
  pad: fn(['string', 'int', 'int'], pad),
  truncate: fn(['string', 'int'], truncate),
};

/**
 * docker's HeaderFunctions: when the table header is rendered by running the row template over
 * the map of column titles, these leave each title as it is (`{{upper .Name}}` prints "NAME",
 * not a transformed header). `pad` and the builtins are not overridden.
 */
export const headerFunctions: FunctionMap = {
  json: fn(['string'], identity),
  split: fn(['string', 'string'], identity),
  join: fn(['string', 'string'], identity),
  title: fn(['string'], identity),
  lower: fn(['string'], identity),
  upper: fn(['string'], identity),
  truncate: fn(['string', 'int'], identity),
};

/** Names a template may call, for the parser's "function not defined" check. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(defaultFunctions));
