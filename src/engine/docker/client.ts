/**
 * The HTTP client of the Docker Engine API: undici over a unix socket or TCP (with TLS), the API
 * version negotiated once (`GET /version`, then the lower of the server's and the one Berth targets in
 * every path), and engine errors turned into BerthErrors with a stable code. An engine that does not
 * answer is ENGINE_UNREACHABLE, naming the address tried and what to do.
 * https://docs.docker.com/engine/api/v1.41/
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { BerthError, sysCode, type ErrorCode } from '../errors';
import { undici } from '../remote/undici-lite';
import type { EngineAddress } from './address';
import { codeOfMessage } from './messages';

/** The Engine API version Berth is written against (Docker 20.10); newer engines are asked for this one. */
export const TARGET_API_VERSION = '1.41';

/** One request's options. */
export interface EngineRequest {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  headers?: Record<string, string>;
  body?: Readable | Buffer | string;
  signal?: AbortSignal;
  /** What is being done, for messages: `pulling "busybox"`. */
  what: string;
  /** Status codes that are not errors (e.g. 304 for a tag that is already there). */
  accept?: number[];
}

/** An answer whose body is still to be read. */
export interface EngineResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** The lower of two API versions `MAJOR.MINOR`. */
export function lowerVersion(a: string, b: string): string {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn) ? a : b;
}

const TLS_TRUST = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']);

/** Why the engine could not be reached, in words, for a system or TLS error code. */
function reasonOf(code: string, tls: boolean): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (add your user to the "docker" group, or use a rootless engine\'s socket)';
  if (code === 'ENOENT') return 'no socket there';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (TLS_TRUST.has(code)) return `its TLS certificate is not trusted (${code}); put the CA that signed it in DOCKER_CERT_PATH as ca.pem`;
  if (tls && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) return 'the engine closed the connection during TLS setup; check that DOCKER_CERT_PATH holds cert.pem and key.pem signed by a CA the engine trusts';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'the engine closed the connection';
  return code;
}

/** The message for an engine that did not answer at `display` (`code`: the system or TLS error, or a phrase); says what to do. */
export function unreachableMessage(display: string, code: string, tls = false): string {
  return `cannot reach the Docker engine at ${display}: ${reasonOf(code, tls)}. Start the engine (dockerd, or "podman system service"), set DOCKER_HOST to where it listens, or use the bundled engine (berth --engine bundled, or the berth.engine setting).`;
}

/** The ErrorCode for an engine's HTTP status. */
function codeOfStatus(status: number, message: string): ErrorCode {
  if (status === 400) return 'INVALID_ARGUMENT';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  return codeOfMessage(message);
}

/** A connection to one engine. */
export class DockerClient {
  private dispatcher?: Dispatcher;
  private readonly origin: string;
  private version?: Promise<string>;

  constructor(readonly address: EngineAddress, private readonly options: { targetVersion?: string } = {}) {
    this.origin = address.kind === 'unix' ? 'http://localhost' : address.origin;
  }

  /** The connection pool, made on first use and again after {@link close}. */
  private pool(): Dispatcher {
    if (this.dispatcher) return this.dispatcher;
    const timeouts = { headersTimeout: 0, bodyTimeout: 0 };
    const address = this.address;
    if (address.kind === 'unix') return (this.dispatcher = new undici.Agent({ ...timeouts, connect: { socketPath: address.socketPath } }));
    const tls = address.tls;
    return (this.dispatcher = new undici.Agent({ ...timeouts, connect: tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify } : {} }));
  }

  /** The negotiated API version (asked once). */
  apiVersion(): Promise<string> {
    this.version ??= (async () => {
      const v = await this.json<{ ApiVersion?: string }>('GET', '/version', { what: 'asking the engine its version', signal: AbortSignal.timeout(15_000) }, false);
      return lowerVersion(v.ApiVersion ?? TARGET_API_VERSION, this.options.targetVersion ?? TARGET_API_VERSION);
    })();
    this.version.catch(() => (this.version = undefined));
    return this.version;
  }

  /** Sends a request; a status of 400 and up becomes a BerthError with the engine's message. */
  async request(method: string, path: string, req: EngineRequest, versioned = true): Promise<EngineResponse> {
    const prefix = versioned ? `/v${await this.apiVersion()}` : '';
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool().request({
        origin: this.origin, path: `${prefix}${path}${queryString(req.query)}`, method: method as Dispatcher.HttpMethod,
        headers: req.headers, body: req.body, signal: req.signal,
      });
    } catch (e) {
      throw this.transportError(e, req);
    }
    if (res.statusCode >= 400 && !req.accept?.includes(res.statusCode)) {
      const text = await res.body.text().catch(() => '');
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch { /* not JSON: keep the text */ }
      throw new BerthError(codeOfStatus(res.statusCode, message), `${req.what}: ${message || `the engine answered ${res.statusCode}`}`, { retryable: res.statusCode >= 500 });
    }
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Sends a request and parses its JSON answer. */
  async json<T>(method: string, path: string, req: EngineRequest, versioned = true): Promise<T> {
    const res = await this.request(method, path, req, versioned);
    const text = await (res.body as unknown as Dispatcher.ResponseData['body']).text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (e) {
      throw new BerthError('ENGINE', `${req.what}: the engine answered something that is not JSON`, { cause: e });
    }
  }

  /** Closes the connections; the next request opens new ones. */
  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.close();
  }

  private transportError(e: unknown, req: EngineRequest): Error {
    if (req.signal?.aborted) {
      return req.signal.reason instanceof Error && req.signal.reason.name === 'TimeoutError'
        ? new BerthError('ENGINE_UNREACHABLE', unreachableMessage(this.address.display, 'no answer within 15 s'), { cause: e })
        : new BerthError('CANCELLED', `${req.what}: cancelled`, { cause: e });
    }
    const code = sysCode(e) ?? sysCode((e as { cause?: unknown }).cause);
    const tls = this.address.kind === 'tcp' && this.address.tls !== undefined;
    if (code && (UNREACHABLE.has(code) || TLS_TRUST.has(code))) return new BerthError('ENGINE_UNREACHABLE', unreachableMessage(this.address.display, code, tls), { cause: e, retryable: !TLS_TRUST.has(code) });
    return new BerthError('NETWORK', `${req.what}: ${(e as Error).message} (engine at ${this.address.display})`, { cause: e, retryable: true });
  }
}

/** `?a=1&b=x&b=y` from a record; undefined values are left out, arrays repeat the key. */
export function queryString(query: EngineRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** An image name or ID as a path segment: escaped, but with `/`, `:` and `@` kept as the docker CLI sends them. */
export function namePath(name: string): string {
  return encodeURIComponent(name).replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%40/g, '@');
}
