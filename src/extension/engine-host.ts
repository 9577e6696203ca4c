/**
 * The engine the extension drives: the bundled engine on the store `berth.storePath` names (the
 * engine's default location when empty), opened on first use and opened again when the settings that
 * shape it change. The store is watched (index.json is replaced by rename on every change), so a tag made
 * in a terminal shows in the view at once, with no polling loop.
 */
import { watch, type FSWatcher } from 'node:fs';
import * as vscode from 'vscode';
import { BundledEngine } from '../engine/engine';
import { defaultStoreRoot } from '../engine/store/layout';

/** How long to wait for more changes before telling the view (the CLI writes index.json once per change). */
const SETTLE_MS = 100;

export class EngineHost implements vscode.Disposable {
  private engine?: Promise<BundledEngine>;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires when the store changed (another process included) or the settings point elsewhere. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (['berth.storePath', 'berth.registryMirrors', 'berth.insecureRegistries'].some((s) => e.affectsConfiguration(s))) void this.reset();
    }));
  }

  /** The store folder in use. */
  get root(): string {
    return vscode.workspace.getConfiguration('berth').get<string>('storePath') || defaultStoreRoot();
  }

  /** The engine, opened on first use. */
  get(): Promise<BundledEngine> {
    this.engine ??= (async () => {
      const config = vscode.workspace.getConfiguration('berth');
      const root = this.root;
      const engine = await BundledEngine.open(root, {
        insecureRegistries: config.get<string[]>('insecureRegistries') ?? [],
        registryMirrors: config.get<string[]>('registryMirrors') ?? [],
        registry: { onRetry: (r) => this.output.warn(`${r.what}: ${r.reason}; retry ${r.attempt} in ${r.waitMs} ms`) },
      });
      this.output.info(`store: ${root}`);
      this.watch(root);
      return engine;
    })();
    this.engine.catch(() => (this.engine = undefined));
    return this.engine;
  }

  private watch(root: string): void {
    this.watcher?.close();
    try {
      this.watcher = watch(root, (_event, name) => {
        if (name !== 'index.json') return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.changed.fire(), SETTLE_MS);
      });
    } catch (e) {
      this.output.warn(`cannot watch ${root}: ${(e as Error).message}; use Refresh to see changes made elsewhere`);
    }
  }

  private async reset(): Promise<void> {
    const old = this.engine;
    this.engine = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    if (old) await (await old.catch(() => undefined))?.close();
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    void this.engine?.then((e) => e.close()).catch(() => undefined);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
