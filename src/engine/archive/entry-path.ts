/**
 * Names of entries inside a tar archive, normalized so that `./a//b/` and `a/b` are one path, and
 * judged for safety: an entry must stay inside the folder the archive is unpacked into.
 */

/** A normalized entry path (`a/b`, `` for the root), or why the name is unsafe. */
export type EntryPath = { ok: true; path: string } | { ok: false; problem: string };

/**
 * Normalizes an entry name: strips leading `./`, drops empty and `.` components and a trailing `/`.
 * Refuses absolute names and names with a `..` component, which could write outside the root.
 */
export function entryPath(name: string): EntryPath {
  let n = name;
  while (n.startsWith('./')) n = n.slice(2);
  if (n.startsWith('/')) return { ok: false, problem: 'is an absolute path' };
  const parts: string[] = [];
  for (const part of n.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { ok: false, problem: 'has a ".." component' };
    parts.push(part);
  }
  return { ok: true, path: parts.join('/') };
}

/** The folder part of a normalized path (`` for a top-level entry). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * Resolves a relative link target against the folder of the link, lexically. Returns the normalized
 * path, or undefined when the target climbs above the root.
 */
export function resolveRelative(fromDir: string, target: string): string | undefined {
  const parts = fromDir === '' ? [] : fromDir.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}
