/**
 * `docker import`: a root filesystem tarball becomes a one-layer image. The layer is stored as
 * received (gzip stays gzip), and nothing is visible unless the whole tarball was read and was safe.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest';
import type { Platform } from '../oci/types';
import { commitImage } from '../store/images';
import type { Store } from '../store/store';
import { applyChanges } from './changes';
import { storeConfigAndManifest } from './image-blobs';
import { importConfig } from './import-config';
import { hostPlatform } from '../oci/platform';
import { storeRootfsLayer } from './rootfs-layer';

/** Options of {@link importImage}. */
export interface ImportOptions {
  /** The file path, URL or `-` the tarball came from: in messages and in the default history comment. */
  sourceName: string;
  /** The full reference to tag the image with (already normalized), or none for an untagged image. */
  tag?: string;
  /** Dockerfile instructions applied to the config (`-c/--change`), see {@link applyChanges}. */
  changes?: string[];
  /** The history comment (`-m/--message`); `Imported from SOURCE` when empty. */
  message?: string;
  /** The image's platform; this machine's (linux and its architecture) by default. */
  platform?: Platform;
  /** The creation time to record (now by default). */
  now?: Date;
  /** Called with the number of bytes read so far. */
  onProgress?: (bytes: number) => void;
}

/**
 * Imports a root filesystem tarball (plain or gzip, detected by its first bytes) as a new image and
 * tags it. Refuses bad change lines (INVALID_ARGUMENT) before reading anything, and unsafe
 * (UNSAFE_ARCHIVE) or malformed (INVALID_ARCHIVE) tarballs without changing the store.
 */
export async function importImage(store: Store, source: Readable, options: ImportOptions): Promise<{ id: Digest }> {
  const config = applyChanges(options.changes ?? []);
  const lease = await store.lease();
  try {
    const layer = await storeRootfsLayer(store, lease, source, { sourceName: options.sourceName, onProgress: options.onProgress });
    const image = importConfig({
      diffId: layer.diffId,
      platform: options.platform ?? hostPlatform(),
      config,
      comment: options.message || `Imported from ${options.sourceName}`,
      created: options.now ?? new Date(),
    });
    const facts = await storeConfigAndManifest(store, lease, Buffer.from(JSON.stringify(image)), [layer.descriptor], image.created);
    await commitImage(store, facts, { tags: options.tag ? [options.tag] : [] });
    return { id: facts.id };
  } finally {
    await lease.release();
  }
}
