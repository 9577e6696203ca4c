/**
 * The Images view: tags under their repository (or registry), each with size and age, untagged images
 * under `<none>`; groups open on demand, so a store of thousands of tags lists at once. It follows the
 * store through {@link EngineHost.onDidChange}.
 */
import * as vscode from 'vscode';
import type { EngineHost } from './engine-host';
import { isBerthError } from '../engine/errors';
import { imageRows, shortId, type Describe, type GroupBy, type Row, type SortBy } from './images-model';
import { humanSize } from '../dockerfile/docs/human';

export class ImagesProvider implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Row | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The rows last listed, for pickers and tests. */
  rows: Row[] = [];
  /** The tree view showing these rows: its description names the engine, its message an engine that does not answer. */
  view?: vscode.TreeView<Row>;

  constructor(private readonly host: EngineHost) {
    this.subscriptions.push(host.onDidChange(() => this.refresh()));
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('berth.images')) this.refresh();
    }));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: Row): Promise<Row[]> {
    if (element) return element.kind === 'group' ? element.children : [];
    if (this.view) this.view.description = this.host.kind === 'docker' ? vscode.l10n.t('Docker engine') : vscode.l10n.t('bundled');
    let engine;
    try {
      engine = await this.host.get();
    } catch (e) {
      if (!isBerthError(e, 'ENGINE_UNREACHABLE')) throw e;
      if (this.view) this.view.message = e.message;
      this.rows = [];
      return [];
    }
    if (this.view) {
      this.view.message = undefined;
      this.view.description = this.host.kind === 'docker' ? vscode.l10n.t('Docker engine ({0})', engine.location) : vscode.l10n.t('bundled');
    }
    const config = vscode.workspace.getConfiguration('berth.images');
    this.rows = imageRows(await engine.listImages(), {
      groupBy: config.get<GroupBy>('groupBy') ?? 'repository',
      sortBy: config.get<SortBy>('sortBy') ?? 'name',
      describe: config.get<Describe>('description') ?? 'size+age',
      now: Date.now(),
      locale: vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en',
    });
    void vscode.commands.executeCommand('setContext', 'berth.hasImages', this.rows.length > 0);
    return this.rows;
  }

  getTreeItem(row: Row): vscode.TreeItem {
    if (row.kind === 'group') {
      const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.contextValue = row.dangling ? 'group.dangling' : 'group';
      item.iconPath = new vscode.ThemeIcon(row.dangling ? 'question' : 'repo');
      item.description = `${row.children.length}`;
      item.id = `group:${row.label}`;
      return item;
    }
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.contextValue = row.reference ? 'image.tagged' : 'image.dangling';
    item.iconPath = new vscode.ThemeIcon(row.reference ? 'package' : 'circle-outline');
    item.id = `image:${row.reference ?? row.image.id}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${row.reference ?? shortId(row.image.id)}**\n\n`);
    md.appendMarkdown(`ID: \`${row.image.id}\`\n\n`);
    if (row.image.repoDigests[0]) md.appendMarkdown(`${vscode.l10n.t('Digest')}: \`${row.image.repoDigests[0]}\`\n\n`);
    md.appendMarkdown(`${vscode.l10n.t('Size')}: ${humanSize(row.image.size)}\n\n`);
    if (row.image.created) md.appendMarkdown(`${vscode.l10n.t('Created')}: ${row.image.created}\n\n`);
    item.tooltip = md;
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, row: Row): Promise<vscode.TreeItem> {
    if (row.kind !== 'image' || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    try {
      const engine = await this.host.get();
      const info = await engine.inspect(row.image.id) as unknown as { Os?: string; Architecture?: string; Variant?: string; Config?: { Labels?: Record<string, string> | null } };
      const platform = [info.Os, info.Architecture, info.Variant].filter(Boolean).join('/');
      if (platform) item.tooltip.appendMarkdown(`${vscode.l10n.t('Platform')}: ${platform}\n\n`);
      const labels = Object.entries(info.Config?.Labels ?? {});
      if (labels.length) item.tooltip.appendMarkdown(`${vscode.l10n.t('Labels')}:\n\n${labels.map(([k, v]) => `- \`${k}\`: ${v}`).join('\n')}\n`);
    } catch {
      // the image went away meanwhile: the tooltip keeps what the index said
    }
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
