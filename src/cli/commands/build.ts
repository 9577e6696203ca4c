/** `berth build`: a Dockerfile and its context into an image, printed as Docker's classic builder prints it. */
import { writeFile, rename } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../args';
import { parsePlatform } from '../platform';
import { LayerProgress } from '../progress';
import { familiarString, parseReference } from '../../engine/ref/reference';
import type { BuildEvent, PullEvent } from '../../engine/engine';

/** The 12 hex digits Docker shows of an image ID. */
function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Prints build events as `docker build` (the classic builder) does. */
function buildPrinter(ctx: CommandContext, quiet: boolean): (e: BuildEvent) => void {
  let atLineStart = true;
  const line = (text: string): void => {
    if (!atLineStart) ctx.stdout.write('\n');
    ctx.out(text);
    atLineStart = true;
  };
  const progress = new LayerProgress(ctx.stdout, ctx.stdoutIsTTY);
  return (e) => {
    if (e.type === 'warning') {
      ctx.err(e.message);
      return;
    }
    if (quiet) return;
    switch (e.type) {
      case 'step':
        line(`Step ${e.step}/${e.total} : ${e.text}`);
        break;
      case 'pull': {
        const p = e.event as PullEvent;
        if (p.type === 'start') progress.line(`${p.reference}: Pulling from ${p.repository}`);
        else if (p.type === 'layer') progress.update(p.id, p.status, p.current, p.total);
        else if (p.type === 'digest') {
          progress.finish();
          line(`Digest: ${p.digest}`);
        } else if (p.type === 'status') line(`Status: Downloaded newer image for ${familiarString(parseReference(p.reference))}`);
        else if (p.type === 'retry') ctx.err(p.message);
        break;
      }
      case 'triggers':
        line(`# Executing ${e.count} build trigger${e.count === 1 ? '' : 's'}`);
        break;
      case 'trigger':
        line(` ---> Trigger: ${e.text}`);
        break;
      case 'cache':
        line(' ---> Using cache');
        break;
      case 'run':
        line(` ---> Running in ${e.container}`);
        break;
      case 'output':
        ctx.stdout.write(e.chunk);
        if (e.chunk.length > 0) atLineStart = e.chunk[e.chunk.length - 1] === 0x0a;
        break;
      case 'removed':
        line(`Removing intermediate container ${e.container}`);
        break;
      case 'image':
        line(` ---> ${short(e.id)}`);
        break;
      case 'built':
        line(`Successfully built ${short(e.id)}`);
        break;
      case 'tagged':
        line(`Successfully tagged ${familiarString(parseReference(e.name))}`);
        break;
    }
  };
}

/** `K=V` words into a record; a bare `K` takes its value from the environment (`--build-arg`) or is empty (`--label`). */
function keyValues(words: string[] | undefined, fromEnv?: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words ?? []) {
    const eq = w.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid argument "${w}": the name is empty`);
    if (eq > 0) out[w.slice(0, eq)] = w.slice(eq + 1);
    else if (fromEnv) {
      if (fromEnv[w] !== undefined) out[w] = fromEnv[w]!;
    } else out[w] = '';
  }
  return out;
}

export const buildCommand: Command = {
  path: ['image', 'build'],
  aliases: [['build'], ['builder', 'build']],
  usage: '[OPTIONS] PATH',
  summary: 'Build an image from a Dockerfile',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'build-arg', kind: 'list', valueName: 'list', description: 'Set build-time variables' },
    { name: 'file', short: 'f', kind: 'string', valueName: 'string', description: "Name of the Dockerfile (Default is 'PATH/Dockerfile'; - reads it from standard input)" },
    { name: 'iidfile', kind: 'string', valueName: 'string', description: 'Write the image ID to the file' },
    { name: 'label', kind: 'list', valueName: 'list', description: 'Set metadata for an image' },
    { name: 'network', kind: 'string', valueName: 'string', description: 'Set the networking mode for the RUN instructions during build: default or none' },
    { name: 'no-cache', kind: 'bool', description: 'Do not use cache when building the image' },
    { name: 'platform', kind: 'string', valueName: 'string', description: 'Set platform if server is multi-platform capable' },
    { name: 'pull', kind: 'bool', description: 'Always attempt to pull a newer version of the image' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress the build output and print image ID on success' },
    { name: 'rm', kind: 'bool', description: 'Remove intermediate containers after a successful build (always)' },
    { name: 'tag', short: 't', kind: 'list', valueName: 'list', description: "Name and optionally a tag in the 'name:tag' format" },
    { name: 'target', kind: 'string', valueName: 'string', description: 'Set the target build stage to build.' },
  ],
  async run(ctx, flags, [path]) {
    if (path === '-') throw new UsageError('a context read from standard input is not supported; give a folder (and -f - to read the Dockerfile from standard input)');
    if (/^(https?|git):\/\/|^git@/.test(path!)) throw new UsageError(`a remote context (${path}) is not supported; clone it and give the folder`);
    const network = (flags.network as string | undefined) ?? 'default';
    if (network !== 'default' && network !== 'none' && network !== 'host' && network !== 'bridge') throw new UsageError(`network mode "${network}" not supported by the bundled engine; use default or none`);
    const tags = (flags.tag as string[] | undefined) ?? [];
    for (const t of tags) parseReference(t); // a bad name fails before any work
    const context = resolve(ctx.cwd, path!);
    const file = flags.file as string | undefined;
    let dockerfileText: string | undefined;
    if (file === '-') dockerfileText = await readAll(ctx);
    const quiet = Boolean(flags.quiet);
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const engine = await ctx.engine();
      const epoch = ctx.env.SOURCE_DATE_EPOCH;
      if (epoch !== undefined && !/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${epoch}"`);
      const result = await engine.build({
        context,
        dockerfile: file && file !== '-' ? (isAbsolute(file) ? file : resolve(ctx.cwd, file)) : undefined,
        dockerfileText,
        tags,
        buildArgs: keyValues(flags['build-arg'] as string[] | undefined, ctx.env),
        target: flags.target as string | undefined,
        noCache: Boolean(flags['no-cache']),
        pull: Boolean(flags.pull),
        labels: keyValues(flags.label as string[] | undefined),
        platform: parsePlatform(flags.platform as string | undefined),
        network: network === 'none' ? 'none' : 'default',
        sourceDateEpoch: epoch === undefined ? undefined : Number(epoch),
        onEvent: buildPrinter(ctx, quiet),
        signal: controller.signal,
      });
      if (quiet) ctx.out(result.id);
      const iidfile = flags.iidfile as string | undefined;
      if (iidfile) {
        const target = resolve(ctx.cwd, iidfile);
        await writeFile(`${target}.tmp`, result.id);
        await rename(`${target}.tmp`, target);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

async function readAll(ctx: CommandContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
