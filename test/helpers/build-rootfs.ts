// Layers for build tests: a busybox root filesystem stored as a layer, tars with every header field
// chosen, the entries of a stored layer, and traces a sandbox could leave (mounts, processes).
import { createReadStream, chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract, pack, type Header } from 'tar-stream';
import { storeRootfsLayer } from '../../src/engine/archive/rootfs-layer';
import type { Descriptor } from '../../src/engine/oci/types';
import type { Store } from '../../src/engine/store/store';
import { makeBusyboxRootfs, tarFolder } from './rootfs';

/** Stores the busybox root filesystem (root folder 0755, optional extra passwd and group lines) as a layer. */
export async function busyboxLayer(store: Store, work: string, extra: { passwd?: string; group?: string } = {}): Promise<Descriptor> {
  const root = makeBusyboxRootfs(work);
  const file = `${root}.tar`;
  try {
    chmodSync(root, 0o755);
    if (extra.passwd) writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/sh\n${extra.passwd}`);
    if (extra.group) writeFileSync(join(root, 'etc/group'), `root:x:0:\n${extra.group}`);
    tarFolder(root, file);
    const lease = await store.lease();
    try {
      return (await storeRootfsLayer(store, lease, createReadStream(file), { sourceName: file })).descriptor;
    } finally {
      await lease.release();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

/** One entry of a tar for {@link tarWith}: any header, and content for files. */
export type TarSpec = Partial<Omit<Header, 'pax'>> & { name: string; content?: string | Buffer; pax?: Record<string, string> };

/** A tar of `entries` with the given headers (mode, owner and time default to 0644/0755, 0:0 and 2001-02-03). */
export async function tarWith(entries: TarSpec[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const { content, ...e } of entries) {
    const type = e.type ?? 'file';
    const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
    // tar-stream replaces a zero mode with its default; the file type bits keep it zero in the header
    const header = { uid: 0, gid: 0, mtime: new Date('2001-02-03T04:05:06Z'), ...e, mode: mode === 0 ? 0o100000 : mode, type };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') p.entry(header, typeof content === 'string' ? Buffer.from(content) : content ?? Buffer.alloc(0), cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** An entry as read back from a layer. */
export interface ListedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  content?: string;
  pax?: Record<string, string>;
}

/** The entries of a tar, in order. */
export async function listTar(bytes: Buffer): Promise<ListedEntry[]> {
  const ex = extract();
  Readable.from([bytes]).pipe(ex);
  const out: ListedEntry[] = [];
  for await (const entry of ex) {
    const h = entry.header as Partial<Header> & { pax?: Record<string, string> };
    const parts: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) parts.push(c);
    out.push({
      name: h.name ?? '', type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: (h.mtime?.getTime() ?? 0) / 1000,
      ...(h.linkname ? { linkname: h.linkname } : {}), uname: h.uname, gname: h.gname,
      ...(h.type === 'file' ? { content: Buffer.concat(parts).toString() } : {}), ...(h.pax ? { pax: h.pax } : {}),
    });
  }
  return out;
}

/** The bytes of an async tar stream. */
export async function bytesOf(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** The command lines of this machine's processes that contain `marker`. */
export function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker)) out.push(`${pid}: ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The mount table of this process. */
export function mountTable(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}
