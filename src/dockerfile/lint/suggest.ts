/**
 * "Did you mean" for names: the closest candidate by edit distance (a swap of two neighbouring letters
 * counts as one edit), as BuildKit suggests for unknown instructions, undefined variables and FROM
 * arguments.
 */

/**
 * The optimal-string-alignment distance of `a` and `b` (insertions, deletions, substitutions and
 * swaps of neighbours), or `max + 1` as soon as it is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, before[j - 2]! + 1);
      }
      current.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `name`: one equal but for case first, else the nearest within `max` edits
 * (ties go to the first). Undefined when none is close.
 */
export function closest(name: string, candidates: Iterable<string>, max: number): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const c of candidates) {
    if (c === name) continue;
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase(), max);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
