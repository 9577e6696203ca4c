/**
 * Writing a COPY/ADD step's entries straight into the stage's unpacked root filesystem from their
 * source files, instead of unpacking the layer that was just stored: the kernel copies each file
 * (copyFile) on libuv's threads while the main thread writes and hashes the layer, and no tar is
 * parsed. The result is the tree {@link unpackLayer} would make of the same entries.
 *
 * The names come from a plan made against this same tree (copy.ts resolves every destination's parent
 * inside the root), so each parent is a real folder inside it; an existing file or link at a name is
 * removed first, so nothing is ever written through a link of the image.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sysCode } from '../errors';
import { canChown, hostGid, hostUid, type IdMap } from './id-map';
import type { LayerEntry } from './layer-tar';

/** Files copied at once. */
const CONCURRENCY = 8;

/** True when {@link applyEntries} can write these entries (all but FIFOs, which Node cannot make). */
export function canApply(entries: LayerEntry[]): boolean {
  return entries.every((e) => e.type !== 'fifo');
}

/** Writes `entries` (parents before children, as a plan gives them) into `root`; see the module comment. */
export async function applyEntries(root: string, entries: LayerEntry[], ids: IdMap): Promise<void> {
  const chown = canChown(ids);
  const owner = async (host: string, e: LayerEntry): Promise<void> => {
    if (chown) await lchown(host, hostUid(ids, e.uid, `/${e.name}`), hostGid(ids, e.gid, `/${e.name}`));
  };
  const dirs = entries.filter((e) => e.type === 'directory');
  for (const d of dirs) {
    const host = join(root, d.name);
    const st = await lstat(host).catch((e: unknown) => (sysCode(e) === 'ENOENT' ? undefined : Promise.reject(e)));
    if (st && !st.isDirectory()) await unlink(host);
    if (!st?.isDirectory()) await mkdir(host, { mode: 0o700 });
  }
  const others = entries.filter((e) => e.type === 'file' || e.type === 'symlink');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < others.length) {
      const e = others[next++]!;
      const host = join(root, e.name);
      const st = await lstat(host).catch((err: unknown) => (sysCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
      if (st?.isDirectory()) await rm(host, { recursive: true });
      else if (st) await unlink(host);
      const time = new Date(e.mtime * 1000);
      if (e.type === 'symlink') {
        await symlink(e.linkname ?? '', host);
        await owner(host, e);
        await lutimes(host, time, time);
        continue;
      }
      if (e.source && e.size) await copyFile(e.source, host, constants.COPYFILE_EXCL);
      else await writeFile(host, '', { flag: 'wx' });
      await owner(host, e); // before chmod: chown clears setuid and setgid
      await chmod(host, e.mode);
      await utimes(host, time, time);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, others.length) }, worker));
  // hard links once the files they name are there
  for (const e of entries.filter((x) => x.type === 'link')) {
    const host = join(root, e.name);
    const st = await lstat(host).catch((err: unknown) => (sysCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
    if (st?.isDirectory()) await rm(host, { recursive: true });
    else if (st) await unlink(host);
    await link(join(root, e.linkname!), host);
  }
  // folders last, deepest first: writing into a folder changes its time, and a read-only mode would shut it
  for (const d of [...dirs].reverse()) {
    const host = join(root, d.name);
    await owner(host, d);
    await chmod(host, d.mode);
    const time = new Date(d.mtime * 1000);
    await utimes(host, time, time);
  }
}
