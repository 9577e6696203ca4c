/**
 * `berth build`: a Dockerfile and a context folder into an image in the store, with no daemon.
 *
 * The stages the target needs are built in order. Each instruction is a step: it changes the config
 * (config-instructions.ts), or adds a layer (RUN in the sandbox, COPY and ADD from the context, another
 * stage or a URL, WORKDIR making its folder), and its result is committed as an intermediate image that
 * the cache finds again by the step's inputs (cache.ts). The output events follow Docker's legacy
 * builder ("Step 2/5 : RUN ...", " ---> Using cache", " ---> Running in ...", " ---> <id>").
 *
 * A stage's root filesystem is unpacked only when a step needs it (a RUN, a COPY that must look at the
 * image, a `--from` source), into a work folder under the store, and kept up to date layer by layer.
 * Nothing reaches the index before the end: the blobs are held by a lease, and the step images, their
 * cache keys and the tags are recorded together, so a failed or cancelled build leaves the store as it
 * was apart from the cache of the steps that succeeded.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BerthError, isBerthError, sysCode } from '../errors';
import { parse, argScope, globalArgValues, expand, parseKeyValues, stageNamed, type DockerfileAst, type EscapeChar, type Instruction, type Stage } from '../../dockerfile/index';
import type { Digest } from '../oci/digest';
import { MediaType, type ContainerConfig, type Descriptor, type HistoryEntry, type ImageConfig, type Platform } from '../oci/types';
import { hostPlatform, parsePlatformText, platformString } from '../oci/platform';
import { formatReference, parseReference, withDefaultTag } from '../ref/reference';
import { findImage, imagesOf } from '../store/images';
import { readImage } from '../store/inspect';
import type { Lease } from '../store/leases';
import { isProcessAlive } from '../store/lock';
import type { ImageFacts, Store } from '../store/store';
import { storeConfigAndManifest } from '../archive/image-blobs';
import { storedBlob } from '../archive/layer-streams';
import { readCache, recordSteps, stepKey, type CacheIndex, type CachedStep } from './cache';
import { applyConfigInstruction, isConfigInstruction, type ConfigState } from './config-instructions';
import { BuildContext } from './context';
import { fileDigest, findSources, parseChmod, planEntries, resolveChown, sourcesKey, type SourceTree } from './copy';
import { applyEntries, canApply } from './apply-entries';
import { layerFromChange } from './diff';
import { hostTools } from './host-tools';
import { sandboxIdMap, type IdMap } from './id-map';
import { layerTar, type LayerEntry } from './layer-tar';
import { resolveInRoot } from './root-path';
import { unpackLayer } from './rootfs';
import { runInSandbox, DEFAULT_PATH } from './sandbox';
import { removeTree } from './sandbox-folder';
import { resolveUser } from './sandbox-user';

/** What a build reports as it goes, in the words Docker's legacy builder prints. */
export type BuildEvent =
  | { type: 'step'; step: number; total: number; text: string }
  | { type: 'pull'; event: unknown }
  | { type: 'triggers'; count: number }
  | { type: 'trigger'; text: string }
  | { type: 'cache' }
  | { type: 'run'; container: string }
  | { type: 'output'; chunk: Buffer; stream: 'stdout' | 'stderr' }
  | { type: 'removed'; container: string }
  | { type: 'image'; id: Digest }
  | { type: 'warning'; message: string }
  | { type: 'built'; id: Digest }
  | { type: 'tagged'; name: string };

/** Options of {@link buildImage}. */
export interface BuildRequest {
  /** The context folder. */
  context: string;
  /** The Dockerfile (default: `Dockerfile` in the context). */
  dockerfile?: string;
  /** The Dockerfile's text, when it comes from elsewhere (`-f -`). */
  dockerfileText?: string;
  /** Names to tag the image with. */
  tags?: string[];
  buildArgs?: Record<string, string>;
  /** The stage to build (default: the last). */
  target?: string;
  noCache?: boolean;
  /** Pull every base image even when the store has it. */
  pull?: boolean;
  /** Labels set on the image. */
  labels?: Record<string, string>;
  platform?: Platform;
  network?: 'default' | 'none';
  /** SOURCE_DATE_EPOCH: every time in the image is this (seconds), so that builds repeat bit for bit. */
  sourceDateEpoch?: number;
  onEvent?: (e: BuildEvent) => void;
  signal?: AbortSignal;
}

/** What the builder needs from the engine. */
export interface BuildDeps {
  store: Store;
  /** Pulls an image into the store; returns its ID. */
  pull(name: string, options: { platform?: Platform; onEvent?: (e: unknown) => void; signal?: AbortSignal }): Promise<{ id: Digest }>;
  /** Downloads a URL for ADD into `file`. */
  download?(url: string, file: string): Promise<{ lastModified?: number }>;
}

