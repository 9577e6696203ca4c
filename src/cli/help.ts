/** Help text laid out as the docker CLI lays out its own. */
import { formatFlagHelp, type FlagSpec } from './args';
import type { Command } from './command';

function columns(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}

/** `berth COMMAND --help`. */
export function commandHelp(command: Command): string {
  const name = `berth ${command.path.join(' ')}`;
  const parts = [`\nUsage:  ${name} ${command.usage}\n`, command.summary];
  if (command.aliases?.length) {
    parts.push('', 'Aliases:', `  ${[command.path, ...command.aliases].map((p) => `berth ${p.join(' ')}`).join(', ')}`);
  }
  const flags = [...command.flags, { name: 'help', kind: 'bool', description: 'Print usage' } as FlagSpec];
  parts.push('', 'Options:', formatFlagHelp(flags));
  return parts.join('\n');
}

/** `berth image --help`: the verbs of one group. */
export function groupHelp(group: string, commands: Command[]): string {
  const rows = commands.map((c) => [c.path.slice(1).join(' '), c.summary] as [string, string]).sort((a, b) => a[0].localeCompare(b[0]));
  return [`\nUsage:  berth ${group} COMMAND\n`, `Manage ${group === 'system' ? 'the image store' : `${group}s`}\n`, 'Commands:', columns(rows), `\nRun 'berth ${group} COMMAND --help' for more information on a command.`].join('\n');
}

/** `berth --help`. */
export function topHelp(commands: Command[], globalFlags: FlagSpec[]): string {
  const top = new Map<string, string>();
  for (const c of commands) for (const p of [c.path, ...(c.aliases ?? [])]) if (p.length === 1) top.set(p[0]!, c.summary);
  const groups = [...new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]!))].sort();
  const groupRows: [string, string][] = groups.map((g) => [g, g === 'system' ? 'Manage the image store' : `Manage ${g}s`]);
  return [
    '\nUsage:  berth [OPTIONS] COMMAND\n',
    'Container images without a daemon: pull, build, tag, inspect, push, save and load.\n',
    'Options:', formatFlagHelp(globalFlags), '',
    'Management Commands:', columns(groupRows), '',
    'Commands:', columns([...top.entries()].sort((a, b) => a[0].localeCompare(b[0]))), '',
    "Run 'berth COMMAND --help' for more information on a command.",
  ].join('\n');
}
