/**
 * The local image store: an OCI image layout that skopeo, umoci and other OCI tools can read.
 *
 * Each tag is an entry of index.json whose `org.opencontainers.image.ref.name` is the full reference
 * (`docker.io/library/busybox:latest`). Entries also cache the image ID, size and creation time, so
 * listing thousands of tags reads one file. An image known only by a registry digest has an entry with
 * `dev.berth.repo.digest`; an untagged (dangling) image keeps an entry with neither.
 */
import { mkdir, readdir, readFile, rename, unlink, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sysCode } from '../errors';
import { isDigest, type Digest } from '../oci/digest';
import { Annotation, isIndexType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types';
import { BlobStore } from './blobs';
import { readIndexFile, writeIndexFile } from './index-file';
import { StoreLayout, defaultStoreRoot } from './layout';
import { Lease, pinnedDigests } from './leases';
import { isLockAbandoned, isProcessAlive, withFileLock } from './lock';
import { formatReference, tryParseReference, withDefaultTag } from '../ref/reference';

/** One image as listed from the index: everything `berth images` shows. */
export interface ImageRecord {
  /** The image ID: the digest of its config. */
  id: Digest;
  manifest: Descriptor;
  /** RFC 3339 creation time from the config, when it has one. */
  created?: string;
  /** Bytes of its layers as stored. */
  size: number;
  /** Full references, e.g. `docker.io/library/busybox:latest`, in index order. */
  tags: string[];
  /** Digest references, e.g. `docker.io/library/busybox@sha256:...`. */
  repoDigests: string[];
  /** When a tag was last set. */
  lastTagTime?: string;
  /** Every entry marks it as a build step's result (hidden by `images` unless `-a`). */
  intermediate?: boolean;
}

/** Facts about a new image that its index entries cache. */
export interface ImageFacts {
  id: Digest;
  manifest: Descriptor;
  size: number;
  created?: string;
}

/** What an index change returns, with the blobs GC removed afterwards. */
export interface UpdateResult<T> {
  result: T;
  deleted: { digest: Digest; size: number }[];
}

/** Options of {@link Store.open}. */
export interface StoreOptions {
  /** How long to wait for another process's lock (ms). */
  lockTimeoutMs?: number;
}

/** How long an abandoned partial download is kept for a resume. */
const PARTIAL_TTL_MS = 24 * 3600_000;

const OCI_LAYOUT = JSON.stringify({ imageLayoutVersion: '1.0.0' });

/** A temporary file of index.json, build-cache.json or oci-layout in the store folder, with its writer's PID. */
const STRAY_TEMP = /^(?:index\.json|build-cache\.json|oci-layout)\.(\d+)[.-].*tmp$/;

/** An OCI image layout on disk, shared safely by several processes. */
export class Store {
  readonly layout: StoreLayout;
  readonly blobs: BlobStore;

  private constructor(root: string, private readonly options: StoreOptions) {
    this.layout = new StoreLayout(root);
    this.blobs = new BlobStore(this.layout);
  }

  /** Opens the store at `root` (the default location when omitted), creating it when missing. */
  static async open(root: string = defaultStoreRoot(), options: StoreOptions = {}): Promise<Store> {
    const store = new Store(root, options);
    await mkdir(store.layout.blobsDir, { recursive: true });
    await store.writeOciLayout();
    return store;
  }

  /** Writes `oci-layout` when it is missing or was cut short (a process killed while creating the store). */
  private async writeOciLayout(): Promise<void> {
    const text = await readFile(this.layout.ociLayout, 'utf8').catch((e: unknown) => {
      if (sysCode(e) === 'ENOENT') return '';
      throw e;
    });
    if (text.trim()) return;
    const tmp = `${this.layout.ociLayout}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, OCI_LAYOUT, { flag: 'wx' });
    await rename(tmp, this.layout.ociLayout);
  }

  get root(): string {
    return this.layout.root;
  }

  /** The entries of index.json as they are now. */
  entries(): Promise<Descriptor[]> {
    return readIndexFile(this.layout.index);
  }

  /** Every image in the store, grouped by ID, in the order they first appear in the index. */
  async images(): Promise<ImageRecord[]> {
    const entries = (await this.entries()).map((e) => (isDigest(e.annotations?.[Annotation.imageId]) ? e : withNormalName(e)));
    return groupImages(entries, (d) => this.factsOf(d));
  }

  /** Starts a writer's lease on blobs it has not committed yet; release it when done. */
  lease(): Promise<Lease> {
    return Lease.create(this.layout.leasesDir);
  }

  /**
   * Changes the index under the store lock: `change` gets the current entries and returns the new ones.
   * With `gc`, blobs no entry references any more are deleted before the lock is released.
   */
  async update<T>(change: (entries: Descriptor[]) => Promise<{ entries: Descriptor[]; result: T }> | { entries: Descriptor[]; result: T }, options: { gc?: boolean } = {}): Promise<UpdateResult<T>> {
    return withFileLock(this.layout.lock, async () => {
      await this.restoreTrash();
      const before = await this.adopt(await this.entries());
      const { entries, result } = await change(before);
      if (entries !== before) await writeIndexFile(this.layout.index, entries);
      const deleted = options.gc ? await this.collectGarbage(entries) : [];
      return { result, deleted };
    }, { timeoutMs: this.options.lockTimeoutMs });
  }

  /** Runs the garbage collector on its own (under the lock). */
  async gc(): Promise<{ digest: Digest; size: number }[]> {
    return (await this.update((entries) => ({ entries, result: undefined }), { gc: true })).deleted;
  }

  /** Every blob reachable from these entries (manifests, indexes, configs, layers). */
  async reachable(entries: Descriptor[]): Promise<Set<Digest>> {
    const seen = new Set<Digest>();
    const visit = async (d: Descriptor): Promise<void> => {
      if (seen.has(d.digest)) return;
      seen.add(d.digest);
      if (!(await this.blobs.has(d.digest))) return;
      if (isIndexType(d.mediaType)) {
        const index = await this.blobs.readJson<ImageIndex>(d.digest);
        for (const m of index.manifests ?? []) if (isDigest(m.digest)) await visit(m);
      } else {
        const manifest = await this.blobs.readJson<ImageManifest>(d.digest);
        if (manifest.config && isDigest(manifest.config.digest)) seen.add(manifest.config.digest);
        for (const l of manifest.layers ?? []) if (isDigest(l.digest)) seen.add(l.digest);
      }
    };
    for (const e of entries) await visit(e);
    return seen;
  }

  /**
   * Puts back the blobs a garbage collection killed mid-way left in the trash (call under the lock): a
   * live writer may have pinned one of them, and the index it commits next must find it. Blobs nobody
   * needs go again with the next collection.
   */
  private async restoreTrash(): Promise<void> {
    const names = await readdir(this.layout.trashDir).catch(() => [] as string[]);
    for (const name of names) {
      const trash = join(this.layout.trashDir, name);
      const digest = `sha256:${name.split('.')[0]}`;
      if (!isDigest(digest) || (await this.blobs.has(digest))) await unlink(trash).catch(() => undefined);
      else await rename(trash, this.layout.blob(digest));
    }
  }

  /** Deletes unreferenced blobs, leftovers of dead writers, and old trash. Call under the lock. */
  private async collectGarbage(entries: Descriptor[]): Promise<{ digest: Digest; size: number }[]> {
    await this.removeDeadIngest();
    const keep = await this.reachable(entries);
    const names = await readdir(this.layout.blobsDir).catch(() => [] as string[]);
    const trashed: { digest: Digest; size: number; trash: string }[] = [];
    await mkdir(this.layout.trashDir, { recursive: true });
    for (const name of names) {
      const digest = `sha256:${name}`;
      if (!isDigest(digest) || keep.has(digest)) continue;
      const from = this.layout.blob(digest);
      const trash = join(this.layout.trashDir, `${name}.${randomBytes(4).toString('hex')}`);
      const size = (await stat(from).catch(() => undefined))?.size;
      if (size === undefined) continue;
      try {
        await rename(from, trash);
        trashed.push({ digest, size, trash });
      } catch (e) {
        if (sysCode(e) !== 'ENOENT') throw e;
      }
    }
    const pinned = await pinnedDigests(this.layout.leasesDir);
    const deleted: { digest: Digest; size: number }[] = [];
    for (const t of trashed) {
      if (pinned.has(t.digest)) {
        if (await this.blobs.has(t.digest)) await unlink(t.trash);
        else await rename(t.trash, this.layout.blob(t.digest));
      } else {
        await unlink(t.trash);
        deleted.push({ digest: t.digest, size: t.size });
      }
    }
    for (const name of await readdir(this.layout.trashDir).catch(() => [] as string[])) {
      await unlink(join(this.layout.trashDir, name)).catch(() => undefined);
    }
    return deleted;
  }

  /**
   * Removes temporary files whose writer is no longer running: in ingest/, and the replacements of
   * index.json, build-cache.json and oci-layout that a killed writer left in the store folder. Partial
   * downloads (`partial-<hex>`) are kept for a day so that a pull can resume them, unless a live
   * process holds their lock.
   */
  private async removeDeadIngest(): Promise<void> {
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const writer = STRAY_TEMP.exec(name)?.[1];
      if (writer && !isProcessAlive(Number.parseInt(writer, 10))) await unlink(join(this.root, name)).catch(() => undefined);
    }
    const dir = this.layout.ingestDir;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      if (name.startsWith('partial-')) {
        if (name.endsWith('.lock')) {
          if (await isLockAbandoned(path)) await unlink(path).catch(() => undefined);
          continue;
        }
        const locked = names.includes(`${name}.lock`);
        const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
        if (!locked && age > PARTIAL_TTL_MS) await unlink(path).catch(() => undefined);
        continue;
      }
      if (!isProcessAlive(Number.parseInt(name, 10))) await unlink(path).catch(() => undefined);
    }
  }

  /** Adds the cached facts to entries that another tool (skopeo, umoci) wrote without them. */
  private async adopt(entries: Descriptor[]): Promise<Descriptor[]> {
    if (entries.every((e) => isDigest(e.annotations?.[Annotation.imageId]))) return entries;
    const out: Descriptor[] = [];
    for (const e of entries) {
      const facts = isDigest(e.annotations?.[Annotation.imageId]) ? undefined : await this.factsOf(e);
      const named = withNormalName(e);
      out.push(facts ? { ...entryFor(facts, {}), annotations: { ...entryFor(facts, {}).annotations, ...named.annotations } } : e);
    }
    return out;
  }

  /** The cached facts of an entry, read from its manifest and config when the entry lacks them (written by another tool). */
  private async factsOf(d: Descriptor): Promise<ImageFacts | undefined> {
    const a = d.annotations ?? {};
    if (isDigest(a[Annotation.imageId]) && a[Annotation.imageSize] !== undefined) {
      return { id: a[Annotation.imageId] as Digest, manifest: d, size: Number(a[Annotation.imageSize]), created: a[Annotation.created] };
    }
    if (isIndexType(d.mediaType)) return undefined;
    try {
      const manifest = await this.blobs.readJson<ImageManifest>(d.digest);
      const config = await this.blobs.readJson<{ created?: string }>(manifest.config.digest);
      return { id: manifest.config.digest, manifest: d, size: manifest.layers.reduce((n, l) => n + l.size, 0), created: config.created };
    } catch {
      return undefined;
    }
  }
}

/** Normalizes a stored ref name to the full form (another tool may have written a short one). */
export function normalizeName(name: string): string {
  const r = tryParseReference(name);
  return r.ok ? formatReference(withDefaultTag(r.ref)) : name;
}

/** An entry written by another tool, its ref name in the normal form Berth keeps. */
function withNormalName(e: Descriptor): Descriptor {
  const name = e.annotations?.[Annotation.refName];
  return name ? { ...e, annotations: { ...e.annotations, [Annotation.refName]: normalizeName(name) } } : e;
}

/** The annotations an index entry carries for an image. */
export function entryFor(facts: ImageFacts, extra: Record<string, string>): Descriptor {
  const annotations: Record<string, string> = { ...extra, [Annotation.imageId]: facts.id, [Annotation.imageSize]: String(facts.size) };
  if (facts.created) annotations[Annotation.created] = facts.created;
  return { mediaType: facts.manifest.mediaType, digest: facts.manifest.digest, size: facts.manifest.size, annotations };
}

/** Groups index entries into images by ID. */
export async function groupImages(entries: Descriptor[], factsOf: (d: Descriptor) => Promise<ImageFacts | undefined>): Promise<ImageRecord[]> {
  const byId = new Map<Digest, ImageRecord>();
  const marks = new Map<Digest, boolean>();
  for (const e of entries) {
    const facts = await factsOf(e);
    if (!facts) continue;
    let image = byId.get(facts.id);
    if (!image) {
      image = { id: facts.id, manifest: facts.manifest, created: facts.created, size: facts.size, tags: [], repoDigests: [] };
      byId.set(facts.id, image);
    }
    const a = e.annotations ?? {};
    const name = a[Annotation.refName];
    if (name && !image.tags.includes(name)) image.tags.push(name);
    const rd = a[Annotation.repoDigest];
    if (rd && !image.repoDigests.includes(rd)) image.repoDigests.push(rd);
    const t = a[Annotation.tagTime];
    if (t && (!image.lastTagTime || t > image.lastTagTime)) image.lastTagTime = t;
    const marked = a[Annotation.intermediate] === 'true' && !name && !rd;
    marks.set(facts.id, (marks.get(facts.id) ?? true) && marked);
  }
  for (const [id, marked] of marks) if (marked) byId.get(id)!.intermediate = true;
  return [...byId.values()];
}
