/**
 * The Registries view: Docker Hub, every registry the user added (the `berth.registries` setting, edited
 * by "Add Registry..." and "Remove Registry" or by hand) and every registry with stored credentials
 * (docker's config.json or its helpers). A registry other than Docker Hub lists its repositories (the
 * catalog) and their tags; choosing a tag pulls it. What is listed is decided in registries-model.ts.
 */
import * as vscode from 'vscode';
import type { EngineHost } from './engine-host';
import { catalogRepository, DOCKER_HUB, registryContextValue, registryEntries, type HostCheck, type RegistryEntry } from './registries-model';

/** A row of the view. */
export type RegistryNode =
  | ({ kind: 'registry' } & RegistryEntry)
  | { kind: 'repository'; server: string; name: string }
  | { kind: 'tag'; reference: string; tag: string }
  | { kind: 'message'; text: string };

/** The setting that holds the registries the user added (under `berth.`). */
export const REGISTRIES_SETTING = 'registries';

/** The words for a refused registry host (the Add Registry input box and the view say them). */
export function hostProblemText(check: Exclude<HostCheck, { ok: true }>): string {
  switch (check.problem) {
    case 'empty':
      return vscode.l10n.t('Type a registry host, such as ghcr.io or localhost:5000.');
    case 'scheme':
      return vscode.l10n.t('Type the host without a scheme, such as ghcr.io or localhost:5000.');
    case 'path':
      return vscode.l10n.t('Type the registry host alone, without a repository path: ghcr.io, not ghcr.io/owner.');
    case 'hub':
      return vscode.l10n.t('Docker Hub is always listed; add another registry.');
    case 'not-a-host':
      return vscode.l10n.t('A registry host has a dot or a port (registry.example.com, myhost:5000) or is localhost.');
    default:
      return vscode.l10n.t('This is not a registry host: {0}', check.detail ?? vscode.l10n.t('a host name is expected'));
  }
}

/** The tree of the Registries view; refreshed when `berth.registries` changes or after a login or logout. */
export class RegistriesProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly host: EngineHost) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`berth.${REGISTRIES_SETTING}`)) this.refresh();
    }));
  }

  /** Lists the registries again (after a login, a logout, or a change of the setting). */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The registries (top level), a registry's repositories, or a repository's tags. */
  async getChildren(node?: RegistryNode): Promise<RegistryNode[]> {
    const engine = await this.host.get();
    if (!node) {
      const ctx = await engine.registry();
      const credentials = await ctx.session.credentials.list().catch(() => [] as string[]);
      const added = vscode.workspace.getConfiguration('berth').get<unknown[]>(REGISTRIES_SETTING) ?? [];
      const { entries, invalid } = registryEntries({ added: Array.isArray(added) ? added : [], credentials });
      return [
        ...entries.map((e): RegistryNode => ({ kind: 'registry', ...e })),
        ...invalid.map((i): RegistryNode => ({ kind: 'message', text: vscode.l10n.t('"{0}" in the setting berth.registries is skipped: {1} Fix it in Settings.', i.value, i.check.ok ? '' : hostProblemText(i.check)) })),
      ];
    }
    if (node.kind === 'repository') {
      try {
        const full = catalogRepository(node.server, node.name);
        return (await engine.listTags(full)).map((tag) => ({ kind: 'tag', reference: `${full}:${tag}`, tag }));
      } catch (e) {
        return [{ kind: 'message', text: (e as Error).message }];
      }
    }
    if (node.kind !== 'registry') return [];
    if (node.server === DOCKER_HUB) return [{ kind: 'message', text: vscode.l10n.t('Use "Search Docker Hub..." to find images') }];
    try {
      const repos = await engine.search(`${node.server}/`, { limit: 100 });
      if (repos.length === 0) return [{ kind: 'message', text: vscode.l10n.t('No repositories yet') }];
      return repos.map((r) => ({ kind: 'repository', server: node.server, name: r.name }));
    } catch (e) {
      return [{ kind: 'message', text: (e as Error).message }];
    }
  }

  getTreeItem(node: RegistryNode): vscode.TreeItem {
    if (node.kind === 'message') return new vscode.TreeItem(node.text);
    if (node.kind === 'repository') {
      const item = new vscode.TreeItem(node.name.replace(`${node.server}/`, ''), vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('repo');
      item.contextValue = 'repository';
      return item;
    }
    if (node.kind === 'tag') {
      const item = new vscode.TreeItem(node.tag);
      item.iconPath = new vscode.ThemeIcon('tag');
      item.contextValue = 'registry.tag';
      item.tooltip = node.reference;
      item.command = { command: 'berth.images.pull', title: vscode.l10n.t('Pull'), arguments: [node.reference] };
      return item;
    }
    const item = new vscode.TreeItem(node.server === DOCKER_HUB ? 'Docker Hub' : node.server, vscode.TreeItemCollapsibleState.Collapsed);
    item.iconPath = new vscode.ThemeIcon(node.loggedIn ? 'account' : 'globe');
    item.description = node.loggedIn ? vscode.l10n.t('logged in') : '';
    item.contextValue = registryContextValue(node);
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
