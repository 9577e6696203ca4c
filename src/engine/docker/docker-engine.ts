/**
 * The Docker Engine backend: every ImageEngine operation over the Engine API of a Docker or Podman
 * engine, local or remote (`DOCKER_HOST`). It returns the same records as the bundled engine, so the
 * CLI and the views show both alike. Credentials come from docker's config.json and its helpers, as for
 * the bundled engine, and reach the engine only in the X-Registry-Auth/X-Registry-Config headers.
 */
import type { Readable, Writable } from 'node:stream';
import type { Digest } from '../oci/digest';
import { BerthError } from '../errors';
import type { ImageEngine, PullRequest, PushRequest, Progress, EngineOptions } from '../engine';
import type { ImageRecord } from '../store/store';
import type { HistoryRow, ImageInspect } from '../store/inspect';
import type { CheckReport, DiskUsage } from '../store/check';
import type { PruneOptions, RemoveEvent } from '../store/images';
import type { ImportOptions } from '../archive/import';
import type { LoadResult } from '../archive/load';
import type { SaveFormat } from '../archive/save';
import type { PullResult } from '../remote/pull';
import type { BuildRequest, BuildResult } from '../build/builder';
import { formatReference, parseReference, repositoryOf, withDefaultTag } from '../ref/reference';
import { dockerCredentialStore, type CredentialStore } from '../remote/credentials';
import { searchRepositories, searchTarget, type SearchRequest, type SearchResult } from '../remote/search';
import { createRegistryContext, repositoryClient, type RegistryContext } from '../remote/registry';
import { loadRegistryConfig } from '../remote/registry-config';
import { listTags } from '../remote/pull';
import { logout } from '../remote/login';
import { resolveEngineAddress, type EngineAddress } from './address';
import { DockerClient, namePath } from './client';
import { engineDiskUsage, engineHistory, inspectEngineImage, listEngineImages, recordOfInspect } from './images';
import { enginePull, enginePush } from './registry-ops';
import { engineLogin, engineRemoteDigest, engineSearch } from './registry-side';
import { engineBuild } from './build';
import { engineImport, engineLoad, engineSave } from './archive';
import { engineEvents, type EngineEventsOptions, type EngineImageEvent } from './events';
import { engineRemove, enginePrune } from './remove';

/** Options of {@link DockerEngine.open}. */
export interface DockerEngineOptions extends Pick<EngineOptions, 'env' | 'credentials' | 'insecureRegistries' | 'registryMirrors' | 'registry'> {
  /** `unix:///path` or `tcp://host:port`; default DOCKER_HOST, then the usual sockets. */
  host?: string;
}

/** An engine reached through the Docker Engine API. */
export class DockerEngine implements ImageEngine {
  private labelCache = new Map<string, Record<string, string>>();
  private registryContext?: Promise<RegistryContext>;

  private constructor(readonly address: EngineAddress, readonly client: DockerClient, private readonly credentials: CredentialStore, private readonly options: DockerEngineOptions) {}

  /** Connects to the engine and negotiates the API version; ENGINE_UNREACHABLE when it does not answer. */
  static async open(options: DockerEngineOptions = {}): Promise<DockerEngine> {
    const env = options.env ?? process.env;
    const address = resolveEngineAddress({ env, host: options.host });
    const client = new DockerClient(address);
    try {
      await client.apiVersion();
    } catch (e) {
      await client.close();
      throw e;
    }
    return new DockerEngine(address, client, options.credentials ?? dockerCredentialStore({ env }), options);
  }

  get location(): string {
    return this.address.display;
  }

  /** Berth's own registry session, for what the engine has no endpoint for (tags, catalogs). */
  registry(): Promise<RegistryContext> {
    const env = this.options.env ?? process.env;
    this.registryContext ??= (async () => createRegistryContext(
      await loadRegistryConfig({ env, insecure: this.options.insecureRegistries, mirrors: this.options.registryMirrors }),
      this.credentials,
      { env, ...this.options.registry },
    ))();
    return this.registryContext;
  }

  async listImages(): Promise<ImageRecord[]> {
    const { images, labels } = await listEngineImages(this.client);
    this.labelCache = labels;
    return images;
  }

  async labels(image: ImageRecord): Promise<Record<string, string>> {
    return this.labelCache.get(image.id) ?? (await inspectEngineImage(this.client, image.id)).Config?.Labels ?? {};
  }

  async resolve(nameOrId: string): Promise<ImageRecord> {
    return recordOfInspect(await inspectEngineImage(this.client, nameOrId));
  }

