/**
 * The `berth` task type: a build that lives in tasks.json, e.g.
 * `{ "type": "berth", "dockerfile": "Dockerfile", "tags": ["app:dev"] }`, run in a terminal that shows
 * Docker's build output.
 */
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { runBuild, type CommandContext } from './commands';

interface BerthTaskDefinition extends vscode.TaskDefinition {
  dockerfile: string;
  context?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
}

export function registerTasks(c: CommandContext): vscode.Disposable {
  return vscode.tasks.registerTaskProvider('berth', {
    provideTasks: () => [],
    resolveTask(task) {
      const def = task.definition as BerthTaskDefinition;
      if (!def.dockerfile) return undefined;
      const folder = task.scope && typeof task.scope === 'object' ? task.scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      const abs = (p: string): string => (isAbsolute(p) ? p : join(folder, p));
      const dockerfile = abs(def.dockerfile);
      const execution = new vscode.CustomExecution(async () => {
        const written = new vscode.EventEmitter<string>();
        const closed = new vscode.EventEmitter<number>();
        const terminal: vscode.Pseudoterminal = {
          onDidWrite: written.event,
          onDidClose: closed.event,
          open: () => {
            void runBuild(c, vscode.Uri.file(dockerfile), { tags: def.tags ?? [], context: def.context ? abs(def.context) : dirname(dockerfile), buildArgs: def.buildArgs, target: def.target, noCache: def.noCache }, (t) => written.fire(t))
              .then((id) => closed.fire(id ? 0 : 1));
          },
          close: () => undefined,
        };
        return terminal;
      });
      return new vscode.Task(task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name || `build ${def.dockerfile}`, 'berth', execution);
    },
  });
}
