/**
 * `pull`: a registry's image into the store. The manifest is resolved (an index to this platform's
 * manifest), the config and layers download in parallel (three at a time by default), each verified
 * before it becomes visible, and only then is the image tagged. A failed pull leaves the store as it was.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, isBerthError } from '../errors';
import { hexOf, shortId, type Digest } from '../oci/digest';
import { hostPlatform } from '../oci/platform';
import type { ImageConfig, Platform } from '../oci/types';
import { familiarString, formatReference, repositoryOf, withDefaultTag, type ImageReference } from '../ref/reference';
import { commitImage, listImages } from '../store/images';
import { pinnedDigests, type Lease } from '../store/leases';
import { withFileLock } from '../store/lock';
import type { Store } from '../store/store';
import { bodyText } from './body';
import type { RepositoryClient } from './client';
import { downloadBlob } from './download';
import { resolveManifest, type ResolvedManifest } from './manifest';
import { pullClients, type RegistryContext } from './registry';

/** A tag list longer than this is refused (16 MiB: hundreds of thousands of tags). */
const MAX_TAG_LIST = 16 << 20;

/** What a pull reports as it goes, in the words Docker prints. */
export type PullEvent =
  | { type: 'start'; reference: string; repository: string }
  | { type: 'layer'; id: string; status: 'Pulling fs layer' | 'Waiting' | 'Downloading' | 'Verifying Checksum' | 'Download complete' | 'Pull complete' | 'Already exists'; current?: number; total?: number }
  | { type: 'digest'; digest: Digest }
  | { type: 'status'; upToDate: boolean; reference: string }
  | { type: 'retry'; message: string };

/** Options of {@link pullImage}. */
export interface PullOptions {
  platform?: Platform;
  /** Layers downloaded at once. */
  concurrency?: number;
  onEvent?: (e: PullEvent) => void;
  signal?: AbortSignal;
}

/** The result of a pull. */
export interface PullResult {
  id: Digest;
  /** The full reference, as Docker prints it last. */
  reference: string;
  repoDigest: string;
  upToDate: boolean;
}

/** Runs `work` over `items` with at most `limit` at once; the first failure stops new work and is thrown. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const runner = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  if (failed !== undefined) throw failed;
}

/** Docker's message for a repository that is missing or needs a login. */
function pullError(e: unknown, ref: ImageReference, shown: string): unknown {
  if (!isBerthError(e)) return e;
  const familiarRepo = ref.domain === 'docker.io' ? ref.path.replace(/^library\//, '') : `${ref.domain}/${ref.path}`;
  if (e.registryCode === 'MANIFEST_UNKNOWN') {
    return new BerthError('NOT_FOUND', `manifest for ${shown} not found: manifest unknown: manifest unknown`, { cause: e, registryCode: 'MANIFEST_UNKNOWN' });
  }
  if (e.code === 'UNAUTHORIZED' || e.code === 'DENIED' || e.registryCode === 'NAME_UNKNOWN') {
    return new BerthError(e.code === 'NOT_FOUND' ? 'NOT_FOUND' : e.code, `pull access denied for ${familiarRepo}, repository does not exist or may require 'berth login': ${e.registryCode === 'NAME_UNKNOWN' ? 'repository name not known to registry' : 'denied: requested access to the resource is denied'}`, { cause: e, registryCode: e.registryCode });
  }
  return e;
}

/** Downloads the config and layers of a resolved manifest into the store, noting in `added` the blobs it adds. */
async function fetchBlobs(store: Store, lease: Lease, repo: RepositoryClient, resolved: ResolvedManifest, options: PullOptions, what: string, added: Digest[]): Promise<ImageConfig> {
  const { manifest } = resolved;
  if (await downloadBlob(store, lease, repo, manifest.config, { what: `${what}: config ${manifest.config.digest}`, signal: options.signal })) added.push(manifest.config.digest);
  const config = await store.blobs.readJson<ImageConfig>(manifest.config.digest);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new BerthError('INVALID_MANIFEST', `${what}: the image config lists ${diffIds.length} layers but the manifest ${manifest.layers.length}; the image is broken in the registry`);
  }
  const emit = options.onEvent ?? (() => undefined);
  const missing = [];
  for (const layer of manifest.layers) {
    if (await store.blobs.has(layer.digest)) {
      await lease.pin(layer.digest);
      emit({ type: 'layer', id: shortId(layer.digest), status: 'Already exists' });
    } else {
      missing.push(layer);
      emit({ type: 'layer', id: shortId(layer.digest), status: 'Pulling fs layer' });
    }
  }
  await eachLimited(missing, options.concurrency ?? 3, async (layer) => {
    const id = shortId(layer.digest);
    const fetched = await downloadBlob(store, lease, repo, layer, {
      what: `${what}: layer ${layer.digest}`, signal: options.signal,
      onBytes: (current) => emit({ type: 'layer', id, status: 'Downloading', current, total: layer.size }),
    });
    if (fetched) added.push(layer.digest);
    emit({ type: 'layer', id, status: 'Download complete' });
    emit({ type: 'layer', id, status: 'Pull complete' });
  });
  return config;
}

