/**
 * A fault-injecting HTTP proxy in front of a real registry, for tests of retries, resumes and
 * verification. It listens on 127.0.0.1 and forwards every request to the registry (which must be on
 * 127.0.0.1 too) and streams the answer back, unless the test's rule asks for a fault instead:
 *
 * - `{ status, headers?, body? }`: answer directly; the registry never sees the request;
 * - `{ cutAfterBytes }`: forward, then destroy the client's connection after that many body bytes;
 * - `{ stallAfterBytes }`: forward, then stop sending after that many body bytes and hold the
 *   connection open (until the client goes away or the proxy stops), like a registry that hangs;
 * - `{ corrupt: true }`: forward with one byte of the body flipped;
 * - `{ withoutRange: true }`: forward without the `Range` header, like a server that ignores it;
 * - `{ lostAnswer: { status, body? } }`: forward, so the registry does the work, but give the client
 *   this answer instead of the registry's (a gateway that times out after the registry acted);
 * - `{ hold: true }`: take the request (its body too) and never answer, like a registry that hangs;
 * - `{ endless: { status, headers? } }`: answer directly with a chunked body that never ends (until the
 *   client goes away or the proxy stops), like a registry that lies about how much it has to send.
 *
 * The registry's `Location` and `Link` headers name its own address; they are rewritten to the proxy's
 * so that the client keeps going through the proxy.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request instead of forwarding it as it is. */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer }
  | { cutAfterBytes: number }
  | { stallAfterBytes: number }
  | { corrupt: true }
  | { withoutRange: true }
  | { lostAnswer: { status: number; body?: string } }
  | { endless: { status: number; headers?: Record<string, string> } }
  | { hold: true };

/** A request as the rule sees it; `n` counts the requests so far with this method and path (1 for the first). */
export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  n: number;
}

/** A request as the proxy recorded it; `at` is when it arrived (`performance.now()`, ms). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  /** Every request received, in order of arrival. */
  requests: RecordedRequest[];
  /** Destroys every open client connection now (as a registry that dies takes its connections with it). */
  severAll(): void;
  stop(): Promise<void>;
}

/** Headers about one connection, which a proxy must not pass on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** Starts a proxy to `target` (`http://127.0.0.1:PORT`) that applies `rule` to each request. */
export async function startFaultProxy(target: string, rule: (req: ProxiedRequest) => Fault | undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:' || upstream.hostname !== '127.0.0.1') throw new Error(`the fault proxy only forwards to http://127.0.0.1, not ${target}`);
  const counts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let host = '';
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const key = `${method} ${url.split('?')[0]}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    requests.push({ method, url, headers: req.headers, at: performance.now() });
    const fault = rule({ method, url, headers: req.headers, n });
    if (fault && 'status' in fault) answer(req, res, fault);
    else if (fault && 'endless' in fault) answerEndlessly(req, res, fault.endless);
    else if (fault && 'hold' in fault) req.resume();
    else forward(req, res, upstream, host, fault);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    severAll: () => {
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

type Answer = { status: number; headers?: Record<string, string>; body?: string | Buffer };

/** Answers a request directly, after reading its body. */
function answer(req: IncomingMessage, res: ServerResponse, fault: Answer): void {
  req.resume();
  req.on('end', () => reply(res, fault));
}

function reply(res: ServerResponse, fault: Answer): void {
  const body = fault.body === undefined ? Buffer.alloc(0) : Buffer.from(fault.body);
  res.writeHead(fault.status, { 'content-length': String(body.length), ...fault.headers });
  res.end(body);
}

/** Answers with a body of zeros that goes on until the client closes the connection. */
function answerEndlessly(req: IncomingMessage, res: ServerResponse, head: { status: number; headers?: Record<string, string> }): void {
  req.resume();
  res.writeHead(head.status, head.headers ?? {});
  const chunk = Buffer.alloc(64 << 10);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

/** Forwards a request to the registry and streams its answer back, applying a body fault. */
function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, proxyHost: string, fault: Exclude<Fault, { status: number } | { endless: unknown } | { hold: true }> | undefined): void {
  const headers = { ...req.headers };
  delete headers.host;
  if (fault && 'withoutRange' in fault) delete headers.range;
  const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false }, (answerFromRegistry) => {
    if (fault && 'lostAnswer' in fault) {
      answerFromRegistry.resume();
      answerFromRegistry.on('end', () => reply(res, fault.lostAnswer));
      return;
    }
    const replyHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answerFromRegistry.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      replyHeaders[name] = name === 'location' || name === 'link' ? rewrite(value, upstream.host, proxyHost) : value;
    }
    res.writeHead(answerFromRegistry.statusCode ?? 502, replyHeaders);
    relayBody(answerFromRegistry, res, fault);
  });
  out.on('error', () => res.socket?.destroy());
  req.pipe(out);
}

function rewrite(value: string | string[], from: string, to: string): string | string[] {
  return Array.isArray(value) ? value.map((v) => v.split(from).join(to)) : value.split(from).join(to);
}

/** Copies the registry's body to the client, flipping, cutting or stalling it as the fault says. */
function relayBody(from: IncomingMessage, res: ServerResponse, fault: Exclude<Fault, { status: number } | { endless: unknown } | { hold: true }> | undefined): void {
  const limit = fault && 'cutAfterBytes' in fault ? fault.cutAfterBytes : fault && 'stallAfterBytes' in fault ? fault.stallAfterBytes : Infinity;
  let sent = 0;
  let flipped = false;
  from.on('data', (chunk: Buffer) => {
    if (sent >= limit) return;
    let part = chunk.subarray(0, Math.min(chunk.length, limit - sent));
    if (fault && 'corrupt' in fault && !flipped && part.length > 0) {
      part = Buffer.from(part);
      part[0] = part[0]! ^ 0xff;
      flipped = true;
    }
    sent += part.length;
    const more = res.write(part, () => {
      if (sent >= limit && fault && 'cutAfterBytes' in fault) res.socket?.destroy();
    });
    if (sent >= limit) from.destroy();
    else if (!more) {
      from.pause();
      res.once('drain', () => from.resume());
    }
  });
  from.on('end', () => {
    if (sent < limit) res.end();
  });
  from.on('error', () => {
    if (sent < limit) res.socket?.destroy();
  });
}
