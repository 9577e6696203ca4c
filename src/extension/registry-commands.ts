/**
 * "Add Registry..." and "Remove Registry": the registries the user adds to the Registries view live in
 * the setting `berth.registries` (a list of hosts the user can also edit by hand), written where it is
 * set already (the workspace's settings when it is set there, else the user's).
 */
import * as vscode from 'vscode';
import { checkRegistryHost, withoutRegistry, withRegistry } from './registries-model';
import { hostProblemText, REGISTRIES_SETTING, type RegistryNode } from './registries-view';

function addedList(): { list: unknown[]; target: vscode.ConfigurationTarget } {
  const config = vscode.workspace.getConfiguration('berth');
  const inspected = config.inspect<unknown[]>(REGISTRIES_SETTING);
  const inWorkspace = inspected?.workspaceValue !== undefined;
  const value = config.get<unknown[]>(REGISTRIES_SETTING);
  return { list: Array.isArray(value) ? value : [], target: inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global };
}

async function store(list: unknown[], target: vscode.ConfigurationTarget): Promise<void> {
  await vscode.workspace.getConfiguration('berth').update(REGISTRIES_SETTING, list, target);
}

/** Adds a registry: the host given (tests, other extensions), else the one the user types. Returns the host added. */
async function addRegistry(preset?: unknown): Promise<string | undefined> {
  const typed = typeof preset === 'string' ? preset : await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Registry to add to the Registries view (HOST[:PORT])'),
    placeHolder: 'ghcr.io, localhost:5000',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const check = checkRegistryHost(v);
      return check.ok ? undefined : hostProblemText(check);
    },
  });
  if (typed === undefined) return undefined;
  const check = checkRegistryHost(typed);
  if (!check.ok) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot add the registry "{0}": {1}', typed, hostProblemText(check)));
    return undefined;
  }
  const { list, target } = addedList();
  const next = withRegistry(list, check.host);
  if (next.length !== list.length) await store(next, target);
  return check.host;
}

/** Removes an added registry: the row or host given, else one the user picks among the added ones. */
async function removeRegistry(item?: unknown): Promise<void> {
  const { list, target } = addedList();
  const node = item as Partial<RegistryNode> | undefined;
  let host = typeof item === 'string' ? item : node?.kind === 'registry' ? node.server : undefined;
  if (host === undefined) {
    const hosts = list.filter((h): h is string => typeof h === 'string');
    if (hosts.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No registries were added. Use "Add Registry..." to add one.'));
      return;
    }
    host = await vscode.window.showQuickPick(hosts, { placeHolder: vscode.l10n.t('Registry to remove from the Registries view') });
    if (host === undefined) return;
  }
  const check = checkRegistryHost(host);
  const next = check.ok ? withoutRegistry(list, check.host) : list.filter((h) => h !== host);
  if (next.length === list.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} was not added to the Registries view; there is nothing to remove.', host));
    return;
  }
  await store(next, target);
  if (node?.kind === 'registry' && node.loggedIn) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} stays listed while credentials for it are stored; Log Out removes them.', host));
  }
}

/** Registers the commands that edit the list of added registries. */
export function registerRegistryCommands(): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('berth.registries.add', addRegistry),
    vscode.commands.registerCommand('berth.registries.remove', removeRegistry),
  ];
}
