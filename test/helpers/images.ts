// Generated images written straight into a store: random layer contents, a real config and manifest.
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/engine/store/store';
import { commitImage } from '../../src/engine/store/images';
import { MediaType, type ImageConfig, type ImageManifest } from '../../src/engine/oci/types';
import { digestOf, type Digest } from '../../src/engine/oci/digest';

/** What {@link addImage} makes. */
export interface GeneratedImage {
  id: Digest;
  manifest: Digest;
  layers: Digest[];
  size: number;
}

/** Stores an image with the given layers (random bytes by default) and config fields, under `tags` (full references). */
export async function addImage(store: Store, options: { tags?: string[]; layers?: Buffer[]; created?: string; labels?: Record<string, string>; history?: ImageConfig['history']; config?: ImageConfig['config'] } = {}): Promise<GeneratedImage> {
  const layers = options.layers ?? [randomBytes(1024 + Math.floor(Math.random() * 1024))];
  const lease = await store.lease();
  try {
    const layerDescs = [];
    for (const l of layers) {
      const w = await store.blobs.put(l, lease);
      layerDescs.push({ mediaType: MediaType.ociLayer, digest: w.digest, size: w.size });
    }
    const config: ImageConfig = {
      created: options.created ?? new Date().toISOString(),
      architecture: 'amd64',
      os: 'linux',
      config: { ...(options.config ?? { Cmd: ['sh'] }), ...(options.labels ? { Labels: options.labels } : {}) },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => digestOf(l)) },
      history: options.history ?? layers.map(() => ({ created: options.created, created_by: '/bin/sh -c #(nop) ADD file:123 in / ' })),
    };
    const configBlob = await store.blobs.put(Buffer.from(JSON.stringify(config)), lease);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: configBlob.digest, size: configBlob.size },
      layers: layerDescs,
    };
    const m = await store.blobs.put(Buffer.from(JSON.stringify(manifest)), lease);
    const size = layerDescs.reduce((n, l) => n + l.size, 0);
    await commitImage(store, { id: configBlob.digest, manifest: { mediaType: MediaType.ociManifest, digest: m.digest, size: m.size }, size, created: config.created }, { tags: options.tags ?? [] });
    return { id: configBlob.digest, manifest: m.digest, layers: layerDescs.map((l) => l.digest), size };
  } finally {
    await lease.release();
  }
}
