/**
 * Writing an image's config and OCI manifest to the store, once its layers are stored: what import
 * and load both end with before they commit the image to the index.
 */
import type { Digest } from '../oci/digest';
import { MediaType, type Descriptor, type ImageManifest } from '../oci/types';
import type { Lease } from '../store/leases';
import type { ImageFacts, Store } from '../store/store';

/** Stores `configBytes` as they are (so the image ID is their digest) and an OCI manifest over `layers`. */
export async function storeConfigAndManifest(store: Store, lease: Lease, configBytes: Uint8Array, layers: Descriptor[], created?: string): Promise<ImageFacts> {
  const config = await store.blobs.put(configBytes, lease);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const m = await store.blobs.put(Buffer.from(JSON.stringify(manifest)), lease);
  return {
    id: config.digest as Digest,
    manifest: { mediaType: MediaType.ociManifest, digest: m.digest, size: m.size },
    size: layers.reduce((n, l) => n + l.size, 0),
    created,
  };
}
