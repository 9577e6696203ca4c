// Small tar archives built in memory for archive tests, and a snapshot of a store's files to prove
// that a refused import or load changed nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import type { Store } from '../../src/engine/store/store';

/** One entry of a fixture tar: a file (with content), a folder, a link or a device. */
export interface FixtureEntry {
  name: string;
  type?: Header['type'];
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** The bytes of a tar holding `entries`, in order. */
export async function tarOf(entries: FixtureEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const type = e.type ?? (e.content !== undefined ? 'file' : 'directory');
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type, linkname: e.linkname, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: new Date(0), devmajor: 1, devminor: 3 };
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') p.entry(header, typeof e.content === 'string' ? Buffer.from(e.content) : e.content ?? Buffer.alloc(0), cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** A gzip of `data`. */
export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}

/** What a store holds on disk: index.json's text and the names in its blob, ingest and leases folders. */
export interface StoreSnapshot {
  index: string;
  blobs: string[];
  ingest: string[];
  leases: string[];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Takes a snapshot of `store`'s files. */
export function snapshotStore(store: Store): StoreSnapshot {
  let index = '';
  try {
    index = readFileSync(store.layout.index, 'utf8');
  } catch {
    index = '(none)';
  }
  return { index, blobs: list(store.layout.blobsDir), ingest: list(store.layout.ingestDir), leases: list(join(store.layout.leasesDir)) };
}
