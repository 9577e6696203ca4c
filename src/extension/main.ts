/**
 * The VS Code extension's entry point. Activation stays cheap: the engine opens when a view or command
 * first needs it, and the language client starts with it for Dockerfiles.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './language-client';
import { EngineHost } from './engine-host';
import { ImagesProvider } from './images-view';
import { InspectDocuments, SCHEME } from './documents';
import { registerCommands, type CommandContext } from './commands';
import { registerTasks } from './tasks';
import { RegistriesProvider } from './registries-view';

/** Called by VS Code when an activation event fires. */
export async function activate(context: vscode.ExtensionContext): Promise<{ activationMs: number; images: ImagesProvider }> {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('Berth', { log: true });
  const host = new EngineHost(output);
  const images = new ImagesProvider(host);
  const documents = new InspectDocuments(host);
  const buildDiagnostics = vscode.languages.createDiagnosticCollection('berth-build');
  const registries = new RegistriesProvider(host);
  const c: CommandContext = { context, host, images, documents, output, buildDiagnostics, registriesChanged: () => registries.refresh() };
  context.subscriptions.push(
    output, host, images, buildDiagnostics,
    vscode.window.createTreeView('berth.images', { treeDataProvider: images, showCollapseAll: true }),
    registries,
    vscode.window.createTreeView('berth.registries', { treeDataProvider: registries }),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    ...registerCommands(c),
    registerTasks(c),
  );
  void startLanguageClient(context, output).catch((e: unknown) => output.error(`the Dockerfile language server did not start: ${(e as Error).message}`));
  const activationMs = performance.now() - started;
  output.info(`activated in ${activationMs.toFixed(0)} ms`);
  return { activationMs, images };
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
