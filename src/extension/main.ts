/**
 * The VS Code extension's entry point. Activation stays cheap: the language client starts when a
 * Dockerfile opens; the views and commands open the engine only when they need it.
 */
import * as vscode from 'vscode';
import { startLanguageClient } from './language-client';

/** Called by VS Code when an activation event fires. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Berth', { log: true });
  context.subscriptions.push(output);
  await startLanguageClient(context, output);
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
