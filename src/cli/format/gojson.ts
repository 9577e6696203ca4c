/**
 * JSON as Go's encoding/json writes it (https://pkg.go.dev/encoding/json): compact, `\u2028`
 * and `\u2029` always escaped, control characters as `\u00XX` (`\b`, `\f`, `\n`, `\r`, `\t`
 * short), and with HTML escaping `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`. Object keys
 * keep their order, as Go keeps a struct's field order. Dates are written as RFC 3339 strings.
 */
import { formatRFC3339Nano } from './gotime.js';

/**
 * A value can provide its own JSON, as a Go type does with MarshalJSON; the text is used as is.
 * docker's table rows do this (formatter.MarshalJSON), which is why `{{json .}}` of a row is
 * HTML-escaped while `{{json .Field}}` is not.
 */
export const marshalJSON: unique symbol = Symbol('berth.marshalJSON');

/** How to encode. */
export interface GoJSONOptions {
  /** Escape <, > and & (json.Marshal does; docker's `json` template function does not). */
  escapeHTML?: boolean;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const NEEDS_ESCAPE_HTML = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff<>&]/;

function encodeString(s: string, escapeHTML: boolean): string {
  if (!(escapeHTML ? NEEDS_ESCAPE_HTML : NEEDS_ESCAPE).test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code === 0x2028 || code === 0x2029 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += ch + s[++i];
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd';
    } else out += ch;
  }
  return out + '"';
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`json: unsupported value: ${Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'}`);
  return Object.is(n, -0) ? '-0' : String(n);
}

function encode(v: unknown, escapeHTML: boolean, seen: Set<object>): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return encodeString(v, escapeHTML);
    case 'number':
      return encodeNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'function':
    case 'symbol':
      throw new TypeError(`json: unsupported type: ${typeof v}`);
  }
  const obj = v as Record<string | symbol, unknown>;
  const custom = obj[marshalJSON];
  if (typeof custom === 'function') return String(custom.call(obj));
  if (v instanceof Date) return '"' + formatRFC3339Nano(v) + '"';
  if (seen.has(obj)) throw new TypeError('json: unsupported value: encountered a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(v)) return '[' + v.map((e) => encode(e, escapeHTML, seen)).join(',') + ']';
    const parts: string[] = [];
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value === undefined || typeof value === 'function') continue;
      parts.push(encodeString(key, escapeHTML) + ':' + encode(value, escapeHTML, seen));
    }
    return '{' + parts.join(',') + '}';
  } finally {
    seen.delete(obj);
  }
}

/**
 * `v` as compact Go JSON. Throws a TypeError with Go's message for values Go cannot encode
 * (NaN, infinities, functions, cycles).
 */
export function toGoJSON(v: unknown, options: GoJSONOptions = {}): string {
  return encode(v, options.escapeHTML ?? true, new Set());
}
