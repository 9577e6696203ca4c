/** Plain HTTP(S) downloads, for `import URL` and `ADD URL`. */
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors';

/** Opens a URL for reading; a non-2xx answer or an unreachable host is a clear error. */
export async function openUrl(url: string, options: { maxRedirections?: number } = {}): Promise<Readable> {
  return (await fetchUrl(url, options)).body;
}

/** Downloads a URL into `file` (ADD URL); returns its Last-Modified time in seconds, when the server sent one. */
export async function downloadToFile(url: string, file: string): Promise<{ lastModified?: number }> {
  const { body, lastModified } = await fetchUrl(url);
  try {
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    throw new BerthError('IO', `cannot download ${url}: ${(e as Error).message}`, { cause: e });
  }
  return { lastModified };
}

async function fetchUrl(url: string, options: { maxRedirections?: number } = {}): Promise<{ body: Readable; lastModified?: number }> {
  const { request } = (await import('./undici-lite.js')).undici; // loaded on first use
  let target = url;
  for (let hop = 0; hop <= (options.maxRedirections ?? 10); hop++) {
    let res;
    try {
      res = await request(target, { method: 'GET' });
    } catch (e) {
      throw new BerthError('IO', `cannot download ${url}: ${(e as Error).message}`, { cause: e });
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof res.headers.location === 'string') {
      res.body.resume();
      target = new URL(res.headers.location, target).toString();
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.resume();
      throw new BerthError('NOT_FOUND', `cannot download ${url}: the server answered ${res.statusCode}`);
    }
    const header = res.headers['last-modified'];
    const time = typeof header === 'string' ? Date.parse(header) : NaN;
    return { body: res.body, lastModified: Number.isFinite(time) ? Math.floor(time / 1000) : undefined };
  }
  throw new BerthError('IO', `cannot download ${url}: too many redirects`);
}
