/** `berth import`, `berth save` and `berth load`: images to and from files. */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from '../command';
import { EXIT_FAILURE } from '../command';
import { UsageError } from '../args';
import { parsePlatform } from '../platform';
import { formatReference, parseReference, withDefaultTag } from '../../engine/ref/reference';
import { openUrl } from '../../engine/remote/http';
import { BerthError, sysCode } from '../../engine/errors';

/** Opens a file to read; a missing or unreadable file is a clear error before any work starts. */
async function openInput(path: string): Promise<Readable> {
  try {
    return (await open(path, 'r')).createReadStream({ highWaterMark: 1 << 20 });
  } catch (e) {
    const code = sysCode(e);
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new BerthError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `open ${path}: ${why}`, { cause: e });
  }
}


export const importCommand: Command = {
  path: ['image', 'import'],
  aliases: [['import']],
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  summary: 'Import the contents from a tarball to create a filesystem image',
  minArgs: 1,
  maxArgs: 2,
  flags: [
    { name: 'change', short: 'c', kind: 'list', valueName: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', valueName: 'string', description: 'Set commit message for imported image' },
    { name: 'platform', kind: 'string', valueName: 'string', description: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx, flags, [source, name]) {
    const tag = name === undefined ? undefined : formatReference(withDefaultTag(parseReference(name)));
    let input: Readable;
    if (source === '-') input = ctx.stdin;
    else if (/^https?:\/\//i.test(source!)) input = await openUrl(source!);
    else input = await openInput(resolve(ctx.cwd, source!));
    const { id } = await (await ctx.engine()).importImage(input, {
      sourceName: source!, tag, changes: (flags.change as string[] | undefined) ?? [], message: flags.message as string | undefined,
      platform: parsePlatform(flags.platform as string | undefined),
    });
    ctx.out(id);
  },
};

export const saveCommand: Command = {
  path: ['image', 'save'],
  aliases: [['save']],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  minArgs: 1,
  flags: [
    { name: 'output', short: 'o', kind: 'string', valueName: 'string', description: 'Write to a file, instead of STDOUT' },
    { name: 'format', kind: 'string', valueName: 'string', default: 'docker', description: 'Archive format: "docker" (docker save/load) or "oci" (an OCI image layout)' },
  ],
  async run(ctx, flags, names) {
    const format = flags.format as string;
    if (format !== 'docker' && format !== 'oci') throw new UsageError(`invalid --format "${format}": use "docker" or "oci"`);
    const output = flags.output as string | undefined;
    if (!output && ctx.stdoutIsTTY) {
      ctx.err('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect');
      return EXIT_FAILURE;
    }
    await (await ctx.engine()).save(names, output ? resolve(ctx.cwd, output) : ctx.stdout, { format });
  },
};

export const loadCommand: Command = {
  path: ['image', 'load'],
  aliases: [['load']],
  usage: '[OPTIONS]',
  summary: 'Load an image from a tar archive or STDIN',
  maxArgs: 0,
  flags: [
    { name: 'input', short: 'i', kind: 'string', valueName: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress the load output' },
  ],
  async run(ctx, flags) {
    const file = flags.input as string | undefined;
    if (!file && ctx.stdinIsTTY) {
      ctx.err('Error: requested load from stdin, but stdin is empty');
      return EXIT_FAILURE;
    }
    const input = file ? await openInput(resolve(ctx.cwd, file)) : ctx.stdin;
    const { loaded } = await (await ctx.engine()).load(input, { sourceName: file ?? 'standard input' });
    if (!flags.quiet) for (const l of loaded) ctx.out(l.tag ? `Loaded image: ${l.tag}` : `Loaded image ID: ${l.id}`);
  },
};
