/**
 * `berth`: docker-compatible image verbs over the bundled engine, or over a Docker or Podman engine
 * (`--engine docker`, `BERTH_ENGINE=docker`). Global options come before the verb: `berth --root DIR images`.
 */
import type { ImageEngine } from '../engine/engine';
import { openEngine, parseEngineKind, type EngineKind } from '../engine/choose';
import { isBerthError } from '../engine/errors';
import { parseFlags, UsageError, type FlagSpec } from './args';
import { EXIT_FAILURE, EXIT_USAGE, type Command, type CommandContext } from './command';
import { commands } from './commands/index';
import { commandHelp, groupHelp, topHelp } from './help';
import { readLine } from './prompt';

const VERSION = '0.1.0';

const globalFlags: FlagSpec[] = [
  { name: 'engine', kind: 'string', valueName: 'string', description: 'The engine to use: "bundled" (default, no daemon) or "docker" (the Docker or Podman engine at $DOCKER_HOST or its default socket); default $BERTH_ENGINE' },
  { name: 'root', kind: 'string', valueName: 'string', description: 'Location of the image store (default: $BERTH_ROOT or the platform data folder)' },
  { name: 'insecure-registry', kind: 'list', valueName: 'list', description: 'A registry that may be reached over plain HTTP when it does not offer HTTPS (repeatable)' },
  { name: 'registry-mirror', kind: 'list', valueName: 'list', description: 'A Docker Hub mirror to try first (repeatable)' },
  { name: 'help', short: 'h', kind: 'bool', description: 'Print usage' },
  { name: 'version', short: 'v', kind: 'bool', description: 'Print version information and quit' },
];

/** Finds the command named by the leading words of `words`. */
function findCommand(words: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    for (const path of [command.path, ...(command.aliases ?? [])]) {
      if (path.every((w, i) => words[i] === w) && (!best || path.length > best.command.path.length)) {
        best = { command, rest: words.slice(path.length) };
      }
    }
  }
  return best;
}

/** Runs the CLI with these arguments and streams; returns the exit code. */
export async function runCli(argv: string[], io: Pick<CommandContext, 'stdout' | 'stderr' | 'stdin' | 'stdinIsTTY' | 'stdoutIsTTY' | 'env' | 'cwd'>): Promise<number> {
  let engine: Promise<ImageEngine> | undefined;
  let root: string | undefined;
  let kind: EngineKind = 'bundled';
  let registry: { insecureRegistries?: string[]; registryMirrors?: string[] } = {};
  const ctx: CommandContext = {
    ...io,
    engine: () => (engine ??= openEngine(kind, { root: root ?? io.env.BERTH_ROOT ?? undefined, env: io.env, ...registry })),
    out: (line) => void io.stdout.write(line + '\n'),
    err: (line) => void io.stderr.write(line + '\n'),
    confirm: async (question) => {
      io.stderr.write(`${question} [y/N] `);
      const answer = await readLine(io.stdin);
      return /^y(es)?$/i.test(answer.trim());
    },
  };
  let words: string[];
  try {
    const parsed = parseFlags(argv, globalFlags, false);
    if (parsed.values.version) {
      ctx.out(`Berth version ${VERSION}`);
      return 0;
    }
    root = parsed.values.root as string | undefined;
    const chosen = (parsed.values.engine as string | undefined) ?? io.env.BERTH_ENGINE;
    if (chosen) kind = parseEngineKind(chosen, parsed.values.engine ? '--engine' : 'BERTH_ENGINE');
    registry = { insecureRegistries: parsed.values['insecure-registry'] as string[] | undefined, registryMirrors: parsed.values['registry-mirror'] as string[] | undefined };
    words = parsed.args;
    if (parsed.values.help || words.length === 0) {
      ctx.out(topHelp(commands, globalFlags));
      return 0;
    }
  } catch (e) {
    ctx.err(`${(e as Error).message}\nSee 'berth --help'.`);
    return EXIT_USAGE;
  }
  const found = findCommand(words);
  if (!found) {
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === words[0]);
    if (group.length && (words.length === 1 || words[1] === '--help' || words[1] === '-h' || words[1] === 'help')) {
      ctx.out(groupHelp(words[0]!, group));
      return 0;
    }
    ctx.err(`berth: '${words.join(' ')}' is not a berth command.\nSee 'berth --help'`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  const name = `berth ${command.path.join(' ')}`;
  try {
    const { values, args } = parseFlags(rest, [...command.flags, { name: 'help', kind: 'bool', description: 'Print usage' }]);
    if (values.help) {
      ctx.out(commandHelp(command));
      return 0;
    }
    checkArgCount(command, args, name);
    try {
      return (await command.run(ctx, values, args)) ?? 0;
    } finally {
      if (engine) await (await engine).close();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.err(`${e.message}\nSee '${name} --help'.`);
      return EXIT_USAGE;
    }
    ctx.err(`Error: ${isBerthError(e) ? e.message : describe(e)}`);
    return EXIT_FAILURE;
  }
}

function checkArgCount(command: Command, args: string[], name: string): void {
  const min = command.minArgs ?? 0;
  const max = command.maxArgs ?? Infinity;
  if (args.length >= min && args.length <= max) return;
  const need = min === max ? `exactly ${min} argument${min === 1 ? '' : 's'}` : args.length < min ? `at least ${min} argument${min === 1 ? '' : 's'}` : `at most ${max} argument${max === 1 ? '' : 's'}`;
  throw new UsageError(`"${name}" requires ${need}.\n\nUsage:  ${name} ${command.usage}\n\n${command.summary}`);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOSPC' || code === 'EISDIR') return e.message;
    return e.stack ?? e.message;
  }
  return String(e);
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
