/**
 * The VS Code extension's entry point. Activation stays cheap: the engine opens when a view or command
 * first needs it, and the language server starts when a Dockerfile is open.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './language-client';
import { EngineHost } from './engine-host';
import { ImagesProvider } from './images-view';
import { InspectDocuments, SCHEME } from './documents';
import { registerCommands, type CommandContext } from './commands';
import { registerTasks } from './tasks';
import { RegistriesProvider } from './registries-view';
import { registerRegistryCommands } from './registry-commands';

/** Called by VS Code when an activation event fires. */
export async function activate(context: vscode.ExtensionContext): Promise<{ activationMs: number; images: ImagesProvider; registries: RegistriesProvider }> {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('Berth', { log: true });
  const host = new EngineHost(output);
  const images = new ImagesProvider(host);
  const documents = new InspectDocuments(host);
  const buildDiagnostics = vscode.languages.createDiagnosticCollection('berth-build');
  const registries = new RegistriesProvider(host);
  const c: CommandContext = { context, host, images, documents, output, buildDiagnostics, registriesChanged: () => registries.refresh() };
  images.view = vscode.window.createTreeView('berth.images', { treeDataProvider: images, showCollapseAll: true });
  context.subscriptions.push(
    output, host, images, buildDiagnostics,
    images.view,
    registries,
    vscode.window.createTreeView('berth.registries', { treeDataProvider: registries }),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    ...registerCommands(c),
    ...registerRegistryCommands(),
    registerTasks(c),
  );
  // the language server is a process of its own: start it when a Dockerfile is open, not for the views alone
  let serverStarted = false;
  const startServer = (doc: vscode.TextDocument): void => {
    if (serverStarted || doc.languageId !== 'dockerfile') return;
    serverStarted = true;
    void startLanguageClient(context, output).catch((e: unknown) => output.error(`the Dockerfile language server did not start: ${(e as Error).message}`));
  };
  vscode.workspace.textDocuments.forEach(startServer);
  if (!serverStarted) {
    const waiting = vscode.workspace.onDidOpenTextDocument((doc) => {
      startServer(doc);
      if (serverStarted) waiting.dispose();
    });
    context.subscriptions.push(waiting);
  }
  const activationMs = performance.now() - started;
  output.info(`activated in ${activationMs.toFixed(0)} ms`);
  return { activationMs, images, registries };
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
