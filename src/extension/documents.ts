/**
 * Read-only documents for Inspect (the JSON of `docker image inspect`) and History (a table), served
 * under the `berth:` scheme, so they open in an ordinary editor and are never written anywhere.
 */
import * as vscode from 'vscode';
import type { EngineHost } from './engine-host';
import { humanSize } from '../dockerfile/docs/human';

export const SCHEME = 'berth';

export class InspectDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly host: EngineHost) {}

  /** Opens the inspect JSON or the history of an image (by reference or ID). */
  async open(kind: 'inspect' | 'history', name: string): Promise<void> {
    const safe = name.replace(/[/:@]/g, '_');
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${kind}/${safe}.${kind === 'inspect' ? 'json' : 'txt'}`, query: new URLSearchParams({ name }).toString() });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const name = new URLSearchParams(uri.query).get('name') ?? '';
    const engine = await this.host.get();
    if (uri.path.startsWith('/inspect/')) return `${JSON.stringify([await engine.inspect(name)], null, 4)}\n`;
    const rows = await engine.history(name);
    const lines = rows.map((r) => [r.id === '<missing>' ? '<missing>' : r.id.replace(/^sha256:/, '').slice(0, 12), r.created ?? '', humanSize(r.size), (r.createdBy ?? '').replace(/\s+/g, ' ')]);
    const widths = [12, 25, 8];
    const header = ['IMAGE', 'CREATED', 'SIZE', 'CREATED BY'];
    const pad = (cols: string[]): string => cols.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join('   ');
    return [pad(header), ...lines.map(pad)].join('\n') + '\n';
  }
}
