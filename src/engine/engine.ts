/**
 * The one facade that the CLI, the extension and the language server call. The bundled engine works
 * on the local store; a Docker Engine backend will implement the same interface.
 */
import type { Readable, Writable } from 'node:stream';
import type { Digest } from './oci/digest';
import { BerthError } from './errors';
import { describingDiskFull } from './disk-full';
import { Store, type ImageRecord, type StoreOptions } from './store/store';
import { defaultStoreRoot } from './store/layout';
import { listImages, pruneImages, removeImages, resolveImage, tagImage, type PruneOptions, type RemoveEvent } from './store/images';
import { imageHistory, imageLabels, inspectImage, type HistoryRow, type ImageInspect } from './store/inspect';
import { checkStore, diskUsage, type CheckReport, type DiskUsage } from './store/check';
import { importImage, type ImportOptions } from './archive/import';
import { saveImages, saveToFile, type SaveFormat } from './archive/save';
import { loadImages, type LoadResult } from './archive/load';
import { formatReference, parseReference, repositoryOf, withDefaultTag } from './ref/reference';
import { fetchManifest } from './remote/manifest';
import { pullImage, listTags, type PullEvent, type PullResult } from './remote/pull';
import { pushImage, localTags, type PushEvent } from './remote/push';
import { createRegistryContext, repositoryClient, type RegistryContext } from './remote/registry';
import { dockerCredentialStore, type CredentialStore } from './remote/credentials';
import { loadRegistryConfig } from './remote/registry-config';
import { login, logout } from './remote/login';
import { searchRepositories, type SearchRequest, type SearchResult } from './remote/search';
import type { RegistrySession } from './remote/client';
import type { Platform } from './oci/types';
import { buildImage, type BuildRequest, type BuildResult } from './build/builder';
import { downloadToFile } from './remote/http';

export type { BuildEvent, BuildRequest, BuildResult } from './build/builder';

/** Progress of long work, in bytes. */
export interface Progress {
  (bytes: number): void;
}

