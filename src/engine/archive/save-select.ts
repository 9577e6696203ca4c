/**
 * Which images `docker save NAME...` writes, and under which tags (tarexport `parseNames`): a tag
 * saves that tag, a bare repository saves all of its tags, an ID or digest saves the image untagged.
 * An image named twice is saved once, with the union of its tags.
 */
import { BerthError } from '../errors';
import { digestOf, type Digest } from '../oci/digest';
import { isIndexType, type Descriptor, type ImageConfig, type ImageManifest } from '../oci/types';
import { repositoryOf, tryParseReference } from '../ref/reference';
import { findImage, listImages } from '../store/images';
import type { ImageRecord, Store } from '../store/store';

/** One image to save: its ID, its manifest in the store, and the full references to save it under. */
export interface SaveItem {
  id: Digest;
  manifest: Descriptor;
  tags: string[];
}

/** An image as the store holds it, read for saving. */
export interface StoredImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  configBytes: Buffer;
  config: ImageConfig;
}

/** Resolves the names given to save; throws NOT_FOUND (`No such image: X`) before anything is written. */
export async function selectImages(store: Store, names: readonly string[]): Promise<SaveItem[]> {
  if (names.length === 0) throw new BerthError('INVALID_ARGUMENT', 'no image to save: name at least one image or ID');
  const images = await listImages(store);
  const items = new Map<Digest, SaveItem>();
  const add = (image: ImageRecord, tag?: string): void => {
    let item = items.get(image.id);
    if (!item) {
      item = { id: image.id, manifest: image.manifest, tags: [] };
      items.set(image.id, item);
    }
    if (tag && !item.tags.includes(tag)) item.tags.push(tag);
  };
  for (const name of names) {
    const repo = bareRepository(name);
    const tagged = repo === undefined ? [] : images.flatMap((i) => i.tags.filter((t) => repoOfTag(t) === repo).map((t) => ({ image: i, tag: t })));
    if (tagged.length > 0) {
      for (const t of tagged) add(t.image, t.tag);
      continue;
    }
    const { image, reference } = findImage(images, name);
    add(image, reference && !reference.includes('@') ? reference : undefined);
  }
  return [...items.values()];
}

function bareRepository(name: string): string | undefined {
  if (name.startsWith('sha256:')) return undefined;
  const r = tryParseReference(name);
  return r.ok && r.ref.tag === undefined && r.ref.digest === undefined ? repositoryOf(r.ref) : undefined;
}

function repoOfTag(tag: string): string | undefined {
  const r = tryParseReference(tag);
  return r.ok ? repositoryOf(r.ref) : undefined;
}

/** Reads an image's manifest and config from the store, checking their digests and that they fit together. */
export async function readStoredImage(store: Store, item: SaveItem): Promise<StoredImage> {
  if (isIndexType(item.manifest.mediaType)) {
    throw new BerthError('UNSUPPORTED', `image ${item.id} is a multi-platform index; save one platform's image instead`);
  }
  const manifestBytes = await readVerified(store, item.manifest.digest);
  const manifest = parse<ImageManifest>(manifestBytes, item.manifest.digest);
  const configBytes = await readVerified(store, manifest.config.digest);
  const config = parse<ImageConfig>(configBytes, manifest.config.digest);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new BerthError('STORE_CORRUPT', `image ${item.id} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff IDs; run "berth system check"`);
  }
  return { manifest, manifestBytes, configBytes, config };
}

async function readVerified(store: Store, digest: Digest): Promise<Buffer> {
  const bytes = await store.blobs.read(digest);
  if (digestOf(bytes) !== digest) throw new BerthError('STORE_CORRUPT', `blob ${digest} in the store does not match its digest; the store is damaged (run "berth system check")`);
  return bytes;
}

function parse<T>(bytes: Buffer, digest: Digest): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new BerthError('STORE_CORRUPT', `blob ${digest} in the store is not valid JSON; run "berth system check"`, { cause: e });
  }
}
