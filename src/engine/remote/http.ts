/** Plain HTTP(S) downloads, for `import URL` and `ADD URL`. */
import type { Readable } from 'node:stream';
import { BerthError } from '../errors';

/** Opens a URL for reading; a non-2xx answer or an unreachable host is a clear error. */
export async function openUrl(url: string, options: { maxRedirections?: number } = {}): Promise<Readable> {
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
    return res.body;
  }
  throw new BerthError('IO', `cannot download ${url}: too many redirects`);
}