/** The result of a build. */
export interface BuildResult {
  id: Digest;
  /** The names tagged, in full form. */
  tags: string[];
}

/** Docker's limit (seed 000): an image has at most 127 layers. */
export const MAX_LAYERS = 127;

const LAYER_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const COPY_FLAGS = new Set(['from', 'chown', 'chmod', 'link']);
const ADD_FLAGS = new Set(['chown', 'chmod', 'link', 'keep-git-dir']);

/** A stage as it is being built. */
interface StageState {
  stage: Stage;
  image: ImageConfig;
  layers: Descriptor[];
  /** The current image ID; undefined for `FROM scratch` before any step. */
  id?: Digest;
  facts?: ImageFacts;
  /** ARGs declared in the stage and their values (undefined when declared without one). */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
  /** The unpacked root filesystem and how many of `layers` it holds. */
  rootfs?: string;
  applied: number;
}

/** Builds an image; see the module comment. */
export async function buildImage(deps: BuildDeps, request: BuildRequest): Promise<BuildResult> {
  const build = await Build.start(deps, request);
  try {
    return await build.run();
  } finally {
    await build.close();
  }
}

class Build {
  private readonly emit: (e: BuildEvent) => void;
  private readonly epoch?: number;
  private readonly ids: IdMap = sandboxIdMap();
  private readonly states = new Map<number, StageState>();
  private readonly steps: CachedStep[] = [];
  private readonly consumed = new Set<string>();
  private readonly imageTrees = new Map<string, SourceTree>();
  private cache?: CacheIndex;
  private globals = new Map<string, string>();
  private stepNo = 0;
  private total = 0;
  private scratchNo = 0;

  private constructor(
    private readonly deps: BuildDeps,
    private readonly request: BuildRequest,
    private readonly ast: DockerfileAst,
    private readonly context: BuildContext,
    private readonly tags: string[],
    private readonly lease: Lease,
    private readonly work: string,
  ) {
    this.emit = request.onEvent ?? (() => undefined);
    this.epoch = request.sourceDateEpoch;
  }

  static async start(deps: BuildDeps, request: BuildRequest): Promise<Build> {
    const tags = (request.tags ?? []).map(normalizeTag);
    const contextDir = resolve(request.context);
    const dockerfile = request.dockerfile === undefined ? join(contextDir, 'Dockerfile') : resolve(request.dockerfile);
    let text = request.dockerfileText;
    if (text === undefined) {
      try {
        text = await readFile(dockerfile, 'utf8');
      } catch (e) {
        if (sysCode(e) === 'ENOENT') throw new BerthError('NOT_FOUND', `cannot find the Dockerfile ${dockerfile}; name it with -f FILE`);
        if (sysCode(e) === 'EISDIR') throw new BerthError('INVALID_ARGUMENT', `the Dockerfile ${dockerfile} is a folder; name the file with -f FILE`);
        throw e;
      }
    }
    const ast = parse(text);
    const problem = ast.problems[0];
    if (problem) throw new BerthError('INVALID_ARGUMENT', `Dockerfile parse error on line ${problem.range.start.line + 1}: ${problem.message}`);
    if (ast.stages.length === 0) throw new BerthError('INVALID_ARGUMENT', 'the Dockerfile has no FROM instruction; a build starts with FROM IMAGE (or FROM scratch)');
    const before = ast.instructions.find((i) => i !== ast.stages[0]!.from && i.keyword !== 'ARG' && i.range.start.line < ast.stages[0]!.from.range.start.line);
    if (before) throw new BerthError('INVALID_ARGUMENT', `Dockerfile line ${before.range.start.line + 1}: ${before.keyword} comes before the first FROM; only ARG may`);
    const context = await BuildContext.open(contextDir, { dockerfile: request.dockerfile === undefined ? undefined : dockerfile });
    const work = join(deps.store.root, 'build', `${process.pid}-${randomBytes(4).toString('hex')}`);
    await cleanAbandoned(join(deps.store.root, 'build'));
    await mkdir(work, { recursive: true });
    const lease = await deps.store.lease();
    return new Build(deps, request, ast, context, tags, lease, work);
  }

  async close(): Promise<void> {
    const tools = hostTools().tools;
    await removeTree(this.work, tools?.unshare ?? 'unshare').catch(() => undefined);
    await this.lease.release();
  }

  private get escape(): EscapeChar {
    return this.ast.escapeChar;
  }

