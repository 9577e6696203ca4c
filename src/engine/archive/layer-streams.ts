/**
 * Reading stored layers for an archive: the bytes as stored, or a layer's uncompressed tar. Sizes are
 * checked as they stream, and gzip checks its own CRC; the layer's digest is not recomputed: every
 * reader of the archive does that (docker load checks diff IDs, OCI tools check blob digests), as
 * Docker's own save relies on, and hashing would double the CPU time of a save.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, sysCode } from '../errors';
import type { Digest } from '../oci/digest';
import { isGzipLayer, type Descriptor } from '../oci/types';
import type { Store } from '../store/store';
import { gunzipStream } from './compression';

/** A layer's uncompressed tar, ready to stream: its exact size first, as a tar header needs it. */
export interface UncompressedLayer {
  size: number;
  chunks: AsyncIterable<Buffer>;
}

/**
 * How the uncompressed size of a gzip layer is found: `count` inflates it once before streaming it;
 * `trailer` trusts the size gzip records in its last 4 bytes (exact for the single-member gzip every
 * image tool writes, when under 4 GiB) and fails with SIZE_MISMATCH while streaming when it is wrong.
 */
export type SizeMode = 'count' | 'trailer';

/** The bytes of a stored blob, checked against the descriptor's size as they stream. */
export async function* storedBlob(store: Store, desc: Descriptor): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of openBlob(store, desc.digest) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > desc.size) break;
      yield chunk;
    }
  } catch (e) {
    throw storeReadError(desc.digest, e);
  }
  if (size !== desc.size) {
    throw new BerthError('STORE_CORRUPT', `blob ${desc.digest} in the store has ${size > desc.size ? 'more' : 'fewer'} than the ${desc.size} bytes its manifest says; the store is damaged (run "berth system check")`);
  }
}

/** Prepares a stored layer's uncompressed tar (gunzipped when stored with gzip), checked as described above. */
export async function uncompressedLayer(store: Store, desc: Descriptor, diffId: Digest, mode: SizeMode): Promise<UncompressedLayer> {
  if (desc.mediaType.endsWith('+zstd')) {
    throw new BerthError('UNSUPPORTED', `layer ${desc.digest} is zstd-compressed, which a docker-format archive cannot carry; save with --format oci instead`);
  }
  if (!isGzipLayer(desc.mediaType)) {
    if (desc.digest !== diffId) throw new BerthError('STORE_CORRUPT', `layer ${desc.digest} is stored uncompressed but its config says its diff ID is ${diffId}; the store is damaged (run "berth system check")`);
    return { size: desc.size, chunks: storedBlob(store, desc) };
  }
  if (mode === 'trailer') {
    const size = await trailerSize(store, desc);
    if (size !== undefined) return { size, chunks: exactly(size, inflated(store, desc), desc) };
  }
  let size = 0;
  for await (const chunk of inflated(store, desc)) size += chunk.length;
  return { size, chunks: exactly(size, inflated(store, desc), desc) };
}

/** The ISIZE field of a gzip blob, when it is plausible for the blob's size. */
async function trailerSize(store: Store, desc: Descriptor): Promise<number | undefined> {
  if (desc.size < 20) return undefined;
  let fh;
  try {
    fh = await open(store.blobs.path(desc.digest), 'r');
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, desc.size - 4);
    const isize = buf.readUInt32LE(0);
    // Deflate never shrinks data by more than its block overhead: a smaller ISIZE has wrapped at 4 GiB.
    return isize + 18 + 5 * Math.ceil(desc.size / 16384) < desc.size ? undefined : isize;
  } catch (e) {
    throw storeReadError(desc.digest, e);
  } finally {
    await fh?.close();
  }
}

/** Passes `chunks` on, failing with SIZE_MISMATCH as soon as they are more or fewer than `size` bytes. */
async function* exactly(size: number, chunks: AsyncIterable<Buffer>, desc: Descriptor): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.length;
    if (seen > size) break;
    yield chunk;
  }
  if (seen !== size) {
    throw new BerthError('SIZE_MISMATCH', `layer ${desc.digest} uncompresses to ${seen > size ? 'more' : 'fewer'} than the ${size} bytes announced for it`);
  }
}

async function* inflated(store: Store, desc: Descriptor): AsyncGenerator<Buffer> {
  const gz = gunzipStream();
  const feeding = pipeline(openBlob(store, desc.digest), gz);
  feeding.catch(() => undefined);
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) yield chunk;
    await feeding;
  } catch (e) {
    throw storeReadError(desc.digest, e);
  } finally {
    gz.destroy();
  }
}

function openBlob(store: Store, digest: Digest): Readable {
  return store.blobs.open(digest);
}

function storeReadError(digest: Digest, e: unknown): unknown {
  if (sysCode(e) === 'ENOENT') return new BerthError('STORE_CORRUPT', `blob ${digest} is missing from the store; run "berth system check"`, { cause: e });
  if (sysCode(e)?.startsWith('Z_')) return new BerthError('STORE_CORRUPT', `layer ${digest} in the store is not valid gzip (${(e as Error).message}); run "berth system check"`, { cause: e });
  return e;
}
