/**
 * Image-level operations on the local store with Docker's semantics: find an image by reference or
 * ID, tag, remove (untag or delete), prune, and record a new image.
 */
import { BerthError } from '../errors';
import { shortId, type Digest } from '../oci/digest';
import { Annotation, type Descriptor } from '../oci/types';
import { familiarString, formatReference, parseReference, tryParseReference, withDefaultTag } from '../ref/reference';
export { normalizeName } from './store';
import { idOf, refNameOf, removeImageEntries, removeReference, repoDigestOf, setImage } from './entries';
import { groupImages, type ImageFacts, type ImageRecord, type Store } from './store';

/** How an image was found: by one of its references, or by its ID. */
export interface ResolvedImage {
  image: ImageRecord;
  /** The full reference given, when the image was named by tag or digest. */
  reference?: string;
}


/** The familiar form Docker prints (`busybox:latest`), or the name as stored when it does not parse. */
export function familiar(name: string): string {
  const r = tryParseReference(name);
  return r.ok ? familiarString(r.ref) : name;
}

const HEX_RE = /^[a-f0-9]{1,64}$/;

/** Finds the image that `nameOrId` names: a reference first, then a full ID, then a unique ID prefix. */
export function findImage(images: ImageRecord[], nameOrId: string): ResolvedImage {
  const id = nameOrId.startsWith('sha256:') ? nameOrId.slice(7) : nameOrId;
  if (/^[a-f0-9]{64}$/.test(id)) {
    const image = images.find((i) => i.id === `sha256:${id}`);
    if (image) return { image };
    throw noSuchImage(nameOrId);
  }
  const parsed = nameOrId.startsWith('sha256:') ? undefined : tryParseReference(nameOrId);
  if (parsed?.ok) {
    const full = formatReference(withDefaultTag(parsed.ref));
    const image = images.find((i) => i.tags.includes(full) || i.repoDigests.includes(full));
    if (image) return { image, reference: full };
  }
  if (HEX_RE.test(id)) {
    const matches = images.filter((i) => i.id.startsWith(`sha256:${id}`));
    if (matches.length === 1) return { image: matches[0]! };
    if (matches.length > 1) {
      throw new BerthError('AMBIGUOUS', `ambiguous image ID prefix "${nameOrId}": it matches ${matches.length} images (${matches.map((m) => shortId(m.id)).join(', ')}); give more characters of the ID`);
    }
  }
  if (parsed && !parsed.ok && !HEX_RE.test(id)) throw new BerthError('INVALID_REFERENCE', parsed.message);
  throw noSuchImage(nameOrId);
}

function noSuchImage(name: string): BerthError {
  return new BerthError('NOT_FOUND', `No such image: ${name}`);
}

/** Looks an image up in the store (see {@link findImage}). */
export async function resolveImage(store: Store, nameOrId: string): Promise<ResolvedImage> {
  return findImage(await listImages(store), nameOrId);
}

/** Every image in the store (names in normal form). */
export async function listImages(store: Store): Promise<ImageRecord[]> {
  return store.images();
}

/** Facts of an existing image, for retagging it. */
function factsOfRecord(image: ImageRecord): ImageFacts {
  return { id: image.id, manifest: image.manifest, size: image.size, created: image.created };
}

/** `berth tag SOURCE TARGET`: points TARGET (a tag; `latest` when none) at SOURCE's image. */
export async function tagImage(store: Store, source: string, target: string): Promise<string> {
  const ref = parseReference(target);
  if (ref.digest) throw new BerthError('INVALID_REFERENCE', `refusing to create a tag with a digest reference: ${target}`);
  const full = formatReference(withDefaultTag(ref));
  await store.update(async (entries) => {
    const { image } = findImage(await imagesOf(entries), source);
    return { entries: setImage(entries, factsOfRecord(image), { tags: [full] }), result: undefined };
  });
  return full;
}

/** Records a new image: its blobs must already be stored under `lease`. Tags move from older images. */
export async function commitImage(store: Store, facts: ImageFacts, options: { tags?: string[]; repoDigests?: string[] } = {}): Promise<void> {
  await store.update((entries) => ({ entries: setImage(entries, facts, { tags: options.tags, repoDigests: options.repoDigests }), result: undefined }));
}

/** One line of `rmi` or `image prune` output. */
export type RemoveEvent = { untagged: string } | { deleted: Digest };

/** Options of {@link removeImages}. */
export interface RemoveOptions {
  force?: boolean;
}

function entriesOfImage(entries: Descriptor[], id: Digest): Descriptor[] {
  return entries.filter((e) => idOf(e) === id);
}