/** The operations every backend offers. */
export interface ImageEngine {
  /** Where images live, for messages (a store folder, or a Docker host). */
  readonly location: string;
  listImages(): Promise<ImageRecord[]>;
  labels(image: ImageRecord): Promise<Record<string, string>>;
  resolve(nameOrId: string): Promise<ImageRecord>;
  inspect(nameOrId: string): Promise<ImageInspect>;
  history(nameOrId: string): Promise<HistoryRow[]>;
  tag(source: string, target: string): Promise<string>;
  remove(names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }>;
  prune(options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }>;
  importImage(source: Readable, options: ImportOptions): Promise<{ id: Digest }>;
  save(names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void>;
  load(input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult>;
  check(): Promise<CheckReport>;
  diskUsage(): Promise<DiskUsage>;
  pull(name: string, options: PullRequest): Promise<PullResult[]>;
  push(name: string, options: PushRequest): Promise<{ tag: string; digest: Digest; size: number }[]>;
  login(server: string | undefined, creds: { username: string; password: string }): Promise<{ domain: string; where: string; plaintext: boolean }>;
  logout(server: string | undefined): Promise<{ domain: string; removed: boolean }>;
  /** `docker search`: Docker Hub, or the catalog of the registry a `HOST[:PORT]/TERM` names. */
  search(term: string, options: SearchRequest): Promise<SearchResult[]>;
  /** The tags of a repository in its registry. */
  listTags(repository: string): Promise<string[]>;
  /** The digest a reference names in its registry (an index's for a multi-platform image), verified. */
  remoteDigest(reference: string): Promise<Digest>;
  /** `docker build`: a Dockerfile and its context into an image. */
  build(request: BuildRequest): Promise<BuildResult>;
  /** Releases connections; the engine can be used again afterwards. */
  close(): Promise<void>;
}

/** Options of {@link ImageEngine.pull}. */
export interface PullRequest {
  /** Every tag of the repository (`-a`). */
  allTags?: boolean;
  platform?: Platform;
  onEvent?: (e: PullEvent) => void;
  signal?: AbortSignal;
}

/** Options of {@link ImageEngine.push}. */
export interface PushRequest {
  /** Every local tag of the repository (`-a`). */
  allTags?: boolean;
  /** Blobs up to `monolithicLimit` bytes go up in one request, larger ones in chunks of `chunkSize`. */
  upload?: { monolithicLimit?: number; chunkSize?: number };
  onEvent?: (e: PushEvent) => void;
  signal?: AbortSignal;
}

/** How the bundled engine reaches registries. */
export interface EngineOptions extends StoreOptions {
  env?: NodeJS.ProcessEnv;
  /** Where credentials live (default: docker's config.json and its helpers). */
  credentials?: CredentialStore;
  /** Registries that may be reached over plain HTTP, and Docker Hub mirrors, besides those configured. */
  insecureRegistries?: string[];
  registryMirrors?: string[];
  /** Retry tuning and reporting for registry requests. */
  registry?: Pick<RegistrySession, 'attempts' | 'backoffMs' | 'onRetry'>;
}

/** The bundled engine: the local OCI store, no daemon. */
export class BundledEngine implements ImageEngine {
  private registryContext?: Promise<RegistryContext>;

  private constructor(readonly store: Store, private readonly options: EngineOptions) {}

  /** Opens the store at `root` (default: BERTH_ROOT or the platform's data folder). */
  static async open(root: string = defaultStoreRoot(), options: EngineOptions = {}): Promise<BundledEngine> {
    return new BundledEngine(await Store.open(root, options), options);
  }

  /** The registry session, made on first use (it reads config files and loads the HTTP client). */
  registry(): Promise<RegistryContext> {
    const env = this.options.env ?? process.env;
    this.registryContext ??= (async () => createRegistryContext(
      await loadRegistryConfig({ env, insecure: this.options.insecureRegistries, mirrors: this.options.registryMirrors }),
      this.options.credentials ?? dockerCredentialStore({ env }),
      { env, ...this.options.registry },
    ))();
    return this.registryContext;
  }

  async pull(name: string, options: PullRequest): Promise<PullResult[]> {
    const ref = parseReference(name);
    const ctx = await this.registry();
    return describingDiskFull(this.store.root, async () => {
      if (!options.allTags) return [await pullImage(this.store, ctx, ref, options)];
      if (ref.tag || ref.digest) throw new BerthError('INVALID_ARGUMENT', `tag can't be used with --all-tags/-a`);
      const tags = await listTags(repositoryClient(ctx, ref, ['pull']), `listing the tags of ${repositoryOf(ref)}`);
      const results: PullResult[] = [];
      for (const tag of tags) results.push(await pullImage(this.store, ctx, { ...ref, tag }, options));
      return results;
    });
  }

  async push(name: string, options: PushRequest): Promise<{ tag: string; digest: Digest; size: number }[]> {
    const ref = parseReference(name);
    const ctx = await this.registry();
    const pushOptions = { onEvent: options.onEvent, signal: options.signal, ...options.upload };
    // A push records the digest it made in the index, which a full disk can refuse.
    return describingDiskFull(this.store.root, async () => {
      if (!options.allTags) return [await pushImage(this.store, ctx, ref, pushOptions)];
      if (ref.tag || ref.digest) throw new BerthError('INVALID_ARGUMENT', `tag can't be used with --all-tags/-a`);
      const tags = await localTags(this.store, ref);
      if (!tags.length) throw new BerthError('NOT_FOUND', `An image does not exist locally with the tag: ${repositoryOf(ref)}`);
      const out = [];
      for (const t of tags) out.push(await pushImage(this.store, ctx, withDefaultTag(parseReference(t)), pushOptions));
      return out;
    });
  }

  async login(server: string | undefined, creds: { username: string; password: string }): Promise<{ domain: string; where: string; plaintext: boolean }> {
    return login(await this.registry(), server, creds);
  }

  async logout(server: string | undefined): Promise<{ domain: string; removed: boolean }> {
    return logout(await this.registry(), server);
  }

  async search(term: string, options: SearchRequest): Promise<SearchResult[]> {
    return searchRepositories(await this.registry(), term, options);
  }

  async listTags(repository: string): Promise<string[]> {
    const ref = parseReference(repository);
    const ctx = await this.registry();
    return listTags(repositoryClient(ctx, ref, ['pull']), `listing the tags of ${repositoryOf(ref)}`);
  }

  async remoteDigest(reference: string): Promise<Digest> {
    const ref = withDefaultTag(parseReference(reference));
    const ctx = await this.registry();
    const fetched = await fetchManifest(repositoryClient(ctx, ref, ['pull']), ref.digest ?? ref.tag!, `the manifest of ${formatReference(ref)}`);
    return fetched.digest;
  }

  build(request: BuildRequest): Promise<BuildResult> {
    return describingDiskFull(this.store.root, () => buildImage({
      store: this.store,
      pull: async (name, o) => {
        const [r] = await this.pull(name, { platform: o.platform, onEvent: o.onEvent, signal: o.signal });
        return { id: r!.id };
      },
      download: downloadToFile,
    }, request));
  }

  async close(): Promise<void> {
    const ctx = this.registryContext;
    this.registryContext = undefined;
    if (ctx) await (await ctx).session.transport.close();
  }

  get location(): string {
    return this.store.root;
  }

  listImages(): Promise<ImageRecord[]> {
    return listImages(this.store);
  }

  labels(image: ImageRecord): Promise<Record<string, string>> {
    return imageLabels(this.store, image);
  }

  async resolve(nameOrId: string): Promise<ImageRecord> {
    return (await resolveImage(this.store, nameOrId)).image;
  }

  async inspect(nameOrId: string): Promise<ImageInspect> {
    return inspectImage(this.store, await this.resolve(nameOrId));
  }

  async history(nameOrId: string): Promise<HistoryRow[]> {
    return imageHistory(this.store, await this.resolve(nameOrId));
  }

  tag(source: string, target: string): Promise<string> {
    return describingDiskFull(this.store.root, () => tagImage(this.store, source, target));
  }

  remove(names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }> {
    return describingDiskFull(this.store.root, () => removeImages(this.store, names, options));
  }

  prune(options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }> {
    return describingDiskFull(this.store.root, () => pruneImages(this.store, options));
  }

  importImage(source: Readable, options: ImportOptions): Promise<{ id: Digest }> {
    return describingDiskFull(this.store.root, () => importImage(this.store, source, options));
  }

  async save(names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void> {
    if (typeof out === 'string') await saveToFile(this.store, names, out, options);
    else await saveImages(this.store, names, out, options);
  }

  load(input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult> {
    return describingDiskFull(this.store.root, () => loadImages(this.store, input, options));
  }

  check(): Promise<CheckReport> {
    return checkStore(this.store);
  }

  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.store);
  }
}

export type { ImageRecord, ImageInspect, HistoryRow, RemoveEvent, CheckReport, DiskUsage, PullEvent, PullResult, PushEvent };
export type { SearchFilters, SearchRequest, SearchResult } from './remote/search';
