/**
 * Uploading a blob (distribution spec, "Pushing blobs"): skip it when the registry has it, mount it from
 * another repository of the same registry when one is known to hold it, else upload it in one request or
 * in chunks. The registry checks the digest given on the final request. The requests of an upload session
 * are not resent on their own (the registry may have acted on one whose answer was lost); after a
 * retryable failure the whole upload starts over, from the check whether the registry has the blob.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BerthError } from '../errors';
import type { Descriptor } from '../oci/types';
import type { Store } from '../store/store';
import type { RepositoryClient } from './client';

/** How a blob reached the registry. */
export type UploadOutcome = { kind: 'exists' } | { kind: 'mounted'; from: string } | { kind: 'pushed' };

/** Options of {@link uploadBlob}. */
export interface UploadOptions {
  /** Other repositories of this registry that hold the blob (paths, e.g. `library/busybox`). */
  mountFrom?: string[];
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks of `chunkSize`. */
  monolithicLimit?: number;
  chunkSize?: number;
  onBytes?: (sent: number) => void;
  what: string;
  signal?: AbortSignal;
}

function location(res: { headers: Record<string, string | string[] | undefined> }, base: string, what: string): string {
  const loc = res.headers.location;
  if (typeof loc !== 'string' || !loc) throw new BerthError('REGISTRY', `${what}: the registry started an upload but gave no Location`);
  return new URL(loc, base).toString();
}

function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/**
 * A stream of part of a stored blob, reporting the offset in the blob reached so far; each stream (a
 * retry makes a new one) counts from `start` again.
 */
function blobStream(store: Store, desc: Descriptor, start: number, end: number, onBytes?: (offset: number) => void): () => Readable {
  return () => {
    let offset = start;
    const stream = Readable.from((async function* () {
      const fh = await open(store.blobs.path(desc.digest), 'r');
      try {
        for await (const chunk of fh.createReadStream({ start, end: end - 1, highWaterMark: 1 << 20, autoClose: false })) {
          offset += (chunk as Buffer).length;
          onBytes?.(offset);
          yield chunk as Buffer;
        }
      } finally {
        await fh.close();
      }
    })());
    return stream;
  };
}

async function tryMount(repo: RepositoryClient, desc: Descriptor, from: string[], what: string): Promise<{ mounted?: string; upload?: string }> {
  for (const source of from) {
    const res = await repo.send('POST', repo.path(`blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(source)}`), { what, retry: true });
    await res.body.dump();
    if (res.statusCode === 201) return { mounted: source };
    if (res.statusCode === 202) return { upload: location(res, repo.baseUrl(), what) };
  }
  return {};
}

/** Puts one stored blob into the registry. */
export function uploadBlob(store: Store, repo: RepositoryClient, desc: Descriptor, options: UploadOptions): Promise<UploadOutcome> {
  return repo.retrying(options.what, () => uploadOnce(store, repo, desc, options), options.signal);
}

async function uploadOnce(store: Store, repo: RepositoryClient, desc: Descriptor, options: UploadOptions): Promise<UploadOutcome> {
  const { what } = options;
  const head = await repo.send('HEAD', repo.path(`blobs/${desc.digest}`), { what, retry: true });
  await head.body.dump();
  if (head.statusCode === 200) return { kind: 'exists' };
  const mount = options.mountFrom?.length ? await tryMount(repo, desc, options.mountFrom, what) : {};
  if (mount.mounted) return { kind: 'mounted', from: mount.mounted };
  let url = mount.upload ?? location(await repo.expect('POST', repo.path('blobs/uploads/'), [202], { what, retry: true }).then(async (r) => {
    await r.body.dump();
    return r;
  }), repo.baseUrl(), what);
  const count = (offset: number): void => options.onBytes?.(offset);
  const limit = options.monolithicLimit ?? 512 << 20;
  if (desc.size <= limit) {
    const res = await repo.expect('PUT', withDigest(url, desc.digest), [201], {
      what, headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) }, body: blobStream(store, desc, 0, desc.size, count), signal: options.signal, retry: false,
    });
    await res.body.dump();
    return { kind: 'pushed' };
  }
  const chunk = options.chunkSize ?? 64 << 20;
  for (let start = 0; start < desc.size; start += chunk) {
    const end = Math.min(desc.size, start + chunk);
    const res = await repo.expect('PATCH', url, [202], {
      what, headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start), 'content-range': `${start}-${end - 1}` },
      body: blobStream(store, desc, start, end, count), signal: options.signal, retry: false,
    });
    await res.body.dump();
    url = location(res, url, what);
  }
  const done = await repo.expect('PUT', withDigest(url, desc.digest), [201], { what, headers: { 'content-length': '0' }, signal: options.signal, retry: false });
  await done.body.dump();
  return { kind: 'pushed' };
}
