/** `berth pull` and `berth push`: images from and to registries, with Docker's output. */
import type { Command, CommandContext } from '../command';
import { parsePlatform } from '../platform';
import { LayerProgress } from '../progress';
import { familiarString, parseReference } from '../../engine/ref/reference';
import type { PullEvent, PushEvent } from '../../engine/engine';
import { isBerthError } from '../../engine/errors';
import { askCredentials } from './login';


/** Prints pull events as `docker pull` does. */
function pullPrinter(ctx: CommandContext, quiet: boolean): (e: PullEvent) => void {
  const progress = new LayerProgress(ctx.stdout, ctx.stdoutIsTTY);
  return (e) => {
    if (quiet) return;
    if (e.type === 'start') progress.line(`${e.reference}: Pulling from ${e.repository}`);
    else if (e.type === 'layer') progress.update(e.id, e.status, e.current, e.total);
    else if (e.type === 'digest') {
      progress.finish();
      ctx.out(`Digest: ${e.digest}`);
    } else if (e.type === 'status') {
      const name = familiarString(parseReference(e.reference));
      ctx.out(e.upToDate ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}`);
    } else if (e.type === 'retry') ctx.err(e.message);
  };
}

export const pullCommand: Command = {
  path: ['image', 'pull'],
  aliases: [['pull']],
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  summary: 'Download an image from a registry',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'all-tags', short: 'a', kind: 'bool', description: 'Download all tagged images in the repository' },
    { name: 'platform', kind: 'string', valueName: 'string', description: 'Set platform if server is multi-platform capable (e.g. linux/arm64)' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress verbose output' },
  ],
  async run(ctx, flags, [name]) {
    const engine = await ctx.engine();
    const results = await engine.pull(name!, { allTags: Boolean(flags['all-tags']), platform: parsePlatform(flags.platform as string | undefined), onEvent: pullPrinter(ctx, Boolean(flags.quiet)) });
    if (flags['all-tags']) ctx.out(results[0] ? results[0].reference.replace(/:[^:/]+$/, '') : '');
    else ctx.out(results[0]!.reference);
  },
};

/** Prints push events as `docker push` does. */
function pushPrinter(ctx: CommandContext, quiet: boolean): (e: PushEvent) => void {
  const progress = new LayerProgress(ctx.stdout, ctx.stdoutIsTTY);
  return (e) => {
    if (quiet) return;
    if (e.type === 'start') progress.line(`The push refers to repository [${e.repository}]`);
    else if (e.type === 'layer') progress.update(e.id, e.status === 'Mounted from' ? `Mounted from ${e.from}` : e.status, e.current, e.total);
    else if (e.type === 'done') {
      progress.finish();
      ctx.out(`${e.tag}: digest: ${e.digest} size: ${e.size}`);
    }
  };
}

export const pushCommand: Command = {
  path: ['image', 'push'],
  aliases: [['push']],
  usage: '[OPTIONS] NAME[:TAG]',
  summary: 'Upload an image to a registry',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'all-tags', short: 'a', kind: 'bool', description: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress verbose output' },
  ],
  async run(ctx, flags, [name]) {
    const engine = await ctx.engine();
    const push = () => engine.push(name!, { allTags: Boolean(flags['all-tags']), onEvent: pushPrinter(ctx, Boolean(flags.quiet)) });
    let pushed;
    try {
      pushed = await push();
    } catch (e) {
      // As the seeds show: on a terminal, an unauthorized push asks for a login, stores it, and tries again.
      if (!isBerthError(e, 'UNAUTHORIZED') || !ctx.stdinIsTTY) throw e;
      ctx.err(e.message);
      const domain = parseReference(name!).domain;
      await engine.login(domain, await askCredentials(ctx));
      ctx.err('Login Succeeded');
      pushed = await push();
    }
    if (flags.quiet) for (const p of pushed) ctx.out(p.digest);
  },
};
