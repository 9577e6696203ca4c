/**
 * Go's notation for instants and durations, as docker prints and parses them:
 * `time.Time.String()` (https://pkg.go.dev/time#Time.String) and `time.ParseDuration`
 * (https://pkg.go.dev/time#ParseDuration).
 */
import { BerthError } from '../../engine/errors.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `date` as Go's `time.Time.String()` prints a UTC time: "2024-01-02 15:04:05 +0000 UTC", with
 * ".5" style fractional seconds (trailing zeros dropped) when there are any. Always UTC, so output
 * does not depend on the machine's zone.
 */
export function formatGoTime(date: Date): string {
  const ms = date.getUTCMilliseconds();
  const frac = ms === 0 ? '' : '.' + pad(ms, 3).replace(/0+$/, '');
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day} ${time}${frac} +0000 UTC`;
}

/** `date` as Go's encoding/json writes a time.Time (RFC 3339 with trimmed fractional seconds). */
export function formatRFC3339Nano(date: Date): string {
  return date.toISOString().replace(/\.?0*Z$/, 'Z');
}

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NS = (1n << 63n) - 1n;
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

function durationError(message: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', message);
}

/**
 * Parses a Go duration ("300ms", "1.5h", "2h45m", "-10s") into milliseconds, exactly as
 * time.ParseDuration does (nanosecond arithmetic, fractions truncated, int64 range). Throws an
 * INVALID_ARGUMENT BerthError with Go's message on bad input.
 */
export function parseDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw durationError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw durationError(`time: invalid duration ${quoted}`);
    let i = 0;
    while (i < s.length && isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let fraction = '';
    if (s[i] === '.') {
      let j = i + 1;
      while (j < s.length && isDigit(s[j])) j++;
      fraction = s.slice(i + 1, j);
      i = j;
    }
    if (whole === '' && fraction === '') throw durationError(`time: invalid duration ${quoted}`);
    let u = i;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === i) throw durationError(`time: missing unit in duration ${quoted}`);
    const unitName = s.slice(i, u);
    const unit = NS_PER_UNIT[unitName];
    if (unit === undefined) throw durationError(`time: unknown unit ${JSON.stringify(unitName)} in duration ${quoted}`);
    let v = whole === '' ? 0n : BigInt(whole) * unit;
    if (fraction !== '') v += BigInt(Math.trunc(Number('0.' + fraction) * Number(unit)));
    total += v;
    if (total > MAX_NS + (neg ? 1n : 0n)) throw durationError(`time: invalid duration ${quoted}`);
    s = s.slice(u);
  }
  const ms = Number(total) / 1e6;
  return neg && ms !== 0 ? -ms : ms;
}
