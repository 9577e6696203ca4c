/**
 * The build context as the tar stream `POST /build` reads: the context folder walked through
 * `.dockerignore` by the bundled builder's own BuildContext (so both backends send the same files),
 * streamed file by file with tar-stream, never held in memory or written to disk. The Dockerfile is
 * always sent, even when ignored, as the docker CLI does; one from outside the context or from
 * standard input goes in under a generated name.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { BuildContext, type ContextEntry } from '../build/context';

/** The context stream and the Dockerfile's name inside it. */
export interface ContextArchive {
  stream: Pack;
  dockerfile: string;
}

/** Where the Dockerfile is: a path inside the context, or text to add under a generated name. */
async function dockerfileSource(dir: string, dockerfile: string | undefined, text: string | undefined): Promise<{ inside?: string; text?: string }> {
  if (text !== undefined) return { text };
  const file = dockerfile ?? join(dir, 'Dockerfile');
  const rel = relative(dir, file);
  if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return { inside: rel.split(sep).join('/') };
  return { text: await readFile(file, 'utf8') };
}

function header(e: ContextEntry): Parameters<Pack['entry']>[0] {
  const base = { name: e.type === 'directory' ? `${e.path}/` : e.path, mode: e.mode, mtime: new Date(e.mtimeMs), uid: 0, gid: 0 };
  if (e.type === 'directory') return { ...base, type: 'directory' };
  if (e.type === 'symlink') return { ...base, type: 'symlink', linkname: e.linkTarget };
  return { ...base, type: 'file', size: e.size };
}

async function addEntry(p: Pack, dir: string, e: ContextEntry): Promise<void> {
  if (e.type !== 'file') {
    await new Promise<void>((resolve, reject) => p.entry(header(e), (err) => (err ? reject(err) : resolve())));
    return;
  }
  const sink = p.entry(header(e));
  await pipeline(createReadStream(join(dir, e.path), { highWaterMark: 1 << 20 }), sink);
}

/** Opens the context and starts streaming it; errors end the stream with the error. */
export async function contextArchive(dir: string, options: { dockerfile?: string; dockerfileText?: string }): Promise<ContextArchive> {
  const context = await BuildContext.open(dir, { dockerfile: options.dockerfile });
  const source = await dockerfileSource(dir, options.dockerfile, options.dockerfileText);
  const entries = (await context.walk('.')).filter((e) => e.path !== '.');
  const name = source.inside ?? `.dockerfile.${randomBytes(10).toString('hex')}`;
  const stream = pack();
  void (async () => {
    for (const e of entries) await addEntry(stream, dir, e);
    if (source.inside && !entries.some((e) => e.path === source.inside)) {
      const st = await lstat(join(dir, source.inside));
      await addEntry(stream, dir, { path: source.inside, type: 'file', mode: st.mode & 0o7777, size: st.size, mtimeMs: st.mtimeMs });
    }
    if (source.text !== undefined) stream.entry({ name, mode: 0o644, mtime: new Date(0) }, source.text);
    stream.finalize();
  })().catch((err: unknown) => stream.destroy(err as Error));
  return { stream, dockerfile: name };
}
