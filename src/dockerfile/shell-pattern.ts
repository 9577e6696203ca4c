/**
 * The patterns of `${v#p}`, `${v%p}` and `${v/p/r}` as BuildKit reads them (`*`, `?`, and `\` before
 * `*`, `?`, `\`, `}` or `/`; no bracket expressions), matched by stepping a set of pattern positions
 * along the string: time grows with length times pattern size, never worse.
 * https://docs.docker.com/reference/dockerfile/#environment-replacement
 */

type Token = { kind: 'char'; ch: string } | { kind: 'any' } | { kind: 'star' };

/** A compiled pattern, or why it is not one. */
export type Pattern = { tokens: Token[] } | { error: string };

/** Reads a pattern as BuildKit's `convertShellPatternToRegex` does. */
export function compilePattern(pattern: string): Pattern {
  const tokens: Token[] = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '\\') {
      const next = chars[i + 1];
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') return { error: `invalid escape '\\${next ?? ''}'` };
      tokens.push({ kind: 'char', ch: next });
      i++;
    } else tokens.push({ kind: 'char', ch: c });
  }
  return { tokens };
}

function closure(tokens: Token[], states: Set<number>): Set<number> {
  for (const s of [...states]) {
    let k = s;
    while (tokens[k]?.kind === 'star') states.add(++k);
  }
  return states;
}

/** The lengths `n` for which `chars[from, from + n)` matches the whole pattern, in increasing order. */
function matchingLengths(tokens: Token[], chars: string[], from = 0): number[] {
  const out: number[] = [];
  let states = closure(tokens, new Set([0]));
  if (states.has(tokens.length)) out.push(0);
  for (let i = from; i < chars.length && states.size > 0; i++) {
    const next = new Set<number>();
    for (const s of states) {
      const t = tokens[s];
      if (t === undefined || (t.kind === 'char' && t.ch !== chars[i])) continue;
      next.add(t.kind === 'star' ? s : s + 1);
    }
    states = closure(tokens, next);
    if (states.has(tokens.length)) out.push(i + 1 - from);
  }
  return out;
}

/** `${v#p}` (shortest) and `${v##p}` (longest): the value without the matching prefix. */
export function removePrefix(value: string, pattern: Token[], longest: boolean): string {
  const chars = [...value];
  const lengths = matchingLengths(pattern, chars);
  if (lengths.length === 0) return value;
  return chars.slice(longest ? lengths[lengths.length - 1]! : lengths[0]!).join('');
}

/** `${v%p}` (shortest) and `${v%%p}` (longest): the value without the matching suffix. */
export function removeSuffix(value: string, pattern: Token[], longest: boolean): string {
  const chars = [...value];
  const lengths = matchingLengths([...pattern].reverse(), [...chars].reverse());
  if (lengths.length === 0) return value;
  return chars.slice(0, chars.length - (longest ? lengths[lengths.length - 1]! : lengths[0]!)).join('');
}

/** `${v/p/r}` (first match) and `${v//p/r}` (every match): leftmost, longest matches replaced. */
export function replaceMatches(value: string, pattern: Token[], replacement: string, all: boolean): string {
  const chars = [...value];
  let out = '';
  let i = 0;
  let lastEnd = -1;
  let replaced = false;
  while (i <= chars.length) {
    const lengths = replaced && !all ? [] : matchingLengths(pattern, chars, i);
    const n = lengths.length > 0 ? lengths[lengths.length - 1]! : -1;
    if (n > 0 || (n === 0 && i !== lastEnd)) {
      out += replacement;
      replaced = true;
      lastEnd = i + n;
      if (n > 0) {
        i += n;
        continue;
      }
    }
    if (i < chars.length) out += chars[i];
    i++;
  }
  return out;
}
