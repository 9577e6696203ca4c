/**
 * A GET over a plain TCP connection that reads straight into one large buffer (net's `onread`), for big
 * blob downloads from registries reached over HTTP (loopback and insecure registries). Node's HTTP
 * stack hands the body over in 64 KiB pieces, and at registry speeds that per-piece cost is most of a
 * download; here each read takes up to 4 MiB. Only a plain `200`/`206` with a Content-Length body is
 * handled; anything else (a redirect, a chunked body, an error) is reported back so the caller can use
 * the general client.
 */
import { connect, type Socket } from 'node:net';
import { BerthError } from '../errors';

/** What to do with the answer. */
export interface FastGetHandlers {
  /** Receives the body in order; `chunk` is only valid during the call. Returns bytes taken (less pauses the connection). */
  onBody(chunk: Buffer): number;
  /** Resolves when `onBody` can take bytes again after it took fewer than it was given. */
  ready(): Promise<void>;
}

/** How a fast GET ended. */
export type FastGetOutcome = { kind: 'done'; status: number; length: number } | { kind: 'unsupported'; status: number } | { kind: 'cut'; received: number; cause: unknown };

const READ_BUFFER = 4 << 20;
const MAX_HEAD = 64 << 10;

function parseHead(text: string): { status: number; headers: Map<string, string> } | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(m[1]), headers };
}

/** GETs `url` (http: only) with `headers`, feeding the body to `handlers`. */
export function fastGet(url: URL, headers: Record<string, string>, handlers: FastGetHandlers, signal?: AbortSignal): Promise<FastGetOutcome> {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    let status = 0;
    let remaining = -1;
    let received = 0;
    let settled = false;
    let socket: Socket;
    const finish = (outcome: FastGetOutcome): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'cut', received, cause: new BerthError('CANCELLED', 'cancelled') });
    const account = (n: number): void => {
      received += n;
      remaining -= n;
    };
    /** Feeds the sink what it takes; the rest is copied (the read buffer is reused) and fed once it drains. */
    const body = (chunk: Buffer): boolean => {
      const view = chunk.subarray(0, Math.min(chunk.length, remaining));
      let taken: number;
      try {
        taken = handlers.onBody(view);
      } catch (e) {
        // The sink failed (a full disk): thrown here, inside the socket's read callback, it would be uncaught.
        finish({ kind: 'cut', received, cause: e });
        return false;
      }
      account(taken);
      if (taken === view.length) {
        if (remaining === 0) finish({ kind: 'done', status, length: received });
        return true;
      }
      let rest = Buffer.from(view.subarray(taken));
      socket.pause();
      void (async () => {
        while (rest.length) {
          await handlers.ready();
          const n = handlers.onBody(rest);
          account(n);
          rest = rest.subarray(n);
        }
        if (remaining === 0) finish({ kind: 'done', status, length: received });
        else socket.resume();
      })().catch((e: unknown) => finish({ kind: 'cut', received, cause: e }));
      return false;
    };
    const onread = (length: number, buffer: Buffer): boolean => {
      if (settled) return false;
      let chunk = buffer.subarray(0, length);
      if (status === 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD) finish({ kind: 'unsupported', status: 0 });
          return true;
        }
        const parsed = parseHead(head.subarray(0, end).toString('latin1'));
        const len = parsed?.headers.get('content-length');
        if (!parsed || (parsed.status !== 200 && parsed.status !== 206) || !len || !/^\d+$/.test(len) || parsed.headers.has('transfer-encoding')) {
          finish({ kind: 'unsupported', status: parsed?.status ?? 0 });
          return false;
        }
        status = parsed.status;
        remaining = Number(len);
        chunk = Buffer.from(head.subarray(end + 4));
        head = Buffer.alloc(0);
        if (remaining === 0) {
          finish({ kind: 'done', status, length: 0 });
          return false;
        }
        if (chunk.length === 0) return true;
      }
      return body(chunk);
    };
    const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
    socket = connect({ ...target, onread: { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: onread } }, () => {
      const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    socket.on('error', (e) => finish(status === 0 ? { kind: 'unsupported', status: 0 } : { kind: 'cut', received, cause: e }));
    socket.on('end', () => finish(status === 0 ? { kind: 'unsupported', status: 0 } : remaining === 0 ? { kind: 'done', status, length: received } : { kind: 'cut', received, cause: new Error('the connection closed early') }));
    signal?.addEventListener('abort', onAbort);
  });
}
