/**
 * Pure changes to the list of index entries: set tags, remove a tag, remove an image. Each keeps the
 * rule that every image in the store has at least one entry (an untagged image keeps a bare one, and
 * shows as `<none>`), and that a tag names one image only.
 */
import type { Digest } from '../oci/digest';
import { Annotation, type Descriptor } from '../oci/types';
import { entryFor, type ImageFacts } from './store';

/** The image ID an entry caches (entries written by Berth always carry it). */
export function idOf(e: Descriptor): Digest | undefined {
  return e.annotations?.[Annotation.imageId] as Digest | undefined;
}

/** The full reference of a tag entry. */
export function refNameOf(e: Descriptor): string | undefined {
  return e.annotations?.[Annotation.refName];
}

/** The digest reference of a repo-digest entry. */
export function repoDigestOf(e: Descriptor): string | undefined {
  return e.annotations?.[Annotation.repoDigest];
}

function sameImage(e: Descriptor, id: Digest, manifest: Digest): boolean {
  const eid = idOf(e);
  return eid !== undefined ? eid === id : e.digest === manifest;
}

function bare(e: Descriptor): Descriptor {
  const annotations = { ...(e.annotations ?? {}) };
  delete annotations[Annotation.refName];
  delete annotations[Annotation.repoDigest];
  delete annotations[Annotation.tagTime];
  return { ...e, annotations };
}

function isBare(e: Descriptor): boolean {
  return refNameOf(e) === undefined && repoDigestOf(e) === undefined;
}

/** Keeps one bare entry for each image that lost all its entries among `removed`. */
function keepDisplaced(entries: Descriptor[], removed: Descriptor[]): Descriptor[] {
  const out = [...entries];
  for (const r of removed) {
    const id = idOf(r);
    if (!out.some((e) => (id !== undefined ? idOf(e) === id : e.digest === r.digest))) out.push(bare(r));
  }
  return out;
}

/** What {@link setImage} records. */
export interface SetImageOptions {
  /** Full references to point at the image (moved from other images when they had them). */
  tags?: string[];
  /** Digest references the image is known by. */
  repoDigests?: string[];
  /** The time to record as the tags' LastTagTime. */
  now?: Date;
}

/** Adds an image to the entries, or retags it; images that lose their last tag stay, untagged. */
export function setImage(entries: Descriptor[], facts: ImageFacts, options: SetImageOptions = {}): Descriptor[] {
  const tags = options.tags ?? [];
  const repoDigests = options.repoDigests ?? [];
  const now = (options.now ?? new Date()).toISOString();
  const removed: Descriptor[] = [];
  let out = entries.filter((e) => {
    const name = refNameOf(e);
    const rd = repoDigestOf(e);
    const drop = (name !== undefined && tags.includes(name)) || (rd !== undefined && repoDigests.includes(rd) && sameImage(e, facts.id, facts.manifest.digest));
    if (drop) removed.push(e);
    return !drop;
  });
  for (const t of tags) out.push(entryFor(facts, { [Annotation.refName]: t, [Annotation.tagTime]: now }));
  for (const rd of repoDigests) out.push(entryFor(facts, { [Annotation.repoDigest]: rd }));
  const mine = out.filter((e) => sameImage(e, facts.id, facts.manifest.digest));
  if (mine.length === 0) out.push(entryFor(facts, {}));
  else if (mine.some((e) => !isBare(e))) out = out.filter((e) => !(sameImage(e, facts.id, facts.manifest.digest) && isBare(e)));
  return keepDisplaced(out, removed.filter((e) => !sameImage(e, facts.id, facts.manifest.digest)));
}

/** Removes the entries whose tag or repo digest is `ref`; the image itself stays only if other entries name it. */
export function removeReference(entries: Descriptor[], ref: string): Descriptor[] {
  return entries.filter((e) => refNameOf(e) !== ref && repoDigestOf(e) !== ref);
}

/** Removes every entry of an image. */
export function removeImageEntries(entries: Descriptor[], id: Digest): Descriptor[] {
  return entries.filter((e) => idOf(e) !== id);
}
