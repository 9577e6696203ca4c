/**
 * How to reach a registry host: HTTPS with the system's CAs plus `~/.docker/certs.d/HOST/ca.crt`
 * (and a client certificate there, as Docker reads it), `NODE_EXTRA_CA_CERTS` (Node reads it itself),
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, and plain HTTP for insecure registries after HTTPS fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import type { buildConnector, Dispatcher } from 'undici';
import { isInsecure, type RegistryConfig } from './registry-config';

type Undici = import('./undici-lite').UndiciLite;

/**
 * TLS material Docker reads from `certs.d/HOST/`: `*.crt` CAs, `*.cert` + `*.key` client pairs. The CAs
 * add to the default ones, as in Docker: Node's own plus `NODE_EXTRA_CA_CERTS`, which an explicit `ca`
 * would otherwise drop.
 */
function tlsFor(certsDir: string, host: string): { ca?: string[]; cert?: string; key?: string } {
  const dir = join(certsDir, host);
  if (!existsSync(dir)) return {};
  const names = readdirSync(dir);
  const cas = names.filter((n) => n.endsWith('.crt')).map((n) => readFileSync(join(dir, n), 'utf8'));
  const certName = names.find((n) => n.endsWith('.cert'));
  const keyName = certName && names.find((n) => n === certName.replace(/\.cert$/, '.key'));
  return {
    ...(cas.length ? { ca: [...rootCertificates, ...extraCaCerts(), ...cas] } : {}),
    ...(certName && keyName ? { cert: readFileSync(join(dir, certName), 'utf8'), key: readFileSync(join(dir, keyName), 'utf8') } : {}),
  };
}

/** The certificates of `NODE_EXTRA_CA_CERTS` as Node read them at start (empty when unset or unreadable; Node warns itself). */
function extraCaCerts(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

/**
 * undici's connector with these TLS options, keeping a TLS alert the server sends after the handshake
 * (TLS 1.3: "bad certificate" or "certificate required" when it wants a client certificate) as the
 * request's error. undici records the alert, then the `end` that follows replaces it with "other side
 * closed"; closing the socket at the alert keeps it.
 */
function keepingTlsAlerts(undici: Undici, tls: ConnectionOptions): buildConnector.connector {
  const connect = undici.buildConnector(tls);
  return (options, callback) =>
    connect(options, (...args) => {
      const socket = args[1];
      socket?.on('error', (e: { code?: string }) => {
        if (/^ERR_SSL_.*ALERT/.test(e?.code ?? '')) socket.destroy();
      });
      callback(...args);
    });
}

/** Redirects followed in a row for one request (a blob GET is often sent on to storage once); more is a loop. */
export const MAX_REDIRECTS = 10;

/** One dispatcher per host, and the scheme each host answered on. */
export class Transport {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly plainHttp = new Set<string>();

  constructor(readonly undici: Undici, private readonly config: RegistryConfig, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The dispatcher for a host: its TLS settings, the proxy from the environment, redirects followed. */
  dispatcher(host: string): Dispatcher {
    let d = this.dispatchers.get(host);
    if (!d) {
      const tls = tlsFor(this.config.certsDir, host);
      const connect = keepingTlsAlerts(this.undici, tls);
      const proxy = this.env.HTTPS_PROXY || this.env.https_proxy || this.env.HTTP_PROXY || this.env.http_proxy;
      // Through a proxy, undici takes the registry's TLS options from `requestTls` (`connect` is for direct hosts).
      const base: Dispatcher = proxy
        ? new this.undici.EnvHttpProxyAgent({
          httpProxy: this.env.HTTP_PROXY || this.env.http_proxy, httpsProxy: this.env.HTTPS_PROXY || this.env.https_proxy,
          noProxy: this.env.NO_PROXY || this.env.no_proxy, connect, requestTls: tls,
        })
        : new this.undici.Agent({ connect, keepAliveTimeout: 10_000 });
      d = base.compose(this.undici.interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
      this.dispatchers.set(host, d);
    }
    return d;
  }

  /** The base URL to use for a host now (`https://host`, or `http://host` once an insecure host failed on HTTPS). */
  baseUrl(host: string): string {
    return `${this.plainHttp.has(host) ? 'http' : 'https'}://${host}`;
  }

  /** Talks plain HTTP to a host from the start (a mirror configured with an http:// URL). */
  usePlainHttp(host: string): void {
    this.plainHttp.add(host);
  }

  /** After a TLS failure: switch an insecure host to plain HTTP; false when the host must stay on HTTPS. */
  fallBackToHttp(host: string): boolean {
    if (this.plainHttp.has(host) || !isInsecure(host, this.config)) return false;
    this.plainHttp.add(host);
    return true;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((d) => d.close().catch(() => undefined)));
    this.dispatchers.clear();
  }
}

/** True for errors that mean "this is not TLS on the other end" (an HTTP registry answered a TLS hello). */
export function isTlsMismatch(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const text = `${err?.code ?? ''} ${err?.message ?? ''} ${err?.cause?.code ?? ''} ${err?.cause?.message ?? ''}`;
  return /wrong version number|WRONG_VERSION_NUMBER|EPROTO|packet length too long|ECONNRESET|http request/i.test(text);
}
