/**
 * `rmi` and `image prune` on the engine. `rmi` is `DELETE /images/{name}` per argument, the engine's
 * Untagged/Deleted answers as Berth's RemoveEvents. Prune chooses its images as the bundled engine does
 * (untagged ones, or all with `-a`, then the caller's `until`/`label` test, which the API's own prune
 * cannot take), deletes them newest first so children go before their parents, leaves those a container
 * still uses (the engine refuses), and reports the bytes the engine's layers shrank by.
 */
import type { Digest } from '../oci/digest';
import { isBerthError } from '../errors';
import type { ImageRecord } from '../store/store';
import { familiar, type PruneOptions, type RemoveEvent } from '../store/images';
import { namePath, type DockerClient } from './client';

type DeleteAnswer = { Untagged?: string; Deleted?: string }[];

async function deleteImage(client: DockerClient, name: string, force: boolean): Promise<RemoveEvent[]> {
  const answer = await client.json<DeleteAnswer>('DELETE', `/images/${namePath(name)}`, { query: { force: force ? 1 : undefined }, what: `removing "${name}"` });
  return (answer ?? []).flatMap((a): RemoveEvent[] => (a.Untagged ? [{ untagged: a.Untagged }] : a.Deleted ? [{ deleted: a.Deleted as Digest }] : []));
}

/** `docker rmi`: every name in turn; the failures are returned, the others still removed. */
export async function engineRemove(client: DockerClient, names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }> {
  const events: RemoveEvent[] = [];
  const errors: Error[] = [];
  for (const name of names) {
    try {
      events.push(...(await deleteImage(client, name, Boolean(options.force))));
    } catch (e) {
      errors.push(e as Error);
    }
  }
  return { events, errors };
}

async function layersSize(client: DockerClient): Promise<number> {
  return (await client.json<{ LayersSize: number }>('GET', '/system/df', { what: 'asking the engine its disk usage' })).LayersSize;
}

/** `docker image prune [-a]` over `images` (the engine's list). */
export async function enginePrune(client: DockerClient, images: ImageRecord[], options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }> {
  const chosen: ImageRecord[] = [];
  for (const image of images) {
    if (!options.all && (image.tags.length > 0 || image.intermediate)) continue;
    if (options.select && !(await options.select(image))) continue;
    chosen.push(image);
  }
  if (!chosen.length) return { events: [], reclaimed: 0 };
  chosen.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  const before = await layersSize(client);
  const events: RemoveEvent[] = [];
  for (const image of chosen) {
    try {
      for (const tag of image.tags) events.push(...(await deleteImage(client, familiar(tag), false)));
      if (!events.some((e) => 'deleted' in e && e.deleted === image.id)) events.push(...(await deleteImage(client, image.id, false)));
    } catch (e) {
      // In use by a container, or gone with a child already: the engine's prune leaves these too.
      if (!isBerthError(e, 'CONFLICT', 'NOT_FOUND')) throw e;
    }
  }
  return { events, reclaimed: Math.max(0, before - (await layersSize(client))) };
}
