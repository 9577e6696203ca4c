/**
 * The local store as the language server sees it: read-only, for hover and completion on FROM. The
 * index is read again only when index.json changes (one stat per request), so a store of thousands of
 * tags costs one read, and a tag made in a terminal shows up at the next request.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageFacts, ImageSource } from '../dockerfile/features/types';
import type { ImageRecord } from '../engine/store/store';
import { findImage, imagesOf } from '../engine/store/images';
import { readIndexFile } from '../engine/store/index-file';
import { familiarString, tryParseReference } from '../engine/ref/reference';

/** An image source over the store at `root`; a missing store has no images (the server never creates one). */
export function storeImages(root: string): ImageSource {
  let cached: { mtimeMs: number; images: ImageRecord[]; names: string[] } | undefined;
  const load = async (): Promise<{ images: ImageRecord[]; names: string[] }> => {
    const index = join(root, 'index.json');
    if (!existsSync(index)) return { images: [], names: [] };
    const mtimeMs = statSync(index).mtimeMs;
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const images = (await imagesOf(await readIndexFile(index))).filter((i) => !i.intermediate);
    const names: string[] = [];
    for (const i of images) {
      for (const t of i.tags) {
        const r = tryParseReference(t);
        if (r.ok) names.push(familiarString(r.ref));
      }
    }
    cached = { mtimeMs, images, names: names.sort() };
    return cached;
  };
  return {
    async lookup(reference: string): Promise<ImageFacts | undefined> {
      const { images } = await load();
      try {
        const { image } = findImage(images, reference);
        const facts: ImageFacts = { id: image.id, size: image.size };
        if (image.created) facts.created = image.created;
        if (image.repoDigests[0]) facts.digest = image.repoDigests[0];
        return facts;
      } catch {
        return undefined;
      }
    },
    async names(): Promise<string[]> {
      return (await load()).names;
    },
  };
}
