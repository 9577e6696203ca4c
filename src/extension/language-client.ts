/**
 * The Dockerfile language client: starts Berth's language server (dist/server.js) over IPC for the
 * `dockerfile` language and keeps the `berth` settings in step with it. The server reads the store named
 * by `berth.storePath` for hover and completion on FROM.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/** Starts the client; it stops with the extension. */
export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const config = vscode.workspace.getConfiguration('berth');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    synchronize: { configurationSection: 'berth' },
    initializationOptions: { storePath: config.get<string>('storePath') || undefined, settings: { lint: config.get('lint') } },
    outputChannel: output,
  };
  const client = new LanguageClient('berth.dockerfile', 'Berth Dockerfile', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
  return client;
}
