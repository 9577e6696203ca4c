/**
 * `berth system check`: verifies every blob against its digest and every index entry against the
 * blobs it references; `berth system df`: the logical size of images against the space really used.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Digester, isDigest, type Digest } from '../oci/digest';
import { Annotation, isIndexType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';
import { isProcessAlive } from './lock';
import type { Store } from './store';

/** One thing wrong in a store. */
export interface Problem {
  /** What is affected: a blob digest, a reference, or a file. */
  subject: string;
  message: string;
}

/** The result of a check. */
export interface CheckReport {
  images: number;
  blobs: number;
  bytes: number;
  problems: Problem[];
  /** Temporary files that dead writers left behind; harmless, the next GC removes them. */
  leftovers: number;
}

async function hashFile(path: string): Promise<{ digest: Digest; size: number }> {
  const d = new Digester();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) d.update(chunk as Buffer);
  return { digest: d.digest(), size: d.size };
}

function parse<T>(bytes: Buffer): T | undefined {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Verifies the whole store; reports every problem rather than stopping at the first. */
export async function checkStore(store: Store): Promise<CheckReport> {
  const problems: Problem[] = [];
  const names = await readdir(store.layout.blobsDir).catch(() => [] as string[]);
  const sizes = new Map<Digest, number>();
  let bytes = 0;
  for (const name of names) {
    const digest = `sha256:${name}`;
    if (!isDigest(digest)) {
      problems.push({ subject: join(store.layout.blobsDir, name), message: 'a file in blobs/sha256 whose name is not a sha256 digest' });
      continue;
    }
    const actual = await hashFile(store.layout.blob(digest));
    bytes += actual.size;
    sizes.set(digest, actual.size);
    if (actual.digest !== digest) problems.push({ subject: digest, message: `content does not match its digest (it hashes to ${actual.digest})` });
  }
  let entries: Descriptor[] = [];
  try {
    entries = await store.entries();
  } catch (e) {
    problems.push({ subject: store.layout.index, message: (e as Error).message });
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const a = entry.annotations ?? {};
    const subject = a[Annotation.refName] ?? a[Annotation.repoDigest] ?? `untagged image ${a[Annotation.imageId] ?? entry.digest}`;
    const before = problems.length;
    await checkDescriptor(store, entry, sizes, subject, problems);
    if (problems.length === before && isDigest(a[Annotation.imageId]) && !isIndexType(entry.mediaType)) {
      const manifest = parse<ImageManifest>(await store.blobs.read(entry.digest));
      if (manifest?.config.digest !== a[Annotation.imageId]) problems.push({ subject, message: `index entry says image ${a[Annotation.imageId]} but its manifest has config ${manifest?.config.digest}` });
    }
    ids.add(a[Annotation.imageId] ?? entry.digest);
  }
  const ingest = await readdir(store.layout.ingestDir).catch(() => [] as string[]);
  const trash = await readdir(store.layout.trashDir).catch(() => [] as string[]);
  const leftovers = ingest.filter((n) => !isProcessAlive(Number.parseInt(n, 10))).length + trash.length;
  return { images: ids.size, blobs: names.length, bytes, problems, leftovers };
}

async function checkDescriptor(store: Store, d: Descriptor, sizes: Map<Digest, number>, subject: string, problems: Problem[]): Promise<void> {
  const size = sizes.get(d.digest);
  if (size === undefined) {
    problems.push({ subject, message: `${d.mediaType} ${d.digest} is missing` });
    return;
  }
  if (size !== d.size) {
    problems.push({ subject, message: `${d.digest} is ${size} bytes but its descriptor says ${d.size}` });
    return;
  }
  if (isIndexType(d.mediaType)) {
    const index = parse<ImageIndex>(await store.blobs.read(d.digest));
    if (!index || !Array.isArray(index.manifests)) {
      problems.push({ subject, message: `index ${d.digest} is not a valid image index` });
      return;
    }
    for (const m of index.manifests) await checkDescriptor(store, m, sizes, subject, problems);
    return;
  }
  const manifest = parse<ImageManifest>(await store.blobs.read(d.digest));
  if (!manifest || !manifest.config || !Array.isArray(manifest.layers)) {
    problems.push({ subject, message: `manifest ${d.digest} is not a valid image manifest` });
    return;
  }
  for (const blob of [manifest.config, ...manifest.layers]) {
    if (!isDigest(blob.digest)) {
      problems.push({ subject, message: `manifest ${d.digest} names an invalid digest ${JSON.stringify(blob.digest)}` });
      continue;
    }
    const s = sizes.get(blob.digest);
    if (s === undefined) problems.push({ subject, message: `${blob.mediaType} ${blob.digest} is missing` });
    else if (s !== blob.size) problems.push({ subject, message: `${blob.digest} is ${s} bytes but the manifest says ${blob.size}` });
  }
}

/** Logical sizes against space used. */
export interface DiskUsage {
  images: number;
  /** Sum of every image's size, shared layers counted once per image. */
  logical: number;
  /** Bytes of blobs referenced by images, each counted once. */
  used: number;
  /** Bytes of blobs that no image references (removed by the next prune or rmi). */
  unreferenced: number;
  /** Per image: its size, the part shared with other images, and the part only it uses. */
  perImage: { id: Digest; tags: string[]; created?: string; size: number; shared: number; unique: number }[];
}

/** Computes disk usage from the index and the blobs folder. */
export async function diskUsage(store: Store): Promise<DiskUsage> {
  const images = await store.images();
  const users = new Map<Digest, number>();
  const layersOf = new Map<Digest, Descriptor[]>();
  for (const image of images) {
    const manifest = await store.blobs.readJson<ImageManifest>(image.manifest.digest).catch(() => undefined);
    const layers = manifest?.layers ?? [];
    layersOf.set(image.id, layers);
    for (const l of new Set(layers.map((x) => x.digest))) users.set(l, (users.get(l) ?? 0) + 1);
  }
  const reachable = await store.reachable(await store.entries());
  let used = 0;
  let unreferenced = 0;
  for (const name of await readdir(store.layout.blobsDir).catch(() => [] as string[])) {
    const size = (await stat(join(store.layout.blobsDir, name)).catch(() => undefined))?.size ?? 0;
    if (reachable.has(`sha256:${name}`)) used += size;
    else unreferenced += size;
  }
  const perImage = images.map((image) => {
    const layers = layersOf.get(image.id) ?? [];
    const shared = layers.filter((l) => (users.get(l.digest) ?? 0) > 1).reduce((n, l) => n + l.size, 0);
    return { id: image.id, tags: image.tags, created: image.created, size: image.size, shared, unique: image.size - shared };
  });
  return { images: images.length, logical: images.reduce((n, i) => n + i.size, 0), used, unreferenced, perImage };
}
