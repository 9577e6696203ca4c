/**
 * The build cache: each step's result is an image in the store (an "intermediate image", as Docker's
 * legacy builder keeps them), found again by a key made of the step's inputs: the parent image, the
 * instruction, and for COPY/ADD the digest of what it reads.
 *
 * Intermediate images are ordinary index entries marked `dev.berth.build.intermediate`, so garbage
 * collection keeps their blobs with no extra machinery; `berth images` hides them unless `-a`, as Docker
 * does. The key -> image map is `build-cache.json` in the store, replaced by rename under the store lock.
 * A key whose image was removed is simply a miss.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sysCode } from '../errors';
import type { Digest } from '../oci/digest';
import { Annotation, type Descriptor } from '../oci/types';
import { idOf, refNameOf, repoDigestOf } from '../store/entries';
import { entryFor, type ImageFacts, type Store } from '../store/store';

const INTERMEDIATE = Annotation.intermediate;

const FILE = 'build-cache.json';

interface CacheFile {
  version: 1;
  /** key -> image ID */
  steps: Record<string, Digest>;
  /** The parents (image IDs) of cached steps: a step whose parent is not here cannot hit. */
  parents?: string[];
}

/** What the cache holds. */
export interface CacheIndex {
  steps: Map<string, Digest>;
  parents: Set<string>;
}

/** The cache key of a step: a digest of its inputs, in order. */
export function stepKey(parts: readonly unknown[]): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/** Reads the cache (empty when there is none yet). */
export async function readCache(store: Store): Promise<CacheIndex> {
  try {
    const parsed = JSON.parse(await readFile(join(store.root, FILE), 'utf8')) as Partial<CacheFile>;
    return { steps: new Map(Object.entries(parsed.steps ?? {})), parents: new Set(parsed.parents ?? []) };
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || e instanceof SyntaxError) return { steps: new Map(), parents: new Set() };
    throw e;
  }
}

/** A step result to record. */
export interface CachedStep {
  key?: string;
  /** The step's parent (an image ID, or `scratch:PLATFORM`). */
  parent?: string;
  facts: ImageFacts;
}

/**
 * Records step results under the store lock: each image gets an intermediate entry unless it already
 * has one, and its key is written to the map. `final`, when given, is tagged with `tags` (or left as a
 * dangling image when there are none). Keys of images no longer in the store are dropped.
 */
export async function recordSteps(store: Store, steps: CachedStep[], final?: { facts: ImageFacts; tags: string[] }): Promise<void> {
  await store.update(async (entries) => {
    let out = [...entries];
    const has = (id: Digest): boolean => out.some((e) => idOf(e) === id);
    for (const s of steps) {
      if (final && s.facts.id === final.facts.id) continue;
      if (!has(s.facts.id)) out.push(entryFor(s.facts, { [INTERMEDIATE]: 'true' }));
    }
    if (final) out = setFinal(out, final.facts, final.tags);
    const cache = await readCache(store);
    for (const s of steps) {
      if (s.key) cache.steps.set(s.key, s.facts.id);
      if (s.key && s.parent) cache.parents.add(s.parent);
    }
    const live = new Set<string>(out.map((e) => idOf(e)).filter((x): x is Digest => x !== undefined));
    const kept: Record<string, Digest> = {};
    for (const [k, v] of cache.steps) if (live.has(v)) kept[k] = v;
    const parents = [...cache.parents].filter((p) => !p.startsWith('sha256:') || live.has(p));
    const file = join(store.root, FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, steps: kept, parents } satisfies CacheFile));
    await rename(tmp, file);
    return { entries: out, result: undefined };
  });
}

/** The built image: tags moved to it; untagged, a plain (dangling) entry instead of an intermediate one. */
function setFinal(entries: Descriptor[], facts: ImageFacts, tags: string[]): Descriptor[] {
  const now = new Date().toISOString();
  const removed = new Set(tags);
  let out = entries.filter((e) => !(refNameOf(e) !== undefined && removed.has(refNameOf(e)!)));
  const displaced = entries.filter((e) => refNameOf(e) !== undefined && removed.has(refNameOf(e)!) && idOf(e) !== facts.id);
  // an image that lost its last tag stays, untagged
  for (const d of displaced) {
    const id = idOf(d);
    if (!out.some((e) => idOf(e) === id)) {
      const a = { ...(d.annotations ?? {}) };
      delete a[Annotation.refName];
      delete a[Annotation.tagTime];
      out.push({ ...d, annotations: a });
    }
  }
  const mine = (e: Descriptor): boolean => idOf(e) === facts.id;
  const bare = (e: Descriptor): boolean => refNameOf(e) === undefined && repoDigestOf(e) === undefined;
  if (tags.length > 0) {
    out = out.filter((e) => !(mine(e) && bare(e)));
    for (const t of tags) out.push(entryFor(facts, { [Annotation.refName]: t, [Annotation.tagTime]: now }));
  } else if (!out.some((e) => mine(e) && !bare(e))) {
    out = out.filter((e) => !(mine(e) && bare(e)));
    out.push(entryFor(facts, {}));
  }
  return out;
}

/** True when an entry marks an intermediate image. */
export function isIntermediateEntry(e: Descriptor): boolean {
  return e.annotations?.[INTERMEDIATE] === 'true' && refNameOf(e) === undefined && repoDigestOf(e) === undefined;
}
