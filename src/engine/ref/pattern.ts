/**
 * Go's `path.Match` (https://pkg.go.dev/path#Match), the matcher behind Docker's
 * `images --filter reference=PATTERN`. Ported rule for rule, including its greedy `*` (a star takes the
 * first place where the next chunk matches and never backtracks), so that a pattern selects the same
 * images as it does with Docker. Work is bounded by pattern length × name length.
 */
import { BerthError } from '../errors';

type Chars = readonly string[];

function badPattern(pattern: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', `invalid pattern "${pattern}": syntax error in pattern`);
}

/**
 * True when `name` matches the shell pattern (`*` any run of non-`/` characters, `?` one non-`/`
 * character, `[a-z]`, `[^a-z]`, `\` escapes). Throws INVALID_ARGUMENT for a malformed pattern, as Go
 * returns `path.ErrBadPattern`.
 */
export function matchPath(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(name);
  const bad = (): BerthError => badPattern(pattern);
  let pi = 0;
  let si = 0;
  next: while (pi < p.length) {
    const { star, start, end } = scanChunk(p, pi);
    pi = end;
    const last = pi >= p.length;
    if (star && start === end) return s.indexOf('/', si) < 0;
    const t = matchChunk(p, start, end, s, si, bad);
    if (t >= 0 && (t === s.length || !last)) {
      si = t;
      continue;
    }
    if (star) {
      for (let i = si; i < s.length && s[i] !== '/'; i++) {
        const u = matchChunk(p, start, end, s, i + 1, bad);
        if (u < 0 || (last && u < s.length)) continue;
        si = u;
        continue next;
      }
    }
    // No match; Go still checks that the rest of the pattern is well formed.
    while (pi < p.length) {
      const rest = scanChunk(p, pi);
      pi = rest.end;
      matchChunk(p, rest.start, rest.end, [], 0, bad);
    }
    return false;
  }
  return si === s.length;
}

/** The leading stars and the chunk up to the next star outside a character class. */
function scanChunk(p: Chars, from: number): { star: boolean; start: number; end: number } {
  let i = from;
  let star = false;
  while (i < p.length && p[i] === '*') {
    i++;
    star = true;
  }
  const start = i;
  let inRange = false;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 < p.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return { star, start, end: i };
}

/** Matches p[start..end) at s[si..]; the index in `s` after the match, or -1. Reads the whole chunk either way. */
function matchChunk(p: Chars, start: number, end: number, s: Chars, si: number, bad: () => BerthError): number {
  let failed = false;
  let i = start;
  while (i < end) {
    if (!failed && si >= s.length) failed = true;
    const c = p[i];
    if (c === '[') {
      const r = failed ? -1 : s[si++].codePointAt(0)!;
      i++;
      const negated = i < end && p[i] === '^';
      if (negated) i++;
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (i < end && p[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        const lo = classChar(p, i, end, bad);
        let hi = lo;
        if (p[lo.next] === '-') hi = classChar(p, lo.next + 1, end, bad);
        i = hi.next;
        if (lo.code <= r && r <= hi.code) match = true;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) failed = s[si++] === '/';
      i++;
    } else {
      if (c === '\\' && ++i >= end) throw bad();
      if (!failed) failed = p[i] !== s[si++];
      i++;
    }
  }
  return failed ? -1 : si;
}

/** One character of a class (`\` escapes it); Go's getEsc. */
function classChar(p: Chars, at: number, end: number, bad: () => BerthError): { code: number; next: number } {
  let i = at;
  if (i >= end || p[i] === '-' || p[i] === ']') throw bad();
  if (p[i] === '\\' && ++i >= end) throw bad();
  const code = p[i].codePointAt(0)!;
  if (++i >= end) throw bad();
  return { code, next: i };
}