/** Pulls one reference (a tag, `latest` by default, or a digest) into the store. */
export async function pullImage(store: Store, ctx: RegistryContext, name: ImageReference, options: PullOptions = {}): Promise<PullResult> {
  const ref = withDefaultTag(name);
  const shown = familiarString(ref);
  const what = `pulling ${formatReference(ref)}`;
  const reference = ref.digest ?? ref.tag!;
  const emit = options.onEvent ?? (() => undefined);
  const clients = pullClients(ctx, ref);
  for (let i = 0; ; i++) {
    const repo = clients[i]!;
    try {
      const resolved = await resolveManifest(repo, reference, options.platform ?? hostPlatform(), what);
      emit({ type: 'start', reference, repository: ref.path });
      return await completePull(store, repo, ref, resolved, options, what);
    } catch (e) {
      // A mirror that fails or lacks the image: try the next one, then Docker Hub itself.
      if (i < clients.length - 1 && isBerthError(e) && e.code !== 'CANCELLED') {
        emit({ type: 'retry', message: `mirror ${repo.host} failed (${e.message}); trying ${clients[i + 1]!.host}` });
        continue;
      }
      throw pullError(e, ref, shown);
    }
  }
}

/** True when the store already holds this manifest and every blob it names. */
async function alreadyStored(store: Store, resolved: ResolvedManifest): Promise<boolean> {
  const { manifest, fetched } = resolved;
  for (const d of [fetched.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) if (!(await store.blobs.has(d))) return false;
  return true;
}

async function completePull(store: Store, repo: RepositoryClient, ref: ImageReference, resolved: ResolvedManifest, options: PullOptions, what: string): Promise<PullResult> {
  const emit = options.onEvent ?? (() => undefined);
  const full = formatReference(ref);
  const repoDigest = `${repositoryOf(ref)}@${resolved.repoDigest}`;
  const before = (await listImages(store)).find((i) => (ref.tag ? i.tags.includes(full) : i.repoDigests.includes(repoDigest)));
  const id = resolved.manifest.config.digest;
  const lease = await store.lease();
  const added: Digest[] = [];
  try {
    // Docker prints no layer lines when the image is up to date; neither does Berth.
    const upToDate = before?.id === id && before.manifest.digest === resolved.fetched.digest && (await alreadyStored(store, resolved));
    if (upToDate) await lease.pin(resolved.fetched.digest, id, ...resolved.manifest.layers.map((l) => l.digest));
    const config = upToDate ? await store.blobs.readJson<ImageConfig>(id) : await fetchBlobs(store, lease, repo, resolved, options, what, added);
    const manifestBlob = await store.blobs.put(resolved.fetched.bytes, lease, { digest: resolved.fetched.digest, what: `${what}: manifest` });
    const manifest = { mediaType: resolved.fetched.mediaType, digest: manifestBlob.digest, size: manifestBlob.size };
    const size = resolved.manifest.layers.reduce((n, l) => n + l.size, 0);
    await commitImage(store, { id, manifest, size, created: config.created }, { tags: ref.tag && !ref.digest ? [full] : [], repoDigests: [repoDigest] });
    emit({ type: 'digest', digest: resolved.repoDigest });
    emit({ type: 'status', upToDate, reference: full });
    return { id, reference: full, repoDigest, upToDate };
  } catch (e) {
    await lease.release();
    await setAside(store, added).catch(() => undefined);
    throw e;
  } finally {
    await lease.release();
  }
}

/**
 * After a failed pull, takes the blobs it added out of `blobs/` again, so that the store is as it was.
 * They go back to `ingest/partial-<hex>`, verified and whole, so the next pull need not download them
 * again. A blob that an image or another running writer now relies on stays. As in garbage collection,
 * the blob is moved first and the leases read after, under the store lock.
 */
async function setAside(store: Store, added: Digest[]): Promise<void> {
  if (!added.length) return;
  await store.update(async (entries) => {
    const referenced = await store.reachable(entries);
    for (const digest of added) {
      if (referenced.has(digest)) continue;
      const partial = join(store.layout.ingestDir, `partial-${hexOf(digest)}`);
      await withFileLock(`${partial}.lock`, async () => {
        await rename(store.blobs.path(digest), partial);
        if ((await pinnedDigests(store.layout.leasesDir)).has(digest) && !(await store.blobs.has(digest))) await rename(partial, store.blobs.path(digest));
      }).catch(() => undefined);
    }
    return { entries, result: undefined };
  });
}

/** The tags of a repository (`pull -a`), following `Link` pagination. */
export async function listTags(repo: RepositoryClient, what: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = repo.path('tags/list?n=1000');
  while (path) {
    const res = await repo.expect('GET', path, [200], { retry: true, what });
    let body: { tags?: string[] | null };
    try {
      body = JSON.parse(await bodyText(res, MAX_TAG_LIST)) as { tags?: string[] | null };
    } catch {
      throw new BerthError('REGISTRY', `${what}: the registry's tag list is not valid JSON (or is over ${MAX_TAG_LIST >> 20} MiB)`);
    }
    tags.push(...(Array.isArray(body?.tags) ? body.tags.filter((t) => typeof t === 'string') : []));
    const link = String(res.headers.link ?? '');
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
    path = m ? m[1] : undefined;
  }
  return tags;
}

