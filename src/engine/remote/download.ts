/**
 * Downloading a blob into the store. Bytes go to `ingest/partial-<hex>` while they are hashed; an
 * interrupted download (a cut connection, a killed process) resumes from there with a range request.
 * Only a blob whose size and digest match is renamed into place; one that does not is thrown away.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { BerthError, isBerthError, sysCode } from '../errors';
import { diskFullError, isDiskFull } from '../disk-full';
import { Digester, hexOf, type Digest } from '../oci/digest';
import { fastGet } from './fast-get';
import type { Descriptor } from '../oci/types';
import type { Lease } from '../store/leases';
import type { Store } from '../store/store';
import { withFileLock } from '../store/lock';
import { SequentialFile } from '../store/sequential-file';
import type { RepositoryClient } from './client';
import { networkError } from './errors';

/** Options of {@link downloadBlob}. */
export interface DownloadOptions {
  /** Called with the bytes of this blob that are present so far. */
  onBytes?: (current: number) => void;
  /** Says what is downloaded, for messages. */
  what: string;
  /** Times to resume after a cut connection. */
  resumes?: number;
  signal?: AbortSignal;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if (sysCode(e) === 'ENOENT') return 0;
    throw e;
  }
}

/** Hashes the bytes already downloaded by an earlier attempt. */
async function hashPrefix(path: string, digester: Digester): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) digester.update(chunk as Buffer);
}

/** Blobs smaller than this (configs, small layers) are written plainly: SequentialFile's 8 MiB of buffers cost more. */
const SEQUENTIAL_MIN = 1 << 20;

/** Where a body's bytes go: a fresh file written front to back, or the end of an earlier attempt's file. */
interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

async function openSink(path: string, append: boolean, size: number): Promise<Sink> {
  if (!append && size >= SEQUENTIAL_MIN) {
    await unlink(path).catch(() => undefined);
    // Big fresh downloads bypass the page cache (see SequentialFile): on this kind of machine that is the slow part.
    const file = await SequentialFile.create(path);
    return { write: (c) => file.write(c), close: () => file.close() };
  }
  const out = createWriteStream(path, { flags: append ? 'a' : 'w', highWaterMark: 1 << 20 });
  return {
    write: async (c) => {
      if (!out.write(c)) await once(out, 'drain');
    },
    close: async () => {
      out.end();
      await once(out, 'close');
    },
  };
}

/** Blobs at least this big, from a registry reached over plain HTTP, take the fast path (see fast-get.ts). */
const FAST_MIN = 8 << 20;

/**
 * Downloads a whole blob into a new file over the fast path, hashing as it goes. Returns `unsupported` when the
 * fast path does not apply (TLS, a proxy, a redirect, an error answer): nothing was written then. After
 * a cut connection the file holds what arrived, and the caller hashes it again to go on.
 */
async function fastDownload(repo: RepositoryClient, desc: Descriptor, path: string, options: DownloadOptions, env: NodeJS.ProcessEnv): Promise<{ kind: 'done'; digest: Digest } | { kind: 'cut' | 'unsupported' }> {
  const url = new URL(repo.baseUrl() + repo.path(`blobs/${desc.digest}`));
  if (url.protocol !== 'http:' || env.HTTP_PROXY || env.http_proxy) return { kind: 'unsupported' };
  const auth = repo.currentAuthorization();
  await unlink(path).catch(() => undefined);
  const digester = new Digester();
  const file = await SequentialFile.create(path);
  let outcome: Awaited<ReturnType<typeof fastGet>>;
  try {
    outcome = await fastGet(url, { 'user-agent': 'berth', ...(auth ? { authorization: auth } : {}) }, {
      onBody: (chunk) => {
        const n = file.writeSome(chunk);
        digester.update(chunk.subarray(0, n));
        options.onBytes?.(digester.size);
        return n;
      },
      ready: () => file.ready(),
    }, options.signal);
  } finally {
    await file.close();
  }
  if (outcome.kind === 'unsupported') {
    await unlink(path).catch(() => undefined);
    return { kind: 'unsupported' };
  }
  if (outcome.kind === 'done' && outcome.status === 200 && digester.size === desc.size) return { kind: 'done', digest: digester.digest() };
  return { kind: 'cut' };
}

