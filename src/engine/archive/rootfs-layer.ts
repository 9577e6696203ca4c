/**
 * A root filesystem tarball (plain or gzip) stored as one layer, in a single pass over its bytes:
 * the bytes go to the store as received and are hashed there (the layer digest), while a side branch
 * inflates them when they are gzip, hashes the tar (the diff ID) and checks every entry with
 * {@link RootfsRules}. The blob becomes visible only when the whole tar has been read and found safe.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, sysCode } from '../errors';
import { Digester, type Digest } from '../oci/digest';
import { MediaType, type Descriptor } from '../oci/types';
import type { Lease } from '../store/leases';
import type { Store } from '../store/store';
import { CHUNK, ExpansionGuard, MAGIC_BYTES, detectCompression, gunzipStream } from './compression';
import { RootfsRules } from './rootfs-rules';
import { peekStream, writeTo } from './streams';
import { tarEntries } from './tar-entries';

/** What {@link storeRootfsLayer} stored. */
export interface StoredLayer {
  descriptor: Descriptor;
  diffId: Digest;
}

/** Options of {@link storeRootfsLayer}. */
export interface RootfsLayerOptions {
  /** Names the tarball in messages. */
  sourceName: string;
  /** Called with the number of bytes read so far. */
  onProgress?: (bytes: number) => void;
}

const UNSUPPORTED_HINT: Record<string, string> = {
  bzip2: 'bunzip2 -k FILE',
  xz: 'unxz -k FILE',
  zstd: 'zstd -d FILE',
};

/** Stores the tarball as a layer under `lease`; refuses unsafe or malformed archives before anything is visible. */
export async function storeRootfsLayer(store: Store, lease: Lease, source: Readable | AsyncIterable<Uint8Array>, options: RootfsLayerOptions): Promise<StoredLayer> {
  const name = options.sourceName;
  const { head, chunks } = await peekStream(source, MAGIC_BYTES);
  if (head.length === 0) throw new BerthError('INVALID_ARCHIVE', `${name} is empty: expected a tar archive of a root filesystem`);
  const compression = detectCompression(head);
  if (compression !== 'none' && compression !== 'gzip') {
    if ('destroy' in source && typeof source.destroy === 'function') source.destroy();
    throw new BerthError('UNSUPPORTED', `${name} is ${compression}-compressed; Berth imports plain or gzip-compressed tarballs: decompress it first (${UNSUPPORTED_HINT[compression]}) or recompress it with gzip`);
  }
  const gzip = compression === 'gzip';
  const channel = new PassThrough({ highWaterMark: CHUNK });
  const guard = new ExpansionGuard(name);
  const inspected = inspection(channel, gzip, name, guard);
  let inspectedDiffId: Digest | undefined;
  let finished = false;
  async function* tee(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let read = 0;
    try {
      for await (const chunk of input) {
        read += chunk.length;
        options.onProgress?.(read);
        guard.took(chunk.length);
        try {
          await writeTo(channel, chunk);
        } catch {
          await inspected;
          throw new BerthError('IO', `${name}: the archive check stopped early`);
        }
        yield chunk;
      }
      channel.end();
      inspectedDiffId = await inspected;
      finished = true;
    } finally {
      if (!finished) channel.destroy();
    }
  }
  const blob = await store.blobs.putStream(tee(chunks), lease);
  return {
    descriptor: { mediaType: gzip ? MediaType.ociLayerGzip : MediaType.ociLayer, digest: blob.digest, size: blob.size },
    diffId: gzip ? inspectedDiffId! : blob.digest,
  };
}

/** The side branch: reads what `channel` receives, inflating it when gzip; resolves to the diff ID of a gzip tarball. */
function inspection(channel: PassThrough, gzip: boolean, name: string, guard: ExpansionGuard): Promise<Digest | undefined> {
  const rules = new RootfsRules(name);
  const inspect = async (tar: AsyncIterable<Buffer>): Promise<Digest | undefined> => inspectTar(tar, name, rules, gzip ? guard : undefined);
  const inspected = (gzip ? pipeline(channel, gunzipStream(), inspect) : pipeline(channel, inspect)).catch((e: unknown): never => {
    if (guard.tripped) throw guard.tripped;
    throw gzip && sysCode(e)?.startsWith('Z_') ? new BerthError('INVALID_ARCHIVE', `${name} is not a valid gzip-compressed tar archive: ${(e as Error).message}`, { cause: e }) : e;
  });
  inspected.catch(() => undefined);
  return inspected;
}

/** Checks each entry; with a guard (the tar was inflated), stops a gzip bomb and returns the diff ID. */
async function inspectTar(tar: AsyncIterable<Buffer>, name: string, rules: RootfsRules, guard: ExpansionGuard | undefined): Promise<Digest | undefined> {
  const digester = guard ? new Digester() : undefined;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of tar) {
      guard!.gave(chunk.length);
      digester!.update(chunk);
      yield chunk;
    }
  }
  let entries = 0;
  for await (const entry of tarEntries(digester ? hashed() : tar, name)) {
    rules.check(entry.header);
    entries++;
    for await (const _ of entry) void _;
  }
  if (entries === 0) throw new BerthError('INVALID_ARCHIVE', `${name} is not a valid tar archive: it has no entries`);
  return digester?.digest();
}
