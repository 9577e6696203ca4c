/**
 * `.dockerignore`: which files of the build context a build may read. The rules are Docker's
 * (https://docs.docker.com/build/concepts/context/#dockerignore-files, moby/patternmatcher):
 * `#` comments, `!` exceptions, Go `filepath.Match` wildcards plus `**` for any number of directories;
 * a pattern that matches a directory matches everything below it; the last matching pattern wins.
 */

/** One compiled pattern. */
export interface IgnorePattern {
  /** The pattern as cleaned (no leading `/` or `./`, no trailing `/`). */
  text: string;
  /** True for `!` lines: files they match are included again. */
  exception: boolean;
  glob: { matchesOrParent(path: string): boolean };
}

/** Cleans a path the way Go's filepath.Clean does (for `/`-separated paths), without a leading `/`. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!p.startsWith('/')) out.push('..');
      continue;
    }
    out.push(part);
  }
  return out.join('/') || '.';
}

/** Matches one character at `p[i]` (a literal, `?`, `\\x` or a `[...]` class); returns the index after it, or -1. */
function matchOne(p: string, i: number, ch: string): number {
  const c = p[i]!;
  if (c === '?') return i + 1;
  if (c === '\\' && i + 1 < p.length) return p[i + 1] === ch ? i + 2 : -1;
  if (c === '[') {
    const end = p.indexOf(']', i + 2);
    if (end < 0) return ch === '[' ? i + 1 : -1;
    let j = i + 1;
    const negate = p[j] === '^' || p[j] === '!';
    if (negate) j++;
    let found = false;
    for (; j < end; j++) {
      let lo = p[j]!;
      if (lo === '\\' && j + 1 < end) lo = p[++j]!;
      let hi = lo;
      if (p[j + 1] === '-' && j + 2 < end) {
        hi = p[j + 2]!;
        j += 2;
      }
      if (ch >= lo && ch <= hi) found = true;
    }
    return found !== negate ? end + 1 : -1;
  }
  return c === ch ? i + 1 : -1;
}

/** Go's filepath.Match within one path segment (`*` never crosses `/`), without exponential backtracking. */
export function matchGlob(p: string, s: string): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starS = si;
      continue;
    }
    const next = pi < p.length ? matchOne(p, pi, s[si]!) : -1;
    if (next >= 0) {
      pi = next;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Go's filepath.Match over a `/`-separated path: the same number of segments, each matching. */
export function matchPath(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const ss = path.split('/');
  return ps.length === ss.length && ps.every((p, i) => matchGlob(p, ss[i]!));
}

/** A compiled pattern: its segments, `**` standing for any number of folders. */
class Glob {
  private readonly segments: string[];

  constructor(pattern: string) {
    this.segments = pattern.split('/').map((seg) => (seg.includes('**') && seg !== '**' ? seg.replace(/\*\*+/g, '*') : seg));
  }

  /** True when the `/`-separated path, or one of the folders above it, matches (one pass, linear in both). */
  matchesOrParent(path: string): boolean {
    const parts = path.split('/');
    const memo = new Map<number, boolean>();
    const at = (i: number, j: number): boolean => {
      const key = i * (parts.length + 1) + j;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let result: boolean;
      if (i === this.segments.length) result = j > 0;
      else if (this.segments[i] === '**') result = at(i + 1, j) || (j < parts.length && at(i, j + 1));
      else result = j < parts.length && matchGlob(this.segments[i]!, parts[j]!) && at(i + 1, j + 1);
      memo.set(key, result);
      return result;
    };
    return at(0, 0);
  }
}

/** Parses the text of a `.dockerignore` file. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let exception = false;
    if (line.startsWith('!')) {
      exception = true;
      line = line.slice(1).trim();
    }
    const cleaned = cleanPath(line);
    if (!cleaned || cleaned === '.') continue;
    out.push({ text: cleaned, exception, glob: new Glob(cleaned) });
  }
  return out;
}

/** Decides, path by path (relative to the context, `/`-separated), what the build may read. */
export class IgnoreMatcher {
  constructor(readonly patterns: IgnorePattern[]) {}

  /** True when the file or folder at `path` is excluded (it, or a folder above it, matches). */
  excludes(path: string): boolean {
    const file = cleanPath(path);
    let excluded = false;
    for (const p of this.patterns) {
      if (p.exception !== excluded) continue;
      if (p.glob.matchesOrParent(file)) excluded = !p.exception;
    }
    return excluded;
  }

  /** True when some exception could include a path below the excluded folder `dir` (so a walk must go in). */
  mayIncludeBelow(dir: string): boolean {
    const d = cleanPath(dir);
    return this.patterns.some((p) => p.exception && (p.text.startsWith(d + '/') || p.text.includes('*') || p.text.includes('?') || p.text.includes('[')));
  }
}