  inspect(nameOrId: string): Promise<ImageInspect> {
    return inspectEngineImage(this.client, nameOrId);
  }

  history(nameOrId: string): Promise<HistoryRow[]> {
    return engineHistory(this.client, nameOrId);
  }

  async tag(source: string, target: string): Promise<string> {
    const ref = parseReference(target);
    if (ref.digest) throw new BerthError('INVALID_REFERENCE', `refusing to create a tag with a digest reference: ${target}`);
    const full = withDefaultTag(ref);
    await this.client.request('POST', `/images/${namePath(source)}/tag`, { query: { repo: repositoryOf(full), tag: full.tag }, what: `tagging "${source}" as "${target}"` });
    return formatReference(full);
  }

  remove(names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }> {
    return engineRemove(this.client, names, options);
  }

  async prune(options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }> {
    return enginePrune(this.client, await this.listImages(), options);
  }

  importImage(source: Readable, options: ImportOptions): Promise<{ id: Digest }> {
    return engineImport(this.client, source, options);
  }

  save(names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void> {
    return engineSave(this.client, names, out, options);
  }

  load(input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult> {
    return engineLoad(this.client, input, options);
  }

  async check(): Promise<CheckReport> {
    throw new BerthError('UNSUPPORTED', `the Docker engine at ${this.location} keeps its own store, which Berth does not check; check the bundled store with --engine bundled`);
  }

  diskUsage(): Promise<DiskUsage> {
    return engineDiskUsage(this.client);
  }

  async pull(name: string, options: PullRequest): Promise<PullResult[]> {
    const ref = parseReference(name);
    const pullOptions = { credentials: this.credentials, platform: options.platform, onEvent: options.onEvent, signal: options.signal };
    if (!options.allTags) return [await enginePull(this.client, ref, pullOptions)];
    if (ref.tag || ref.digest) throw new BerthError('INVALID_ARGUMENT', `tag can't be used with --all-tags/-a`);
    const out: PullResult[] = [];
    for (const tag of await this.listTags(name)) out.push(await enginePull(this.client, { ...ref, tag }, pullOptions));
    return out;
  }

  async push(name: string, options: PushRequest): Promise<{ tag: string; digest: Digest; size: number }[]> {
    const ref = parseReference(name);
    const pushOptions = { credentials: this.credentials, onEvent: options.onEvent, signal: options.signal };
    if (!options.allTags) return [await enginePush(this.client, ref, pushOptions)];
    if (ref.tag || ref.digest) throw new BerthError('INVALID_ARGUMENT', `tag can't be used with --all-tags/-a`);
    const repo = repositoryOf(ref);
    const tags = (await this.listImages()).flatMap((i) => i.tags).filter((t) => repositoryOf(parseReference(t)) === repo).sort();
    if (!tags.length) throw new BerthError('NOT_FOUND', `An image does not exist locally with the tag: ${repo}`);
    const out = [];
    for (const t of tags) out.push(await enginePush(this.client, parseReference(t), pushOptions));
    return out;
  }

  login(server: string | undefined, creds: { username: string; password: string }): Promise<{ domain: string; where: string; plaintext: boolean }> {
    return engineLogin(this.client, this.credentials, server, creds);
  }

  async logout(server: string | undefined): Promise<{ domain: string; removed: boolean }> {
    return logout(await this.registry(), server);
  }

  async search(term: string, options: SearchRequest): Promise<SearchResult[]> {
    if (searchTarget(term).kind === 'hub') return engineSearch(this.client, this.credentials, term, options);
    return searchRepositories(await this.registry(), term, options);
  }

  async listTags(repository: string): Promise<string[]> {
    const ref = parseReference(repository);
    return listTags(repositoryClient(await this.registry(), ref, ['pull']), `listing the tags of ${repositoryOf(ref)}`);
  }

  remoteDigest(reference: string): Promise<Digest> {
    return engineRemoteDigest(this.client, this.credentials, reference);
  }

  build(request: BuildRequest): Promise<BuildResult> {
    return engineBuild(this.client, this.credentials, request);
  }

  /** The engine's image events until `signal` aborts, reconnecting as needed (for a live view). */
  events(options: EngineEventsOptions): AsyncGenerator<EngineImageEvent> {
    return engineEvents(this.client, options);
  }

  async close(): Promise<void> {
    const ctx = this.registryContext;
    this.registryContext = undefined;
    if (ctx) await (await ctx.catch(() => undefined))?.session.transport.close();
    await this.client.close();
  }
}
