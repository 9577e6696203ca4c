/**
 * The VS Code extension's entry point. The views, commands and language client are built on the engine
 * in their own issue; activation stays cheap: nothing is opened until a view or command needs it.
 */
import * as vscode from 'vscode';

/** Called by VS Code when an activation event fires. */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Berth');
  context.subscriptions.push(output);
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
