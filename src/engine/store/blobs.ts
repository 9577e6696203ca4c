/**
 * The content-addressed blobs of a store. A blob is written to a temporary file in `ingest/`, its
 * digest and size are checked, and only then is it renamed to `blobs/sha256/<hex>`: a blob that is
 * visible is always whole and correct.
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, sysCode } from '../errors';
import { Digester, digestOf, hexOf, type Digest } from '../oci/digest';
import type { StoreLayout } from './layout';
import type { Lease } from './leases';
import { isLockHeld } from './lock';

/** What a written blob turned out to be. */
export interface WrittenBlob {
  digest: Digest;
  size: number;
}

/** What a caller expects a blob to be, and how to name it in an error. */
export interface ExpectedBlob {
  digest?: Digest;
  size?: number;
  /** Names the blob in messages, e.g. `layer 2 of docker.io/library/busybox:latest`. */
  what?: string;
}

/** Reads and writes the blobs of one store. */
export class BlobStore {
  constructor(private readonly layout: StoreLayout) {}

  /** The file that holds a blob (it may not exist). */
  path(digest: Digest): string {
    return this.layout.blob(digest);
  }

  /** The size of a stored blob, or undefined when it is not stored. */
  async size(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (e) {
      if (sysCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** True when the blob is stored. */
  async has(digest: Digest): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  /**
   * The bytes of a stored blob. Garbage collection in another process moves each unreferenced blob to
   * the trash before it reads the leases, then puts back the pinned ones: a writer that pinned a blob
   * and saw it stored may find it gone for that moment, so a missing blob is waited for while the trash
   * holds it, and read again.
   */
  async read(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if (sysCode(e) !== 'ENOENT') throw e;
    }
    await this.waitWhileInTrash(digest);
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if (sysCode(e) === 'ENOENT') throw new BerthError('STORE_CORRUPT', `blob ${digest} is missing from the store; run "berth system check"`, { cause: e });
      throw e;
    }
  }

  /**
   * Returns once the trash holds no copy of the blob (the collection has put it back or deleted it), or
   * no live process holds the store lock (a dead collection's trash waits for the next index change).
   */
  private async waitWhileInTrash(digest: Digest, timeoutMs = 60_000): Promise<void> {
    const prefix = `${hexOf(digest)}.`;
    const inTrash = async (): Promise<boolean> => (await readdir(this.layout.trashDir).catch(() => [] as string[])).some((n) => n.startsWith(prefix));
    const start = Date.now();
    let wait = 2;
    while ((await inTrash()) && (await isLockHeld(this.layout.lock)) && Date.now() - start < timeoutMs) {
      await delay(wait);
      wait = Math.min(wait * 2, 50);
    }
  }

  /** A stored blob parsed as JSON. */
  async readJson<T>(digest: Digest): Promise<T> {
    const bytes = await this.read(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (e) {
      throw new BerthError('STORE_CORRUPT', `blob ${digest} is not valid JSON; run "berth system check"`, { cause: e });
    }
  }

  /** A stream of a stored blob's bytes. */
  open(digest: Digest): ReadStream {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /** A fresh temporary file name in ingest/, named after this process so a dead writer's files can be found. */
  async tempPath(): Promise<string> {
    await mkdir(this.layout.ingestDir, { recursive: true });
    return join(this.layout.ingestDir, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  }

  /** Writes bytes as a blob (verified against `expected` when given). */
  async put(bytes: Uint8Array, lease: Lease, expected: ExpectedBlob = {}): Promise<WrittenBlob> {
    const digest = digestOf(bytes);
    check({ digest, size: bytes.length }, expected);
    await lease.pin(digest);
    if (await this.has(digest)) return { digest, size: bytes.length };
    const tmp = await this.tempPath();
    await writeFile(tmp, bytes, { flag: 'wx' });
    await this.commitTemp(tmp, digest);
    return { digest, size: bytes.length };
  }

  /** Writes a stream as a blob; the temporary file is removed if anything fails. */
  async putStream(source: Readable | AsyncIterable<Uint8Array>, lease: Lease, expected: ExpectedBlob = {}): Promise<WrittenBlob> {
    const tmp = await this.tempPath();
    const digester = new Digester();
    const out = createWriteStream(tmp, { flags: 'wx', highWaterMark: 1 << 20 });
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            digester.update(chunk);
            yield chunk;
          }
        },
        out,
      );
      const written = { digest: digester.digest(), size: digester.size };
      check(written, expected);
      await lease.pin(written.digest);
      await this.commitTemp(tmp, written.digest);
      return written;
    } catch (e) {
      // A source that fails at once may do so before the file is even open: unlinking then would miss it.
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  /** Moves a verified temporary file into place (or drops it when the blob is already stored). */
  async commitTemp(tmp: string, digest: Digest): Promise<void> {
    if (await this.has(digest)) {
      await unlink(tmp).catch(() => undefined);
      return;
    }
    await mkdir(this.layout.blobsDir, { recursive: true });
    await rename(tmp, this.path(digest));
  }
}

/** Throws when a written blob is not what was expected. */
export function check(actual: WrittenBlob, expected: ExpectedBlob): void {
  const what = expected.what ?? 'blob';
  if (expected.size !== undefined && actual.size !== expected.size) {
    throw new BerthError('SIZE_MISMATCH', `${what}: expected ${expected.size} bytes but got ${actual.size}; the source is truncated or lies about its size`);
  }
  if (expected.digest !== undefined && actual.digest !== expected.digest) {
    throw new BerthError('DIGEST_MISMATCH', `${what}: content has digest ${actual.digest}, but ${expected.digest} was expected; the source is corrupt`);
  }
}
