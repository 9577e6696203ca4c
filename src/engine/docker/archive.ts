/**
 * Archives through the engine: `save` streams `GET /images/get` (a docker-save tar) to a stream or a
 * file (written beside it and renamed, so a half-written file is never visible), `load` streams a tar
 * into `POST /images/load`, `import` a rootfs tarball into `POST /images/create?fromSrc=-`. Bytes are
 * counted as they pass for progress; nothing is buffered whole.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../oci/digest';
import { BerthError, isBerthError } from '../errors';
import { parseReference, repositoryOf } from '../ref/reference';
import { platformString } from '../oci/platform';
import type { ImportOptions } from '../archive/import';
import type { LoadResult } from '../archive/load';
import type { SaveFormat } from '../archive/save';
import type { Progress } from '../engine';
import type { DockerClient } from './client';
import { jsonMessages, throwIfError } from './messages';
import { inspectEngineImage } from './images';

/** A pass-through that reports the bytes seen so far. */
function counter(onProgress?: Progress): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      onProgress?.(n);
      done(null, chunk);
    },
  });
}

/**
 * `docker save`: the images as one docker-format tar into `out` (a stream, left open for the caller to
 * end as the bundled engine does, or a file path).
 */
export async function engineSave(client: DockerClient, names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void> {
  if (options.format !== 'docker') {
    throw new BerthError('UNSUPPORTED', `the Docker engine saves docker-format archives only; use --format docker, or save from the bundled engine for an OCI archive`);
  }
  const what = `saving ${names.join(', ')}`;
  // Every name is checked first, so a wrong one fails before any file is made.
  for (const n of names) await inspectEngineImage(client, n);
  const res = await client.request('GET', '/images/get', { query: { names }, what });
  if (typeof out !== 'string') {
    await pipeline(res.body, counter(options.onProgress), out, { end: false });
    return;
  }
  const tmp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await pipeline(res.body, counter(options.onProgress), createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw isBerthError(e) ? e : new BerthError('IO', `${what} to ${out}: ${(e as Error).message}`, { cause: e });
  }
}

/** `docker load`: a docker-save (or OCI) tar into the engine. */
export async function engineLoad(client: DockerClient, input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult> {
  const what = `loading ${options.sourceName}`;
  const body = input.pipe(counter(options.onProgress));
  input.once('error', (e) => body.destroy(e));
  const res = await client.request('POST', '/images/load', { query: { quiet: 1 }, headers: { 'Content-Type': 'application/x-tar' }, body, what });
  const loaded: LoadResult['loaded'] = [];
  for await (const m of jsonMessages(res.body)) {
    throwIfError(m, what, 'INVALID_ARCHIVE');
    for (const line of (m.stream ?? '').split('\n')) {
      const byId = /^Loaded image ID: (sha256:[a-f0-9]{64})$/.exec(line);
      const byTag = /^Loaded image: (.+)$/.exec(line);
      if (byId) loaded.push({ id: byId[1] as Digest });
      else if (byTag) loaded.push({ tag: byTag[1]!, id: (await inspectEngineImage(client, byTag[1]!)).Id as Digest });
    }
  }
  return { loaded };
}

/** `docker import`: a root filesystem tarball into a one-layer image. */
export async function engineImport(client: DockerClient, source: Readable, options: ImportOptions): Promise<{ id: Digest }> {
  const what = `importing ${options.sourceName}`;
  const ref = options.tag ? parseReference(options.tag) : undefined;
  const body = source.pipe(counter(options.onProgress));
  source.once('error', (e) => body.destroy(e));
  const res = await client.request('POST', '/images/create', {
    query: {
      fromSrc: '-',
      repo: ref ? repositoryOf(ref) : undefined,
      tag: ref?.tag,
      changes: options.changes,
      message: options.message,
      platform: options.platform ? platformString(options.platform) : undefined,
    },
    headers: { 'Content-Type': 'application/x-tar' },
    body, what,
  });
  let id: Digest | undefined;
  for await (const m of jsonMessages(res.body)) {
    throwIfError(m, what, 'INVALID_ARCHIVE');
    if (m.status && /^sha256:[a-f0-9]{64}$/.test(m.status)) id = m.status as Digest;
  }
  if (!id) throw new BerthError('ENGINE', `${what}: the engine did not report the new image`);
  return { id };
}
