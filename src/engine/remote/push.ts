/**
 * `push`: a stored image to its registry. Layers go first (skipped when present, mounted from another
 * repository of the same registry when possible), then the config, then the manifest under the tag.
 * The manifest's digest is recorded as a RepoDigest of the image.
 */
import { BerthError, isBerthError } from '../errors';
import { shortId, type Digest } from '../oci/digest';
import type { ImageManifest } from '../oci/types';
import { formatReference, repositoryOf, splitNormalized, withDefaultTag, type ImageReference } from '../ref/reference';
import { commitImage, findImage, listImages } from '../store/images';
import type { ImageRecord, Store } from '../store/store';
import { repositoryClient, type RegistryContext } from './registry';
import { uploadBlob, type UploadOptions } from './upload';

/** What a push reports as it goes, in the words Docker prints. */
export type PushEvent =
  | { type: 'start'; repository: string }
  | { type: 'layer'; id: string; status: 'Preparing' | 'Waiting' | 'Pushing' | 'Pushed' | 'Layer already exists' | 'Mounted from'; from?: string; current?: number; total?: number }
  | { type: 'done'; tag: string; digest: Digest; size: number };

/** Options of {@link pushImage}. */
export interface PushOptions {
  onEvent?: (e: PushEvent) => void;
  signal?: AbortSignal;
  /** Upload tuning (one request up to this size, else chunks). */
  monolithicLimit?: number;
  chunkSize?: number;
}

/** Repositories of the same registry that this image is known in, to mount blobs from. */
function mountSources(image: ImageRecord, target: ImageReference): string[] {
  const paths = new Set<string>();
  for (const name of [...image.repoDigests, ...image.tags]) {
    const r = splitNormalized(name);
    if (r.domain === target.domain && r.path !== target.path) paths.add(r.path);
  }
  return [...paths];
}

/** Docker's words for a push the registry refused. */
function pushError(e: unknown, ref: ImageReference): unknown {
  if (!isBerthError(e)) return e;
  if (e.code === 'UNAUTHORIZED') {
    const login = ref.domain === 'docker.io' ? 'berth login' : `berth login ${ref.domain}`;
    return new BerthError('UNAUTHORIZED', `unauthorized: authentication required to push to ${repositoryOf(ref)}; log in with "${login}"`, { cause: e, registryCode: 'UNAUTHORIZED' });
  }
  if (e.code === 'DENIED') return new BerthError('DENIED', `denied: requested access to the resource is denied (${repositoryOf(ref)}); check that you may push there and are logged in`, { cause: e, registryCode: 'DENIED' });
  return e;
}

/** Pushes the image tagged `name` (a full or familiar reference; `latest` when no tag). */
export async function pushImage(store: Store, ctx: RegistryContext, name: ImageReference, options: PushOptions = {}): Promise<{ digest: Digest; size: number; tag: string }> {
  const ref = withDefaultTag(name);
  if (ref.digest) throw new BerthError('INVALID_REFERENCE', `cannot push a digest reference (${formatReference(ref)}); push a tag`);
  const full = formatReference(ref);
  const { image } = findImage(await listImages(store), full);
  const emit = options.onEvent ?? (() => undefined);
  const manifest = await store.blobs.readJson<ImageManifest>(image.manifest.digest);
  const sources = mountSources(image, ref);
  const extra = sources.map((p) => `repository:${p}:pull`);
  const repo = repositoryClient(ctx, ref, ['pull', 'push'], extra);
  const what = `pushing ${full}`;
  const upload = (extraOptions: Partial<UploadOptions>) => ({ mountFrom: sources, what, signal: options.signal, monolithicLimit: options.monolithicLimit, chunkSize: options.chunkSize, ...extraOptions });
  emit({ type: 'start', repository: repositoryOf(ref) });
  try {
    const layers = [...manifest.layers].reverse();
    for (const l of layers) emit({ type: 'layer', id: shortId(l.digest), status: 'Preparing' });
    for (const layer of layers) {
      const id = shortId(layer.digest);
      const outcome = await uploadBlob(store, repo, layer, upload({ what: `${what}: layer ${layer.digest}`, onBytes: (current) => emit({ type: 'layer', id, status: 'Pushing', current, total: layer.size }) }));
      if (outcome.kind === 'exists') emit({ type: 'layer', id, status: 'Layer already exists' });
      else if (outcome.kind === 'mounted') emit({ type: 'layer', id, status: 'Mounted from', from: outcome.from });
      else emit({ type: 'layer', id, status: 'Pushed' });
    }
    await uploadBlob(store, repo, manifest.config, upload({ what: `${what}: config` }));
    const bytes = await store.blobs.read(image.manifest.digest);
    const res = await repo.expect('PUT', repo.path(`manifests/${ref.tag}`), [201], { what: `${what}: manifest`, headers: { 'content-type': image.manifest.mediaType }, body: bytes });
    await res.body.dump();
  } catch (e) {
    throw pushError(e, ref);
  }
  await commitImage(store, { id: image.id, manifest: image.manifest, size: image.size, created: image.created }, { repoDigests: [`${repositoryOf(ref)}@${image.manifest.digest}`] });
  emit({ type: 'done', tag: ref.tag!, digest: image.manifest.digest, size: image.manifest.size });
  return { digest: image.manifest.digest, size: image.manifest.size, tag: ref.tag! };
}

/** The tags of `repository` in the store (`push -a`), as full references. */
export async function localTags(store: Store, repository: ImageReference): Promise<string[]> {
  const repo = repositoryOf(repository);
  const tags = (await listImages(store)).flatMap((i) => i.tags).filter((t) => repositoryOf(splitNormalized(t)) === repo);
  return [...new Set(tags)].sort();
}
