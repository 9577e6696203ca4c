/**
 * The classic `docker save` archive, as `docker load` (20.10 and later) and skopeo's
 * `docker-archive:` read it: `<config hex>.json`, `<diff ID hex>/layer.tar` (uncompressed),
 * `manifest.json` ([{Config, RepoTags, Layers}]) and the legacy `repositories` file.
 * https://github.com/moby/moby/blob/master/image/spec/v1.2.md#combined-image-json--filesystem-changeset-format
 */
import { hexOf, type Digest } from '../oci/digest';
import type { Descriptor } from '../oci/types';
import { familiarRepository, parseReference } from '../ref/reference';
import { familiar } from '../store/images';
import type { Store } from '../store/store';
import { uncompressedLayer, type SizeMode, type UncompressedLayer } from './layer-streams';
import { readStoredImage, type SaveItem } from './save-select';
import type { TarWriter } from './tar-writer';

/** One entry of manifest.json. */
export interface DockerArchiveManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** Writes `items` as a docker-save archive; a layer several images share is written once. */
export async function writeDockerArchive(store: Store, items: readonly SaveItem[], tar: TarWriter, mode: SizeMode): Promise<void> {
  const manifest: DockerArchiveManifest[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const item of items) {
    const image = await readStoredImage(store, item);
    const config = `${hexOf(item.id)}.json`;
    if (!written.has(config)) await tar.addFile(config, image.configBytes);
    written.add(config);
    const diffIds = image.config.rootfs.diff_ids;
    const layers = await writeLayers(store, image.manifest.layers, diffIds, tar, written, mode);
    manifest.push({ Config: config, RepoTags: item.tags.length ? item.tags.map(familiar) : null, Layers: layers });
    const top = diffIds.length ? hexOf(diffIds[diffIds.length - 1]!) : undefined;
    for (const tag of item.tags) {
      const ref = parseReference(tag);
      if (top && ref.tag) (repositories[familiarRepository(ref)] ??= {})[ref.tag] = top;
    }
  }
  await tar.addFile('manifest.json', Buffer.from(JSON.stringify(manifest)));
  if (Object.keys(repositories).length) await tar.addFile('repositories', Buffer.from(JSON.stringify(repositories)));
}

/** Writes the layers not yet written; the next layer is prepared (its size counted) while this one streams. */
async function writeLayers(store: Store, layers: Descriptor[], diffIds: Digest[], tar: TarWriter, written: Set<string>, mode: SizeMode): Promise<string[]> {
  const names = diffIds.map((d) => `${hexOf(d)}/layer.tar`);
  const todo = layers.map((_, i) => i).filter((i, k, all) => !written.has(names[i]!) && all.findIndex((j) => names[j] === names[i]) === k);
  const prepare = (k: number): Promise<UncompressedLayer> | undefined => {
    if (k >= todo.length) return undefined;
    const p = uncompressedLayer(store, layers[todo[k]!]!, diffIds[todo[k]!]!, mode);
    p.catch(() => undefined);
    return p;
  };
  let next = prepare(0);
  for (let k = 0; k < todo.length; k++) {
    const i = todo[k]!;
    const layer = await next!;
    next = prepare(k + 1);
    await tar.addFolder(`${hexOf(diffIds[i]!)}/`);
    await tar.addStream(names[i]!, layer.size, layer.chunks);
    written.add(names[i]!);
  }
  return names;
}