  private checkCancel(): void {
    if (this.request.signal?.aborted) throw new BerthError('CANCELLED', 'the build was cancelled; the store is as it was');
  }

  async run(): Promise<BuildResult> {
    const scope = argScope(this.ast);
    const buildArgs = this.request.buildArgs ?? {};
    this.globals = globalArgValues(scope, buildArgs);
    for (const d of scope.global) if (Object.prototype.hasOwnProperty.call(buildArgs, d.name)) this.consumed.add(d.name);
    const target = this.targetStage();
    const needed = this.neededStages(target);
    this.total = needed.reduce((n, s) => n + 1 + s.instructions.length, 0);
    const layerSteps = needed.filter((s) => s === target).reduce((n, s) => n + s.instructions.filter((i) => LAYER_INSTRUCTIONS.has(i.keyword)).length, 0);
    if (layerSteps > MAX_LAYERS) throw tooManyLayers(layerSteps);
    this.cache = this.request.noCache ? { steps: new Map(), parents: new Set() } : await readCache(this.deps.store);
    let final: StageState | undefined;
    try {
      for (const stage of needed) {
        this.checkCancel();
        final = await this.buildStage(stage);
      }
      if (this.request.labels && Object.keys(this.request.labels).length > 0) await this.applyLabels(final!, this.request.labels);
      if (!final!.facts) await this.commit(final!, stepKey(['empty', final!.stage.index]), { created_by: '/bin/sh -c #(nop) ', empty_layer: true });
    } catch (e) {
      await recordSteps(this.deps.store, this.steps).catch(() => undefined);
      throw e;
    }
    const unused = Object.keys(this.request.buildArgs ?? {}).filter((k) => !this.consumed.has(k) && !PREDEFINED.has(k));
    if (unused.length) this.emit({ type: 'warning', message: `[Warning] One or more build-args [${unused.join(' ')}] were not consumed` });
    const facts = final!.facts!;
    await recordSteps(this.deps.store, this.steps, { facts, tags: this.tags });
    this.emit({ type: 'built', id: facts.id });
    for (const t of this.tags) this.emit({ type: 'tagged', name: t });
    return { id: facts.id, tags: this.tags };
  }

  private targetStage(): Stage {
    const stages = this.ast.stages;
    if (this.request.target === undefined) return stages[stages.length - 1]!;
    const s = stageNamed(stages, this.request.target);
    if (!s || s.name === undefined) throw new BerthError('NOT_FOUND', `target stage "${this.request.target}" could not be found; the stages are ${stages.map((x) => x.name ?? String(x.index)).join(', ')}`);
    return s;
  }

  /** The stages the target depends on (FROM an earlier stage, COPY --from), in order. */
  private neededStages(target: Stage): Stage[] {
    const stages = this.ast.stages;
    const need = new Set<number>();
    const visit = (s: Stage): void => {
      if (need.has(s.index)) return;
      need.add(s.index);
      const earlier = stages.slice(0, s.index);
      const base = stageNamed(earlier, this.expandGlobal(s.image));
      if (base) visit(base);
      for (const i of s.instructions) {
        const from = i.flags.find((f) => f.name === 'from')?.value;
        if (i.keyword === 'COPY' && from !== undefined) {
          const named = stageByRef(earlier, from);
          if (named) visit(named);
        }
      }
    };
    visit(target);
    return stages.filter((s) => need.has(s.index));
  }

  private expandGlobal(text: string): string {
    const builtins = builtinArgs(this.platform());
    const r = expand(text, (n) => this.globals.get(n) ?? builtins.get(n), this.escape);
    return r.value;
  }

  private platform(): Platform {
    return this.request.platform ?? hostPlatform();
  }

  // ---- stages -------------------------------------------------------------------------------

  private async buildStage(stage: Stage): Promise<StageState> {
    const state = await this.from(stage);
    this.states.set(stage.index, state);
    for (const inst of stage.instructions) {
      this.checkCancel();
      this.emit({ type: 'step', step: ++this.stepNo, total: this.total, text: inst.text });
      await this.step(state, inst);
    }
    return state;
  }