function repoOf(name: string): string {
  const r = tryParseReference(name);
  if (!r.ok) return name;
  return `${r.ref.domain}/${r.ref.path}`;
}

/**
 * Removes one image argument as `docker rmi` does: a tag of an image with other tags is only untagged;
 * the last tag, or an ID, deletes the image; an ID of an image in several repositories needs `force`.
 */
function planRemoval(entries: Descriptor[], images: ImageRecord[], name: string, options: RemoveOptions): { entries: Descriptor[]; events: RemoveEvent[] } {
  const { image, reference } = findImage(images, name);
  const events: RemoveEvent[] = [];
  const mine = entriesOfImage(entries, image.id);
  if (reference) {
    let out = removeReference(entries, reference);
    events.push({ untagged: familiar(reference) });
    const left = entriesOfImage(out, image.id);
    const repo = repoOf(reference);
    if (!reference.includes('@') && !left.some((e) => refNameOf(e) !== undefined && repoOf(refNameOf(e)!) === repo)) {
      for (const e of left) {
        const rd = repoDigestOf(e);
        if (rd && repoOf(rd) === repo) {
          out = removeReference(out, rd);
          events.push({ untagged: familiar(rd) });
        }
      }
    }
    if (entriesOfImage(out, image.id).some((e) => refNameOf(e) !== undefined || repoDigestOf(e) !== undefined)) return { entries: out, events };
    return { entries: removeImageEntries(out, image.id), events: [...events, { deleted: image.id }] };
  }
  const names = mine.map((e) => refNameOf(e) ?? repoDigestOf(e)).filter((n): n is string => n !== undefined);
  const tagCount = mine.filter((e) => refNameOf(e) !== undefined).length;
  // Docker's isSingleReference: at most one tag, and every reference in one repository.
  const single = tagCount <= 1 && new Set(names.map(repoOf)).size <= 1;
  if (!options.force && !single) {
    throw new BerthError('CONFLICT', `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
  }
  for (const n of names) events.push({ untagged: familiar(n) });
  return { entries: removeImageEntries(entries, image.id), events: [...events, { deleted: image.id }] };
}

/** `berth rmi`: removes each image in turn; returns what happened and the errors of those that failed. */
export async function removeImages(store: Store, names: string[], options: RemoveOptions = {}): Promise<{ events: RemoveEvent[]; deletedBlobs: { digest: Digest; size: number }[]; errors: BerthError[] }> {
  const errors: BerthError[] = [];
  const { result: events, deleted } = await store.update(async (entries) => {
    let current = entries;
    const all: RemoveEvent[] = [];
    for (const name of names) {
      try {
        const images = await imagesOf(current);
        const plan = planRemoval(current, images, name, options);
        current = plan.entries;
        all.push(...plan.events);
      } catch (e) {
        if (e instanceof BerthError) errors.push(e);
        else throw e;
      }
    }
    return { entries: current, result: all };
  }, { gc: true });
  return { events, deletedBlobs: deleted, errors };
}

/** Images as listed from entries already adopted (each carries its ID, names in normal form). */
export async function imagesOf(entries: Descriptor[]): Promise<ImageRecord[]> {
  return groupImages(entries, async (d) => {
    const id = idOf(d);
    const a = d.annotations ?? {};
    return id ? { id, manifest: d, size: Number(a[Annotation.imageSize] ?? 0), created: a[Annotation.created] } : undefined;
  });
}

/** Options of {@link pruneImages}. */
export interface PruneOptions {
  /** Remove every image, not only untagged ones (`-a`; Berth runs no containers that could use them). */
  all?: boolean;
  /** Only images for which this returns true are removed (the `until` and `label` filters). */
  select?: (image: ImageRecord) => Promise<boolean> | boolean;
}

/** `berth image prune`: removes untagged images (all with `all`) and the blobs only they used. */
export async function pruneImages(store: Store, options: PruneOptions = {}): Promise<{ events: RemoveEvent[]; reclaimed: number }> {
  const { result: events, deleted } = await store.update(async (entries) => {
    const images = await imagesOf(entries);
    let out = entries;
    const ev: RemoveEvent[] = [];
    for (const image of images) {
      // Without -a only dangling images go; a build's cached steps are not dangling (Docker: they have children).
      if (!options.all && (image.tags.length > 0 || image.intermediate)) continue;
      if (options.select && !(await options.select(image))) continue;
      for (const n of [...image.tags, ...image.repoDigests]) ev.push({ untagged: familiar(n) });
      ev.push({ deleted: image.id });
      out = removeImageEntries(out, image.id);
    }
    return { entries: out, result: ev };
  }, { gc: true });
  return { events, reclaimed: deleted.reduce((n, d) => n + d.size, 0) };
}