/** Appends one response's body to `path`, hashing it; stops at `limit` bytes (a registry that sends too much is lying). */
async function appendBody(body: AsyncIterable<Uint8Array>, path: string, append: boolean, digester: Digester, limit: number, onBytes?: (n: number) => void): Promise<void> {
  const sink = await openSink(path, append, limit);
  try {
    for await (const chunk of body) {
      if (digester.size + chunk.length > limit) throw new BerthError('SIZE_MISMATCH', `more than the ${limit} bytes the manifest gives`);
      digester.update(chunk);
      await sink.write(chunk);
      onBytes?.(digester.size);
    }
  } finally {
    await sink.close();
  }
}

/** Runs a download; on a full disk the part downloaded is removed (it holds the space the user must free) and the error says so. */
async function discardingOnFullDisk<T>(store: Store, partial: string, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!isDiskFull(e)) throw e;
    await unlink(partial).catch(() => undefined);
    throw diskFullError(store.root, e, what);
  }
}

/** Downloads `desc` from `repo` into the store (pinned by `lease`); returns false when the store already had it. */
export async function downloadBlob(store: Store, lease: Lease, repo: RepositoryClient, desc: Descriptor, options: DownloadOptions): Promise<boolean> {
  await lease.pin(desc.digest);
  if (await store.blobs.has(desc.digest)) return false;
  const dir = store.layout.ingestDir;
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `partial-${hexOf(desc.digest)}`);
  return withFileLock(`${partial}.lock`, () => discardingOnFullDisk(store, partial, options.what, async () => {
    if (await store.blobs.has(desc.digest)) return false;
    const digester = new Digester();
    if ((await sizeOf(partial)) > desc.size) await unlink(partial);
    if ((await sizeOf(partial)) > 0) await hashPrefix(partial, digester);
    options.onBytes?.(digester.size);
    let resumes = options.resumes ?? 5;
    let digest: Digest | undefined;
    if (digester.size === 0 && desc.size >= FAST_MIN) {
      const fast = await fastDownload(repo, desc, partial, options, process.env);
      if (fast.kind === 'done') digest = fast.digest;
      else if (fast.kind === 'cut') await hashPrefix(partial, digester);
    }
    while (digest === undefined) {
      // Whole already (a verified blob an earlier pull set aside, or a cut right at the end): nothing to ask for.
      if (digester.size === desc.size) {
        digest = digester.digest();
        break;
      }
      const offset = digester.size;
      const res = await repo.expect('GET', repo.path(`blobs/${desc.digest}`), offset > 0 ? [200, 206, 416] : [200, 206], {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, retry: true, what: options.what, signal: options.signal,
      });
      if (res.statusCode === 416) {
        // Nothing past `offset`: the blob is shorter than the manifest says.
        await res.body.dump().catch(() => undefined);
        await unlink(partial).catch(() => undefined);
        throw new BerthError('SIZE_MISMATCH', `${options.what}: the registry has only ${offset} bytes of it, not the ${desc.size} the manifest gives; the download was thrown away`);
      }
      const resumed = res.statusCode === 206;
      if (!resumed && offset > 0) digester.reset();
      try {
        await appendBody(res.body, partial, resumed, digester, desc.size, options.onBytes);
      } catch (e) {
        res.body.destroy();
        if (isBerthError(e, 'SIZE_MISMATCH')) {
          await unlink(partial).catch(() => undefined);
          throw new BerthError('SIZE_MISMATCH', `${options.what}: the registry sent ${e.message}; the download was thrown away`);
        }
        if (options.signal?.aborted) throw new BerthError('CANCELLED', `${options.what}: cancelled (the part downloaded is kept and resumed next time)`);
        if (resumes-- <= 0) throw networkError(repo.baseUrl(), e);
        // Go on from what reached the file, hashing it again here.
        digester.reset();
        await hashPrefix(partial, digester);
        continue;
      }
      if (digest === undefined && digester.size >= desc.size) digest = digester.digest();
      else if (digest === undefined && resumes-- <= 0) throw new BerthError('NETWORK', `${options.what}: the registry ended the download after ${digester.size} of ${desc.size} bytes`, { retryable: true });
      else if (digest === undefined) {
        digester.reset();
        await hashPrefix(partial, digester);
      }
    }
    if (digest !== desc.digest) {
      await unlink(partial).catch(() => undefined);
      throw new BerthError('DIGEST_MISMATCH', `${options.what}: the registry sent content with digest ${digest}, not ${desc.digest}; it was thrown away`);
    }
    await store.blobs.commitTemp(partial, desc.digest);
    return true;
  }));
}
