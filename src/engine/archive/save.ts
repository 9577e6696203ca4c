/**
 * `docker save`: images from the store written as one tar, in Docker's classic format or as an OCI
 * layout. Names are resolved before anything is written; blobs stream from the store (a layer is
 * never held in memory) with their sizes checked as they go, and configs and manifests are checked
 * against their digests (see layer-streams.ts for why layers are not rehashed).
 */
import { rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { BerthError, isBerthError, sysCode } from '../errors';
import type { ImageManifest } from '../oci/types';
import type { Store } from '../store/store';
import { CHUNK } from './compression';
import type { SizeMode } from './layer-streams';
import { writeDockerArchive } from './save-docker';
import { writeOciArchive } from './save-oci';
import { selectImages, type SaveItem } from './save-select';
import { SequentialFile } from '../store/sequential-file';
import { flushed } from './streams';
import { TarWriter } from './tar-writer';

/** The archive formats `save` writes: Docker's classic one, or an OCI image layout. */
export type SaveFormat = 'docker' | 'oci';

/** Options of {@link saveImages}. */
export interface SaveOptions {
  format: SaveFormat;
  /** Called with the number of archive bytes written so far. */
  onProgress?: (bytes: number) => void;
}

/**
 * Writes the named images (tags, repositories, IDs; see {@link selectImages}) to `out` as a tar.
 * Resolves when every byte is flushed to `out`, which is left open for the caller to end.
 */
export async function saveImages(store: Store, names: readonly string[], out: Writable, options: SaveOptions): Promise<void> {
  await writeArchive(store, await selectImages(store, names), out, options, 'count');
}

/**
 * Saves to a file: the archive is written to a temporary file beside `path` and renamed into place
 * only when complete, so a half-written archive is never visible; on failure the temporary file is
 * removed. Gzip layers are sized from their gzip trailer; when a trailer proves wrong (a layer over
 * 4 GiB, or several gzip members), the archive is written again with sizes counted.
 */
export async function saveToFile(store: Store, names: readonly string[], path: string, options: SaveOptions): Promise<void> {
  const items = await selectImages(store, names);
  try {
    await writeFile(store, items, path, options, 'trailer');
  } catch (e) {
    if (!isBerthError(e, 'SIZE_MISMATCH')) throw e;
    await writeFile(store, items, path, options, 'count');
  }
}

async function writeFile(store: Store, items: SaveItem[], path: string, options: SaveOptions, mode: SizeMode): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let file: SequentialFile;
  try {
    file = await SequentialFile.create(tmp);
  } catch (e) {
    throw new BerthError('IO', `cannot write ${path}: ${openProblem(e, dirname(path))}`, { cause: e });
  }
  const out = new Writable({
    highWaterMark: CHUNK,
    write: (chunk: Buffer, _encoding, done) => void file.write(chunk).then(() => done(), done),
  });
  out.on('error', () => undefined);
  try {
    await writeArchive(store, items, out, options, mode).catch((e: unknown) => {
      throw isBerthError(e) ? e : new BerthError('IO', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
    });
    await file.close();
    await rename(tmp, path);
  } catch (e) {
    out.destroy();
    await file.abort();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

async function writeArchive(store: Store, items: SaveItem[], out: Writable, options: SaveOptions, mode: SizeMode): Promise<void> {
  const lease = await store.lease();
  const tar = new TarWriter(out, options.onProgress);
  try {
    for (const item of items) {
      const m = await store.blobs.readJson<ImageManifest>(item.manifest.digest);
      await lease.pin(item.manifest.digest, m.config.digest, ...m.layers.map((l) => l.digest));
    }
    if (options.format === 'oci') await writeOciArchive(store, items, tar);
    else await writeDockerArchive(store, items, tar, mode);
    await tar.finish();
    await flushed(out);
  } catch (e) {
    await tar.abort(e);
    throw e;
  } finally {
    await lease.release();
  }
}

function openProblem(e: unknown, folder: string): string {
  switch (sysCode(e)) {
    case 'ENOENT':
      return `the folder ${folder} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${folder}`;
    case 'EROFS':
      return `${folder} is on a read-only file system`;
    default:
      return (e as Error).message;
  }
}
