/**
 * `docker load`: images from an archive (a `docker save` archive, skopeo's `docker-archive:` or
 * `oci-archive:`, Docker 25's combined layout; whole-archive gzip accepted) into the store. The
 * archive is read once, as a stream; every layer and config is verified before anything is
 * committed, configs are kept byte for byte (so image IDs stay), and images are stored with OCI manifests.
 */
import type { Readable } from 'node:stream';
import { BerthError, sysCode } from '../errors';
import type { Digest } from '../oci/digest';
import { commitImage, familiar } from '../store/images';
import type { Store } from '../store/store';
import { ArchiveFiles } from './archive-files';
import { ExpansionGuard, MAGIC_BYTES, detectCompression, gunzipStream } from './compression';
import { storeConfigAndManifest } from './image-blobs';
import { planDockerArchive } from './load-docker';
import { planOciArchive } from './load-oci';
import type { PlannedImage } from './load-plan';
import { peekStream, writeTo } from './streams';
import { tarEntries } from './tar-entries';

/** Options of {@link loadImages}. */
export interface LoadOptions {
  /** Names the archive in messages (a path, or `-` for standard input). */
  sourceName: string;
  /** Called with the number of archive bytes read so far. */
  onProgress?: (bytes: number) => void;
}

/** One loaded image: `Loaded image: busybox:latest` (with `tag`) or `Loaded image ID: sha256:...`. */
export interface LoadedImage {
  /** The tag in Docker's familiar form. */
  tag?: string;
  id: Digest;
}

/** What {@link loadImages} loaded, in archive order. */
export interface LoadResult {
  loaded: LoadedImage[];
}

/** Loads every image of the archive; nothing is committed unless the whole archive verified. */
export async function loadImages(store: Store, input: Readable | AsyncIterable<Uint8Array>, options: LoadOptions): Promise<LoadResult> {
  const source = options.sourceName;
  const files = new ArchiveFiles(store, source);
  try {
    await readArchive(files, input, options);
    const plans = await planArchive(files, source);
    return { loaded: await commitPlans(store, files, plans) };
  } finally {
    await files.dispose();
  }
}

async function readArchive(files: ArchiveFiles, input: Readable | AsyncIterable<Uint8Array>, options: LoadOptions): Promise<void> {
  const source = options.sourceName;
  const { head, chunks } = await peekStream(input, MAGIC_BYTES);
  if (head.length === 0) throw new BerthError('INVALID_ARCHIVE', `${source} is empty: expected an image archive (docker save or OCI layout)`);
  const compression = detectCompression(head);
  if (compression !== 'none' && compression !== 'gzip') {
    if ('destroy' in input && typeof input.destroy === 'function') input.destroy();
    throw new BerthError('UNSUPPORTED', `${source} is ${compression}-compressed; Berth loads plain or gzip-compressed archives: decompress it first`);
  }
  let read = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      read += chunk.length;
      options.onProgress?.(read);
      yield chunk;
    }
  }
  const tar = compression === 'gzip' ? inflate(counted(), source) : counted();
  for await (const entry of tarEntries(tar, source)) await files.add(entry);
}

/** The archive inflated; the whole archive lands on disk, so a gzip bomb is stopped (see {@link ExpansionGuard}). */
async function* inflate(chunks: AsyncIterable<Buffer>, source: string): AsyncGenerator<Buffer> {
  const gz = gunzipStream();
  const guard = new ExpansionGuard(source);
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        guard.took(chunk.length);
        await writeTo(gz, chunk);
      }
      gz.end();
    } catch (e) {
      gz.destroy(e as Error);
    }
  })();
  try {
    for await (const chunk of gz as AsyncIterable<Buffer>) {
      guard.gave(chunk.length);
      yield chunk;
    }
    await feeding;
  } catch (e) {
    if (sysCode(e)?.startsWith('Z_')) throw new BerthError('INVALID_ARCHIVE', `${source} is not a valid gzip-compressed archive: ${(e as Error).message}`, { cause: e });
    throw e;
  } finally {
    gz.destroy();
  }
}

async function planArchive(files: ArchiveFiles, source: string): Promise<PlannedImage[]> {
  for (const f of files.all()) {
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(f.name);
    if (m && f.digest !== `sha256:${m[1]}`) {
      throw new BerthError('DIGEST_MISMATCH', `${source}: ${f.name} has digest ${f.digest}, not the one its name says; the archive is damaged`);
    }
  }
  if (files.resolve('manifest.json')) return planDockerArchive(files, source);
  if (files.resolve('index.json')) return planOciArchive(files, source);
  throw new BerthError('INVALID_ARCHIVE', `${source} contains neither manifest.json nor index.json: not an image archive (make one with "berth save" or "docker save")`);
}

async function commitPlans(store: Store, files: ArchiveFiles, plans: PlannedImage[]): Promise<LoadedImage[]> {
  const lease = await store.lease();
  try {
    const loaded: LoadedImage[] = [];
    for (const plan of plans) {
      for (const l of plan.layers) await files.commitBlob(l.file, lease);
      const layers = plan.layers.map((l) => ({ mediaType: l.mediaType, digest: l.file.digest, size: l.file.size }));
      const facts = await storeConfigAndManifest(store, lease, plan.configBytes, layers, plan.created);
      await commitImage(store, facts, { tags: plan.tags });
      if (plan.tags.length === 0) loaded.push({ id: facts.id });
      for (const t of plan.tags) loaded.push({ tag: familiar(t), id: facts.id });
    }
    return loaded;
  } finally {
    await lease.release();
  }
}