  private async from(stage: Stage): Promise<StageState> {
    this.emit({ type: 'step', step: ++this.stepNo, total: this.total, text: stage.from.text });
    const name = this.expandGlobal(stage.image);
    const platformFlag = stage.from.flags.find((f) => f.name === 'platform')?.value;
    const unknown = stage.from.flags.find((f) => f.name !== 'platform');
    if (unknown) throw this.fail(stage.from, `unknown flag: --${unknown.name}`);
    const platform = platformFlag ? parsePlatformText(this.expandGlobal(platformFlag)) : this.request.platform;
    if (name === '') throw this.fail(stage.from, 'FROM needs an image name; a build argument it uses may be empty');
    const earlier = stageNamed(this.ast.stages.slice(0, stage.index), name);
    let state: StageState;
    if (earlier) {
      const parent = this.states.get(earlier.index)!;
      state = { stage, image: clone(parent.image), layers: [...parent.layers], id: parent.id, facts: parent.facts, args: new Map(), cmdSet: false, applied: 0 };
    } else if (name.toLowerCase() === 'scratch') {
      const p = platform ?? hostPlatform();
      const image: ImageConfig = { architecture: p.architecture, os: p.os, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
      if (p.variant) image.variant = p.variant;
      state = { stage, image, layers: [], args: new Map(), cmdSet: false, applied: 0 };
    } else {
      const base = await this.baseImage(stage.from, name, platform);
      state = { stage, image: base.config, layers: base.layers, id: base.id, facts: base.facts, args: new Map(), cmdSet: false, applied: 0 };
    }
    if (state.id) this.emit({ type: 'image', id: state.id });
    const triggers = state.image.config?.OnBuild ?? [];
    if (triggers.length > 0) {
      this.emit({ type: 'triggers', count: triggers.length });
      state.image.config = { ...state.image.config, OnBuild: null };
      for (const text of triggers) {
        const parsed = parse(this.escape === '`' ? `# escape=\`\n${text}` : text);
        const inst = parsed.instructions[0];
        if (!inst || parsed.problems.length) throw this.fail(stage.from, `the base image's ONBUILD trigger "${text}" is not a valid instruction`);
        this.emit({ type: 'trigger', text });
        await this.step(state, inst);
      }
    }
    return state;
  }

  /** An image FROM names: from the store, else (or with --pull) from its registry. */
  private async baseImage(inst: Instruction, name: string, platform: Platform | undefined): Promise<{ id: Digest; facts: ImageFacts; config: ImageConfig; layers: Descriptor[] }> {
    let ref;
    try {
      ref = withDefaultTag(parseReference(name));
    } catch (e) {
      throw this.fail(inst, isBerthError(e) ? e.message : String(e));
    }
    const full = formatReference(ref);
    const find = async (): Promise<ImageFacts | undefined> => {
      const images = await imagesOf(await this.deps.store.entries());
      try {
        const { image } = findImage(images, full);
        return { id: image.id, manifest: image.manifest, size: image.size, created: image.created };
      } catch (e) {
        if (isBerthError(e) && e.code === 'NOT_FOUND') return undefined;
        throw e;
      }
    };
    let facts = this.request.pull ? undefined : await find();
    if (!facts) {
      const pulled = await this.deps.pull(full, { platform, onEvent: (event) => this.emit({ type: 'pull', event }), signal: this.request.signal });
      facts = await find();
      if (!facts || facts.id !== pulled.id) {
        const images = await imagesOf(await this.deps.store.entries());
        const image = images.find((i) => i.id === pulled.id);
        if (!image) throw this.fail(inst, `the image ${name} was pulled but is no longer in the store`);
        facts = { id: image.id, manifest: image.manifest, size: image.size, created: image.created };
      }
    }
    // hold its blobs for the build, whatever another process removes meanwhile
    const manifest = await this.deps.store.blobs.readJson<{ config: Descriptor; layers: Descriptor[] }>(facts.manifest.digest);
    await this.lease.pin(...[facts.manifest.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)] as Digest[]);
    const { config } = await readImage(this.deps.store, { id: facts.id, manifest: facts.manifest, size: facts.size, tags: [], repoDigests: [] });
    return { id: facts.id, facts, config: clone(config), layers: manifest.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })) };
  }

  // ---- steps --------------------------------------------------------------------------------

  private lookup(state: StageState): (name: string) => string | undefined {
    const env = new Map<string, string>();
    for (const e of state.image.config?.Env ?? []) {
      const eq = e.indexOf('=');
      if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
    }
    return (name) => (env.has(name) ? env.get(name) : state.args.get(name));
  }

  private fail(inst: Instruction, message: string, code: ConstructorParameters<typeof BerthError>[0] = 'INVALID_ARGUMENT'): BerthError {
    return new BerthError(code, `Dockerfile line ${inst.range.start.line + 1}: ${inst.keyword}: ${message}`);
  }

  private async step(state: StageState, inst: Instruction): Promise<void> {
    try {
      switch (inst.keyword) {
        case 'ARG':
          return await this.arg(state, inst);
        case 'RUN':
          return await this.runStep(state, inst);
        case 'COPY':
        case 'ADD':
          return await this.copyStep(state, inst);
        case 'WORKDIR':
          return await this.workdir(state, inst);
        case 'FROM':
          throw this.fail(inst, 'FROM cannot be used here');
        default:
          if (!isConfigInstruction(inst.keyword)) throw this.fail(inst, `unknown instruction ${inst.rawKeyword}`);
          return await this.configStep(state, inst);
      }
    } catch (e) {
      if (isBerthError(e)) throw e;
      throw this.fail(inst, (e as Error).message);
    }
  }

  /** Cache hit: the state becomes the cached image's. */
  private async fromCache(state: StageState, key: string): Promise<boolean> {
    if (this.request.noCache) return false;
    const id = this.cache!.steps.get(key);
    if (!id) return false;
    const images = await imagesOf(await this.deps.store.entries());
    const image = images.find((i) => i.id === id);
    if (!image) return false;
    const { manifest, config } = await readImage(this.deps.store, image);
    await this.lease.pin(...[image.manifest.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)] as Digest[]);
    const parent = this.parentKey(state);
    state.image = clone(config);
    state.layers = manifest.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    state.id = image.id;
    state.facts = { id: image.id, manifest: image.manifest, size: image.size, created: image.created };
    this.steps.push({ key, parent, facts: state.facts });
    this.emit({ type: 'cache' });
    this.emit({ type: 'image', id: image.id });
    return true;
  }

  private now(): string {
    return new Date((this.epoch ?? Date.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }

  /** Writes the stage's image as it is now and makes it the step's result. */
  private async commit(state: StageState, key: string | undefined, history: HistoryEntry, layer?: Descriptor): Promise<void> {
    const parent = this.parentKey(state);
    if (layer) {
      if (state.layers.length + 1 > MAX_LAYERS) throw tooManyLayers(state.layers.length + 1);
      state.layers.push(layer);
      state.image.rootfs = { type: 'layers', diff_ids: [...(state.image.rootfs?.diff_ids ?? []), layer.digest] };
    }
    const created = this.now();
    state.image.created = created;
    state.image.history = [...(state.image.history ?? []), { created, ...history }];
    const bytes = Buffer.from(JSON.stringify(orderedConfig(state.image)));
    const facts = await storeConfigAndManifest(this.deps.store, this.lease, bytes, state.layers, created);
    state.id = facts.id;
    state.facts = facts;
    this.steps.push({ key, parent, facts });
    this.emit({ type: 'image', id: facts.id });
  }

  private parentKey(state: StageState): string {
    return state.id ?? `scratch:${platformString({ os: state.image.os, architecture: state.image.architecture, variant: state.image.variant })}`;
  }

  private async arg(state: StageState, inst: Instruction): Promise<void> {
    const { pairs } = parseKeyValues(inst, this.escape);
    if (pairs.length === 0) throw this.fail(inst, 'ARG requires exactly one argument');
    const lookup = this.lookup(state);
    const builtins = builtinArgs(this.platform());
    const buildArgs = this.request.buildArgs ?? {};
    for (const p of pairs) {
      let value: string | undefined;
      if (Object.prototype.hasOwnProperty.call(buildArgs, p.key)) {
        value = buildArgs[p.key];
        this.consumed.add(p.key);
      } else if (p.rawValue !== undefined) {
        const r = expand(p.rawValue, lookup, this.escape);
        if (r.problems.length) throw this.fail(inst, r.problems[0]!.message);
        value = r.value;
      } else {
        value = this.globals.get(p.key) ?? builtins.get(p.key);
      }
      state.args.set(p.key, value);
    }
    const key = stepKey([this.parentKey(state), inst.text, [...state.args]]);
    if (await this.fromCache(state, key)) return;
    await this.commit(state, key, { created_by: `/bin/sh -c #(nop)  ${inst.text}`, empty_layer: true });
  }

  private async configStep(state: StageState, inst: Instruction): Promise<void> {
    const cs: ConfigState = { config: clone(state.image.config ?? {}), cmdSet: state.cmdSet, author: state.image.author };
    applyConfigInstruction(cs, inst, this.lookup(state), this.escape);
    state.cmdSet = cs.cmdSet;
    const key = stepKey([this.parentKey(state), inst.keyword, cs.config, cs.author ?? null]);
    if (await this.fromCache(state, key)) return;
    state.image.config = cs.config;
    if (cs.author !== undefined) state.image.author = cs.author;
    await this.commit(state, key, { created_by: `/bin/sh -c #(nop)  ${createdText(inst, cs.config)}`, empty_layer: true });
  }

  private async workdir(state: StageState, inst: Instruction): Promise<void> {
    const cs: ConfigState = { config: clone(state.image.config ?? {}), cmdSet: state.cmdSet };
    applyConfigInstruction(cs, inst, this.lookup(state), this.escape);
    const dir = cs.config.WorkingDir!;
    const key = stepKey([this.parentKey(state), 'WORKDIR', dir]);
    if (await this.fromCache(state, key)) return;
    state.image.config = cs.config;
    const rootfs = await this.rootfs(state);
    const at = resolveInRoot(rootfs, dir, { followLast: true });
    let layer: Descriptor | undefined;
    if (!(await exists(at.host))) {
      const entries: LayerEntry[] = [];
      const parts = at.inside.split('/');
      const time = Math.floor((this.epoch ?? Date.now() / 1000));
      // made as the current USER, as BuildKit and buildah make it
      const { uid, gid } = await resolveUser(rootfs, cs.config.User || undefined);
      for (let i = 1; i <= parts.length; i++) {
        const name = parts.slice(0, i).join('/');
        if (i < parts.length && (await exists(join(rootfs, name)))) continue;
        entries.push({ name, type: 'directory', mode: 0o755, uid, gid, mtime: time });
      }
      layer = await this.storeLayer(entries);
    }
    await this.commit(state, key, { created_by: `/bin/sh -c #(nop) WORKDIR ${dir}`, ...(layer ? {} : { empty_layer: true }) }, layer);
  }

  /** The ARG values a RUN sees in its environment (those the image's ENV does not set). */
  private runArgs(state: StageState): string[] {
    const env = new Set((state.image.config?.Env ?? []).map((e) => e.slice(0, e.indexOf('='))));
    const out: string[] = [];
    for (const [k, v] of state.args) if (v !== undefined && !env.has(k)) out.push(`${k}=${v}`);
    return out.sort();
  }

  private async runStep(state: StageState, inst: Instruction): Promise<void> {
    const config = state.image.config ?? {};
    const shell = config.Shell ?? ['/bin/sh', '-c'];
    let command: string[];
    if (inst.json) {
      if (inst.json.length === 0) throw this.fail(inst, 'RUN needs a command');
      command = inst.json;
    } else {
      const script = runScript(inst);
      if (script.trim() === '') throw this.fail(inst, 'RUN needs a command');
      command = [...shell, script];
    }
    const args = this.runArgs(state);
    const createdBy = `${args.length ? `|${args.length} ${args.join(' ')} ` : ''}${command.join(' ')}`;
    const key = stepKey([this.parentKey(state), 'RUN', command, args, this.request.network ?? 'default']);
    if (await this.fromCache(state, key)) return;
    const host = hostPlatform();
    if (state.image.architecture !== host.architecture || state.image.os !== host.os) {
      const image = platformString({ os: state.image.os, architecture: state.image.architecture, variant: state.image.variant });
      throw this.fail(inst, `RUN cannot execute ${image} programs on this ${platformString(host)} machine (Berth does not emulate other processors); build for ${platformString(host)}, or use the Docker Engine backend with emulation`, 'UNSUPPORTED');
    }
    const rootfs = await this.rootfs(state);
    const container = randomBytes(6).toString('hex');
    this.emit({ type: 'run', container });
    const env = [...(config.Env ?? []), ...args];
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
    const result = await runInSandbox({
      lower: rootfs,
      command,
      env,
      workdir: config.WorkingDir || '/',
      user: config.User || undefined,
      network: this.request.network ?? 'default',
      onOutput: (chunk, stream) => this.emit({ type: 'output', chunk, stream }),
      signal: this.request.signal,
      ids: this.ids,
    });
    try {
      if (result.exitCode !== 0) {
        throw new BerthError('BUILD_FAILED', `The command '${command.join(' ')}' returned a non-zero code: ${result.exitCode}`);
      }
      const layer = await layerFromChange(this.deps.store, this.lease, { upper: result.upper, lower: rootfs, sourceDateEpoch: this.epoch, ids: this.ids });
      this.emit({ type: 'removed', container });
      await this.commit(state, key, { created_by: createdBy }, layer.descriptor);
    } finally {
      await result.cleanup();
    }
  }

  private async copyStep(state: StageState, inst: Instruction): Promise<void> {
    const add = inst.keyword === 'ADD';
    const allowed = add ? ADD_FLAGS : COPY_FLAGS;
    const bad = inst.flags.find((f) => !allowed.has(f.name));
    if (bad) throw this.fail(inst, `unknown flag: --${bad.name}`);
    const lookup = this.lookup(state);
    const word = (raw: string): string => {
      const r = expand(raw, lookup, this.escape);
      if (r.problems.length) throw this.fail(inst, r.problems[0]!.message);
      return r.value;
    };
    const flag = (name: string): string | undefined => {
      const f = inst.flags.find((x) => x.name === name);
      return f === undefined ? undefined : word(f.value ?? '');
    };
    const words = inst.json ?? inst.args.map((a) => word(a.rawText));
    if (words.length < 2) throw this.fail(inst, `${inst.keyword} requires at least two arguments, but got ${words.length}`);
    const dest = words[words.length - 1]!;
    const sources = words.slice(0, -1);
    const fromName = flag('from');
    const chown = flag('chown');
    const chmodText = flag('chmod');
    const chmod = chmodText ? parseChmod(chmodText) : undefined;
    let from: SourceTree | undefined;
    if (fromName !== undefined) from = await this.sourceTree(state, inst, fromName);
    const scratch = join(this.work, `step-${this.scratchNo++}`);
    await mkdir(scratch, { recursive: true });
    const heredocs = new Map(inst.heredocs.map((h) => [h.name, h.quoted ? h.content : word(h.content)]));
    const found = await findSources({ add, sources, context: this.context, from, heredocs, scratch, download: this.deps.download });
    const workdir = state.image.config?.WorkingDir || '/';
    const parent = this.parentKey(state);
    const inputs = [parent, inst.keyword, dest, workdir, chown ?? null, chmod ?? null];
    let key: string | undefined;
    // Only a parent with cached steps can hit: then read the sources first; else read them once, below.
    if (!this.request.noCache && this.cache!.parents.has(parent)) {
      key = stepKey([...inputs, await sourcesKey(found, this.context, from)]);
      if (await this.fromCache(state, key)) return;
    }
    const rootfs = await this.rootfs(state);
    const owner = chown ? await resolveChown(rootfs, chown) : undefined;
    const entries = await planEntries({ add, dest, sourceWords: sources.length, workdir, rootfs, ids: this.ids, owner, chmod, context: this.context, from, epoch: this.epoch, scratch }, found);
    const digests = new Map<string, string>();
    const direct = canApply(entries);
    let layer: Descriptor;
    try {
      [layer] = await Promise.all([this.storeLayer(entries, digests), direct ? applyEntries(rootfs, entries, this.ids) : undefined]);
    } catch (e) {
      state.rootfs = undefined; // half written: unpacked again when needed
      throw e;
    }
    key ??= stepKey([...inputs, await sourcesKey(found, this.context, from, async (h) => digests.get(h) ?? fileDigest(h))]);
    const what = found.length === 1 && found[0]!.kind !== 'context' ? 'file' : found.some((s) => s.kind === 'context' && s.entry.type === 'directory') ? 'dir' : 'file';
    await this.commit(state, key, { created_by: `/bin/sh -c #(nop) ${inst.keyword} ${what}:${key.slice(7)} in ${dest} ` }, layer);
    if (direct) state.applied = state.layers.length;
  }

  /** Stores a layer of `entries`; the stage's root filesystem takes it when a step next needs it. */
  private async storeLayer(entries: LayerEntry[], digests?: Map<string, string>): Promise<Descriptor> {
    const blob = await this.deps.store.blobs.putStream(layerTar(entries, { digests }), this.lease);
    return { mediaType: MediaType.ociLayer, digest: blob.digest, size: blob.size };
  }

  /** The root filesystem of `--from`: an earlier stage (by name or index) or an image. */
  private async sourceTree(state: StageState, inst: Instruction, name: string): Promise<SourceTree> {
    const earlier = this.ast.stages.slice(0, state.stage.index);
    const stage = stageByRef(earlier, name);
    if (stage) {
      const s = this.states.get(stage.index);
      if (!s) throw this.fail(inst, `stage ${name} was not built`);
      return { root: await this.rootfs(s), ids: this.ids, id: s.id ?? 'scratch' };
    }
    const all = stageByRef(this.ast.stages, name);
    if (all) throw this.fail(inst, `--from=${name} names ${all.index === state.stage.index ? 'this stage' : 'a later stage'}; it can only name an earlier stage or an image`);
    let cached = this.imageTrees.get(name);
    if (!cached) {
      const base = await this.baseImage(inst, name, this.request.platform);
      const tmp: StageState = { stage: state.stage, image: base.config, layers: base.layers, id: base.id, args: new Map(), cmdSet: false, applied: 0 };
      cached = { root: await this.rootfs(tmp), ids: this.ids, id: base.id };
      this.imageTrees.set(name, cached);
    }
    return cached;
  }

  /** The stage's root filesystem with all its layers applied. */
  private async rootfs(state: StageState): Promise<string> {
    if (!state.rootfs) {
      state.rootfs = join(this.work, `rootfs-${this.scratchNo++}`);
      state.applied = 0;
    }
    for (; state.applied < state.layers.length; state.applied++) {
      this.checkCancel();
      const layer = state.layers[state.applied]!;
      await unpackLayer(storedBlob(this.deps.store, layer), state.rootfs, { source: `layer ${layer.digest}`, ids: this.ids });
    }
    if (state.layers.length === 0) await mkdir(state.rootfs, { recursive: true });
    return state.rootfs;
  }

  private async applyLabels(state: StageState, labels: Record<string, string>): Promise<void> {
    const key = stepKey([this.parentKey(state), 'LABEL', labels]);
    if (await this.fromCache(state, key)) return;
    state.image.config = { ...(state.image.config ?? {}), Labels: { ...(state.image.config?.Labels ?? {}), ...labels } };
    const text = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    await this.commit(state, key, { created_by: `/bin/sh -c #(nop)  LABEL ${text}`, empty_layer: true });
  }
}

// ---- helpers ------------------------------------------------------------------------------------

const PREDEFINED = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

function tooManyLayers(n: number): BerthError {
  return new BerthError('INVALID_ARGUMENT', `the image would have ${n} layers, more than the ${MAX_LAYERS} an image can have; combine RUN, COPY and ADD steps (e.g. RUN a && b) to make fewer`);
}

function normalizeTag(t: string): string {
  const ref = parseReference(t);
  if (ref.digest) throw new BerthError('INVALID_REFERENCE', `invalid tag "${t}": a build names its image with NAME[:TAG], not a digest`);
  return formatReference(withDefaultTag(ref));
}

/** The stage `--from` names: its name (any case) or its index. */
function stageByRef(stages: Stage[], ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return stages[Number(ref)];
  return stageNamed(stages, ref);
}

/** BuildKit's automatic platform ARGs. */
function builtinArgs(p: Platform): Map<string, string> {
  const host = hostPlatform();
  const str = (x: Platform): string => [x.os, x.architecture, x.variant].filter(Boolean).join('/');
  return new Map([
    ['TARGETPLATFORM', str(p)], ['TARGETOS', p.os], ['TARGETARCH', p.architecture], ['TARGETVARIANT', p.variant ?? ''],
    ['BUILDPLATFORM', str(host)], ['BUILDOS', host.os], ['BUILDARCH', host.architecture], ['BUILDVARIANT', host.variant ?? ''],
  ]);
}


/** The script of a RUN in shell form: here-documents as the shell reads them, or the only one as the script. */
function runScript(inst: Instruction): string {
  if (inst.heredocs.length === 0) return inst.argsText;
  const only = inst.heredocs.length === 1 && /^\s*<<-?(["']?)[^\s"']+\1\s*$/.test(inst.argsText);
  if (only) return inst.heredocs[0]!.content;
  let text = inst.argsText;
  for (const h of inst.heredocs) text += `\n${h.content.endsWith('\n') || h.content === '' ? h.content : `${h.content}\n`}${h.name}`;
  return text;
}

/** The history text of a config instruction, as Docker writes it (the command in JSON for CMD and ENTRYPOINT). */
function createdText(inst: Instruction, config: ContainerConfig): string {
  if (inst.keyword === 'CMD') return `CMD ${JSON.stringify(config.Cmd ?? [])}`;
  if (inst.keyword === 'ENTRYPOINT') return `ENTRYPOINT ${JSON.stringify(config.Entrypoint ?? [])}`;
  return inst.text;
}

/** The config's fields in Docker's order, so equal configs give equal bytes. */
function orderedConfig(c: ImageConfig): ImageConfig {
  const out: Record<string, unknown> = {};
  for (const k of ['architecture', 'author', 'config', 'created', 'history', 'os', 'os.version', 'rootfs', 'variant']) if (c[k] !== undefined) out[k] = c[k];
  for (const k of Object.keys(c).sort()) if (!(k in out) && c[k] !== undefined && !['container', 'container_config', 'docker_version', 'parent', 'id'].includes(k)) out[k] = c[k];
  return out as ImageConfig;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Work folders of builds whose process is gone. */
async function cleanAbandoned(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const tools = hostTools().tools;
  for (const n of names) {
    const pid = Number.parseInt(n, 10);
    if (Number.isFinite(pid) && pid !== process.pid && !isProcessAlive(pid)) await removeTree(join(dir, n), tools?.unshare ?? 'unshare').catch(() => undefined);
  }
}
