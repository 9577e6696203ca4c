/**
 * A registry client for one repository (https://github.com/opencontainers/distribution-spec):
 * manifests, blobs, uploads and tags, with authentication, retries with backoff, `Retry-After`, and the
 * HTTPS-then-HTTP fallback for insecure registries.
 */
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { BerthError, isBerthError } from '../errors';
import { authorize, parseChallenges, TokenCache } from './auth';
import type { CredentialStore } from './credentials';
import { bodyText } from './body';
import { networkError, registryError, isRetryableStatus } from './errors';
import { isTlsMismatch, MAX_REDIRECTS, Transport } from './transport';

/** A request body, re-creatable for retries. */
export type Body = Buffer | string | (() => Readable);

/** Options of one request. */
export interface SendOptions {
  headers?: Record<string, string>;
  body?: Body;
  /** Retry on 5xx, 429 and connection failures (only for requests safe to repeat). */
  retry?: boolean;
  /** Says what was being done, for messages. */
  what: string;
  signal?: AbortSignal;
}

/** A response whose body the caller must consume or dump. */
export type Response = Dispatcher.ResponseData;

/** Options shared by every repository client of one engine. */
export interface RegistrySession {
  transport: Transport;
  credentials: CredentialStore;
  tokens: TokenCache;
  /** Attempts per request for retryable failures. */
  attempts?: number;
  /** The first backoff (ms); it doubles each time. */
  backoffMs?: number;
  /** Called before waiting to retry, for logs and progress. */
  onRetry?: (info: { what: string; attempt: number; waitMs: number; reason: string }) => void;
}

const MAX_RETRY_AFTER_MS = 60_000;

/** The error for a request that redirects without end. */
function redirectLoop(what: string, detail: string): BerthError {
  return new BerthError('REGISTRY', `${what}: too many redirects (${detail}); the registry or a proxy in front of it is misconfigured`, { registryCode: 'TOO_MANY_REDIRECTS' });
}

/** Where a redirect pointed, without its query (which may carry a signed token). */
function redirectTarget(location: string | string[]): string {
  return String(Array.isArray(location) ? location[0] : location).split('?')[0]!;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), MAX_RETRY_AFTER_MS);
}

/** Talks to one repository of one registry host. */
export class RepositoryClient {
  private readonly scopeKey: string;

  /**
   * `host` is where requests go (`registry-1.docker.io`, a mirror, `127.0.0.1:5000`); `credentialsKey` is
   * the registry whose credentials apply (`docker.io`, the host itself); `scopes` the token scopes needed.
   */
  constructor(private readonly session: RegistrySession, readonly host: string, readonly name: string, private readonly credentialsKey: string, private readonly scopes: string[]) {
    this.scopeKey = `${host} ${scopes.join(' ')}`;
  }

  /** Sends a request to `path` (below the host, e.g. `/v2/NAME/manifests/TAG`), authenticating as the registry asks. */
  async send(method: Dispatcher.HttpMethod, path: string, options: SendOptions): Promise<Response> {
    const { transport } = this.session;
    const attempts = options.retry === false ? 1 : this.session.attempts ?? 4;
    let authTries = 0;
    let attempt = 0;
    for (;;) {
      const url = path.startsWith('http://') || path.startsWith('https://') ? path : transport.baseUrl(this.host) + path;
      const headers: Record<string, string> = { 'user-agent': 'berth', ...options.headers };
      const auth = this.session.tokens.get(this.scopeKey);
      if (auth) headers.authorization = auth;
      const body = typeof options.body === 'function' ? options.body() : options.body;
      let res: Response;
      try {
        res = await transport.undici.request(url, { method, headers, body, dispatcher: transport.dispatcher(this.host), signal: options.signal });
      } catch (e) {
        if (options.signal?.aborted) throw new BerthError('CANCELLED', `${options.what}: cancelled`, { cause: e });
        if (url.startsWith('https:') && isTlsMismatch(e) && transport.fallBackToHttp(this.host)) continue;
        if (/redirect loop detected/i.test((e as Error)?.message ?? '')) throw redirectLoop(options.what, 'back to an address it had already sent Berth to');
        const err = networkError(url, e);
        if (++attempt < attempts && err.retryable) {
          await this.wait(options.what, attempt, undefined, err.message);
          continue;
        }
        throw err;
      }
      if (res.statusCode === 401 && authTries++ < 2) {
        const challenge = parseChallenges(String(res.headers['www-authenticate'] ?? ''))[0];
        await res.body.dump();
        if (!challenge) throw new BerthError('UNAUTHORIZED', `${options.what}: the registry refused access and gave no way to authenticate`, { registryCode: 'UNAUTHORIZED' });
        const credentials = await this.session.credentials.get(this.credentialsKey);
        const token = await authorize({ challenge, scopes: this.scopes, credentials, dispatcher: transport.dispatcher(this.host), host: this.credentialsKey, request: transport.undici.request });
        this.session.tokens.set(this.scopeKey, token.authorization, token.expiresAt);
        continue;
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location !== undefined) {
        // The transport follows redirects; one that reaches here is past its limit (a loop).
        await res.body.dump().catch(() => undefined);
        throw redirectLoop(options.what, `more than ${MAX_REDIRECTS} in a row, the last to ${redirectTarget(res.headers.location)}`);
      }
      if (isRetryableStatus(res.statusCode) && ++attempt < attempts) {
        const text = await bodyText(res);
        await this.wait(options.what, attempt, retryAfterMs(res.headers['retry-after']), registryError(res.statusCode, text, 'the registry').message);
        continue;
      }
      return res;
    }
  }

  /**
   * Runs `work` again after a retryable failure (a 5xx, a 429, a cut connection), with the session's
   * attempts and backoff. For steps whose requests are not safe to repeat one at a time, such as a blob
   * upload: when the answer to its last request is lost, the upload must start over, not be resent.
   */
  async retrying<T>(what: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const attempts = this.session.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (e) {
        if (attempt >= attempts || !isBerthError(e) || !e.retryable || signal?.aborted) throw e;
        await this.wait(what, attempt, undefined, e.message);
      }
    }
  }

  private async wait(what: string, attempt: number, retryAfter: number | undefined, reason: string): Promise<void> {
    const waitMs = retryAfter ?? (this.session.backoffMs ?? 250) * 2 ** (attempt - 1);
    this.session.onRetry?.({ what, attempt, waitMs, reason });
    await delay(waitMs);
  }

  /** Sends and throws the registry's error unless the status is one of `ok`. */
  async expect(method: Dispatcher.HttpMethod, path: string, ok: number[], options: SendOptions): Promise<Response> {
    const res = await this.send(method, path, options);
    if (!ok.includes(res.statusCode)) {
      const text = method === 'HEAD' ? '' : await bodyText(res);
      if (method === 'HEAD') await res.body.dump().catch(() => undefined);
      throw registryError(res.statusCode, text, options.what);
    }
    return res;
  }

  /** The `Authorization` value this client holds now (after a first authenticated request), if any. */
  currentAuthorization(): string | undefined {
    return this.session.tokens.get(this.scopeKey);
  }

  /** `https://host` or `http://host`, as this host is reached now. */
  baseUrl(): string {
    return this.session.transport.baseUrl(this.host);
  }

  /** `/v2/NAME/SUFFIX`. */
  path(suffix: string): string {
    return `/v2/${this.name}/${suffix}`;
  }
}

/** Reads a whole response body with a size limit (manifests and configs are small; a registry may lie). */
export async function readLimited(res: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw new BerthError('INVALID_MANIFEST', `${what}: the registry sent more than ${limit} bytes, more than a manifest or config can be`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
