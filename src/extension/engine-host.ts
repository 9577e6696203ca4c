/**
 * The engine the extension drives, as `berth.engine` chooses: the bundled engine on the store
 * `berth.storePath` names (the engine's default location when empty), or a Docker or Podman engine
 * (DOCKER_HOST, else its default socket). Opened on first use and opened again when the settings that
 * shape it change. Either way the view follows changes made elsewhere with no polling loop: the
 * bundled store is watched (index.json is replaced by rename on every change), the Docker engine's
 * `/events` stream is followed (reopened with backoff when cut).
 */
import { watch, type FSWatcher } from 'node:fs';
import * as vscode from 'vscode';
import { BundledEngine, type EngineOptions } from '../engine/engine';
import { DockerEngine } from '../engine/docker/docker-engine';
import type { EngineKind } from '../engine/choose';
import { defaultStoreRoot } from '../engine/store/layout';

/** How long to wait for more changes before telling the view (the CLI writes index.json once per change). */
const SETTLE_MS = 100;

/** An engine the extension can hold: both backends offer the registry session the Registries view uses. */
export type HostedEngine = BundledEngine | DockerEngine;

/** The settings that reopen the engine when they change. */
const ENGINE_SETTINGS = ['berth.engine', 'berth.storePath', 'berth.registryMirrors', 'berth.insecureRegistries'];

export class EngineHost implements vscode.Disposable {
  private engine?: Promise<HostedEngine>;
  private watcher?: FSWatcher;
  private events?: AbortController;
  private timer?: NodeJS.Timeout;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires when the images changed (another process included) or the settings point elsewhere. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) void this.reset();
    }));
  }

  /** The backend the settings choose. */
  get kind(): EngineKind {
    return vscode.workspace.getConfiguration('berth').get<string>('engine') === 'docker' ? 'docker' : 'bundled';
  }

  /** The store folder in use by the bundled engine. */
  get root(): string {
    return vscode.workspace.getConfiguration('berth').get<string>('storePath') || defaultStoreRoot();
  }

  /** The engine, opened on first use. */
  get(): Promise<HostedEngine> {
    this.engine ??= (async () => {
      const engine = await this.open(this.kind);
      if (engine instanceof DockerEngine) {
        this.output.info(`Docker engine: ${engine.location}`);
        this.follow(engine);
      } else {
        this.output.info(`store: ${engine.location}`);
        this.watch(engine.location);
      }
      return engine;
    })();
    this.engine.catch(() => (this.engine = undefined));
    return this.engine;
  }

  /** Opens a backend with the settings' registry options; the caller closes an engine it opened this way. */
  open(kind: EngineKind): Promise<HostedEngine> {
    const config = vscode.workspace.getConfiguration('berth');
    const options: EngineOptions = {
      insecureRegistries: config.get<string[]>('insecureRegistries') ?? [],
      registryMirrors: config.get<string[]>('registryMirrors') ?? [],
      registry: { onRetry: (r) => this.output.warn(`${r.what}: ${r.reason}; retry ${r.attempt} in ${r.waitMs} ms`) },
    };
    return kind === 'docker' ? DockerEngine.open(options) : BundledEngine.open(this.root, options);
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), SETTLE_MS);
  }

  private watch(root: string): void {
    this.watcher?.close();
    try {
      this.watcher = watch(root, (_event, name) => {
        if (name === 'index.json') this.settle();
      });
    } catch (e) {
      this.output.warn(`cannot watch ${root}: ${(e as Error).message}; use Refresh to see changes made elsewhere`);
    }
  }

  /** Follows the engine's image events until the engine is reset or the host disposed. */
  private follow(engine: DockerEngine): void {
    this.events?.abort();
    const controller = (this.events = new AbortController());
    void (async () => {
      const stream = engine.events({
        signal: controller.signal,
        onDisconnect: (e, ms) => this.output.warn(`the Docker engine's event stream was cut (${e.message}); reconnecting in ${ms} ms`),
      });
      for await (const e of stream) {
        this.output.debug(`engine event: ${e.action} ${e.name ?? e.id}`);
        this.settle();
      }
    })().catch((e: unknown) => this.output.warn(`stopped following the Docker engine's events: ${(e as Error).message}; use Refresh to see changes`));
  }

  private async reset(): Promise<void> {
    const old = this.engine;
    this.engine = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.events?.abort();
    this.events = undefined;
    if (old) await (await old.catch(() => undefined))?.close();
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.events?.abort();
    void this.engine?.then((e) => e.close()).catch(() => undefined);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
