/**
 * The Registries view: Docker Hub and every registry with stored credentials (docker's config.json or
 * its helpers). A registry other than Docker Hub lists its repositories (the catalog) and their tags;
 * choosing a tag pulls it. Logging out is on the item's menu.
 */
import * as vscode from 'vscode';
import type { EngineHost } from './engine-host';

type Node = { kind: 'registry'; server: string; loggedIn: boolean } | { kind: 'repository'; server: string; name: string } | { kind: 'tag'; reference: string; tag: string } | { kind: 'message'; text: string };

const HUB = 'docker.io';

/** `HOST/REPO` of a catalog entry (the catalog may or may not include the host). */
function repositoryName(node: { server: string; name: string }): string {
  return node.name.startsWith(`${node.server}/`) ? node.name : `${node.server}/${node.name}`;
}

export class RegistriesProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly host: EngineHost) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const engine = await this.host.get();
    if (!node) {
      const ctx = await engine.registry();
      const known = await ctx.session.credentials.list().catch(() => [] as string[]);
      const servers = [HUB, ...known.filter((k) => k !== HUB && !k.includes('index.docker.io'))];
      return servers.map((server) => ({ kind: 'registry', server, loggedIn: known.includes(server) || (server === HUB && known.some((k) => k.includes('docker.io'))) }));
    }
    if (node.kind === 'repository') {
      try {
        const full = repositoryName(node);
        return (await engine.listTags(full)).map((tag) => ({ kind: 'tag', reference: `${full}:${tag}`, tag }));
      } catch (e) {
        return [{ kind: 'message', text: (e as Error).message }];
      }
    }
    if (node.kind !== 'registry') return [];
    if (node.server === HUB) return [{ kind: 'message', text: vscode.l10n.t('Use "Search Docker Hub..." to find images') }];
    try {
      const repos = await engine.search(`${node.server}/`, { limit: 100 });
      return repos.map((r) => ({ kind: 'repository', server: node.server, name: r.name }));
    } catch (e) {
      return [{ kind: 'message', text: (e as Error).message }];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
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
    const item = new vscode.TreeItem(node.server === HUB ? 'Docker Hub' : node.server, vscode.TreeItemCollapsibleState.Collapsed);
    item.iconPath = new vscode.ThemeIcon(node.loggedIn ? 'account' : 'globe');
    item.description = node.loggedIn ? vscode.l10n.t('logged in') : '';
    item.contextValue = node.loggedIn ? 'registry.loggedIn' : 'registry';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
