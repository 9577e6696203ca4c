/**
 * Paths inside an unpacked root filesystem, resolved the way a process chrooted into it would see them:
 * a symbolic link is followed relative to the root (an absolute target starts at the root, `..` stops
 * at the root). The host path that comes out always lies inside the root, whatever links the image
 * holds, so Berth can write into an image's tree without following a link out of it. Docker gets the
 * same effect by unpacking inside a chroot (pkg/chrootarchive); Node cannot chroot, so it resolves.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError, sysCode } from '../errors';

/** Linux gives up after 40 links in one lookup (path_resolution(7)); so does Berth. */
const MAX_LINKS = 40;

/** A path resolved inside a root: its normalized form inside the root and the host path. */
export interface RootPath {
  /** `a/b`, or `` for the root itself. */
  inside: string;
  host: string;
}

/**
 * Resolves `path` (absolute or relative to the root) inside `root`. Every existing component is
 * followed when it is a link, the last one only with `followLast`; components that do not exist are
 * kept as they are. Synchronous: unpacking calls it for every entry, and a few lstat calls cost less
 * than the round trips of their asynchronous forms.
 */
export function resolveInRoot(root: string, path: string, options: { followLast?: boolean } = {}): RootPath {
  const queue = split(path);
  const done: string[] = [];
  let links = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    if (queue.length === 0 && !options.followLast) {
      done.push(part);
      break;
    }
    const target = linkTarget(join(root, ...done, part));
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new BerthError('INVALID_ARGUMENT', `"${path}" cannot be resolved inside the image: too many levels of symbolic links`);
    if (target.startsWith('/')) done.length = 0;
    queue.unshift(...split(target));
  }
  return { inside: done.join('/'), host: join(root, ...done) };
}

/** The components of a path, without empty and `.` ones. */
function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/** The target of a symbolic link, or undefined when `hostPath` is something else or does not exist. */
function linkTarget(hostPath: string): string | undefined {
  try {
    return lstatSync(hostPath).isSymbolicLink() ? readlinkSync(hostPath) : undefined;
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}
