/**
 * An OCI image layout in a tar (image-spec image-layout.md), as `docker save` 25+ and containerd
 * write it: `oci-layout`, `index.json` with one entry per tag, and every blob as stored. Each tagged
 * entry carries the full reference both as `org.opencontainers.image.ref.name` and as
 * `io.containerd.image.name`; an image saved by ID has an entry without names.
 */
import { hexOf } from '../oci/digest';
import { Annotation, MediaType, type Descriptor, type ImageIndex } from '../oci/types';
import type { Store } from '../store/store';
import { storedBlob } from './layer-streams';
import { readStoredImage, type SaveItem } from './save-select';
import type { TarWriter } from './tar-writer';

/** The annotation containerd and Docker 25+ put the full image name in. */
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

/** Writes `items` as an OCI archive; a blob several images share is written once. Manifests and configs are verified (see readStoredImage). */
export async function writeOciArchive(store: Store, items: readonly SaveItem[], tar: TarWriter): Promise<void> {
  const entries: Descriptor[] = [];
  const blobs = new Map<string, Descriptor>();
  const small = new Map<string, Buffer>();
  for (const item of items) {
    const image = await readStoredImage(store, item);
    small.set(item.manifest.digest, image.manifestBytes);
    small.set(image.manifest.config.digest, image.configBytes);
    const manifest: Descriptor = { mediaType: item.manifest.mediaType, digest: item.manifest.digest, size: item.manifest.size };
    for (const d of [manifest, image.manifest.config, ...image.manifest.layers]) if (!blobs.has(d.digest)) blobs.set(d.digest, d);
    if (item.tags.length === 0) entries.push(manifest);
    for (const tag of item.tags) entries.push({ ...manifest, annotations: { [Annotation.refName]: tag, [CONTAINERD_IMAGE_NAME]: tag } });
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries };
  await tar.addFile('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  await tar.addFile('index.json', Buffer.from(JSON.stringify(index)));
  await tar.addFolder('blobs/');
  await tar.addFolder('blobs/sha256/');
  for (const d of blobs.values()) {
    const name = `blobs/sha256/${hexOf(d.digest)}`;
    if (small.has(d.digest)) await tar.addFile(name, small.get(d.digest)!);
    else await tar.addStream(name, d.size, storedBlob(store, d));
  }
}
