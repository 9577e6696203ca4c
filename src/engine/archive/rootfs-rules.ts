/**
 * The safety rules a root filesystem tarball must follow before it becomes a layer: every entry stays
 * inside the root, whatever order a tool unpacks it in. Docker's own unpacker (pkg/archive) enforces
 * the same limits when it applies a layer; Berth refuses such an archive up front instead, so that a
 * layer in the store can always be unpacked safely.
 */
import type { Header } from 'tar-stream';
import { BerthError } from '../errors';
import { entryPath, parentOf, resolveRelative } from './entry-path';

const FIX = 'rebuild the tarball from inside the root folder (tar -C ROOT -cf FILE .)';

/** Checks the entries of one tarball, in order; throws UNSAFE_ARCHIVE for the first unsafe one. */
export class RootfsRules {
  private readonly entries = new Set<string>();
  private readonly dirs = new Set<string>();
  private readonly symlinks = new Set<string>();

  /** `source` names the tarball in messages (a path, a URL or `-`). */
  constructor(private readonly source: string) {}

  /** Checks one entry's header and remembers it for the checks of later entries. */
  check(header: Header): void {
    const name = header.name;
    const p = entryPath(name);
    if (!p.ok) this.refuse(name, `${p.problem}, which would write outside the image's root; ${FIX}`);
    const path = p.path;
    if (header.type === 'character-device' || header.type === 'block-device') {
      this.refuse(name, `is a ${header.type === 'block-device' ? 'block' : 'character'} device; an image may not carry device files (the runtime creates /dev), so leave /dev out of the tarball`);
    }
    this.checkParents(name, path);
    if (header.type === 'symlink') this.checkSymlink(name, path, header.linkname ?? '');
    if (header.type === 'link') this.checkHardlink(name, header.linkname ?? '');
    if (path === '') return;
    this.entries.add(path);
    if (header.type === 'directory') this.dirs.add(path);
    else this.dirs.delete(path);
    if (header.type === 'symlink') this.symlinks.add(path);
  }

  private checkParents(name: string, path: string): void {
    let i = path.indexOf('/');
    while (i >= 0) {
      const prefix = path.slice(0, i);
      if (this.symlinks.has(prefix)) {
        this.refuse(name, `lies beneath "${prefix}", which an earlier entry made a symbolic link, so unpacking it would follow the link; ${FIX}`);
      }
      i = path.indexOf('/', i + 1);
    }
  }

  private checkSymlink(name: string, path: string, target: string): void {
    if (target.startsWith('/')) return;
    if (resolveRelative(parentOf(path), target) === undefined) {
      this.refuse(name, `is a symbolic link to "${target}", which points outside the image's root; make the link absolute or keep it inside the root`);
    }
  }

  private checkHardlink(name: string, target: string): void {
    const t = entryPath(target);
    if (!t.ok) this.refuse(name, `is a hard link to "${target}", which ${t.problem} and so lies outside the image's root; ${FIX}`);
    if (!this.entries.has(t.path) || this.dirs.has(t.path)) {
      this.refuse(name, `is a hard link to "${target}", which is not an earlier file of the archive; a hard link must follow the file it links to`);
    }
  }

  private refuse(name: string, reason: string): never {
    throw new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing entry "${name}": it ${reason}`);
  }
}
