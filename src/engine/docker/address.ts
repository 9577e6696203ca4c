/**
 * Where the Docker (or Podman) engine listens, as the docker CLI finds it: `DOCKER_HOST`
 * (`unix:///path`, `tcp://host:port`, with TLS when `DOCKER_TLS_VERIFY` is set or the port is 2376,
 * certificates from `DOCKER_CERT_PATH`), else `/var/run/docker.sock`, else Podman's socket
 * (`$XDG_RUNTIME_DIR/podman/podman.sock`, `/run/podman/podman.sock`).
 * https://docs.docker.com/engine/reference/commandline/cli/#environment-variables
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../errors';

/** The default socket of dockerd. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** TLS material for a `tcp://` engine (PEM text). */
export interface EngineTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** False when only the channel is encrypted and the server's certificate is not checked. */
  verify: boolean;
}

/** How to reach an engine. */
export type EngineAddress =
  | { kind: 'unix'; socketPath: string; display: string }
  | { kind: 'tcp'; origin: string; tls?: EngineTls; display: string };

/** Options of {@link resolveEngineAddress}. */
export interface AddressOptions {
  /** DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, XDG_RUNTIME_DIR, HOME. */
  env?: NodeJS.ProcessEnv;
  /** An explicit host (`unix://...`, `tcp://...`) that wins over DOCKER_HOST. */
  host?: string;
  /** Whether a path exists (tests may pass their own). */
  exists?: (path: string) => boolean;
}

/** The engine address from an explicit host, DOCKER_HOST, or the default sockets. */
export function resolveEngineAddress(options: AddressOptions = {}): EngineAddress {
  const env = options.env ?? process.env;
  const host = options.host || env.DOCKER_HOST;
  if (host) return parseHost(host, env);
  const exists = options.exists ?? existsSync;
  const candidates = [DEFAULT_DOCKER_SOCKET];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'));
  candidates.push('/run/podman/podman.sock');
  const found = candidates.find((p) => exists(p)) ?? DEFAULT_DOCKER_SOCKET;
  return { kind: 'unix', socketPath: found, display: `unix://${found}` };
}

/** Parses a DOCKER_HOST value. `ssh://` and `npipe://` are refused with what to use instead. */
export function parseHost(host: string, env: NodeJS.ProcessEnv = {}): EngineAddress {
  const m = /^([a-z]+):\/\/(.*)$/i.exec(host.trim());
  const scheme = m?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    if (!m![2]) throw new BerthError('INVALID_ARGUMENT', `the engine address "${host}" has no socket path; use unix:///var/run/docker.sock`);
    return { kind: 'unix', socketPath: m![2], display: `unix://${m![2]}` };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(`http://${m![2]}`);
    } catch {
      throw new BerthError('INVALID_ARGUMENT', `the engine address "${host}" is not a valid tcp://HOST:PORT`);
    }
    const verify = Boolean(env.DOCKER_TLS_VERIFY);
    const useTls = scheme === 'https' || verify || url.port === '2376';
    const port = url.port || (useTls ? '2376' : '2375');
    const origin = `${useTls ? 'https' : 'http'}://${url.hostname}:${port}`;
    const display = `tcp://${url.hostname}:${port}`;
    return useTls ? { kind: 'tcp', origin, tls: readTls(env, verify), display } : { kind: 'tcp', origin, display };
  }
  throw new BerthError('UNSUPPORTED', `the engine address "${host}" is not supported; use unix:///path/to/docker.sock or tcp://HOST:PORT (for ssh://, forward the socket with "ssh -L")`);
}

/** The CA, certificate and key in DOCKER_CERT_PATH (default ~/.docker), as the docker CLI reads them. */
function readTls(env: NodeJS.ProcessEnv, verify: boolean): EngineTls {
  const dir = env.DOCKER_CERT_PATH || join(env.HOME || homedir(), '.docker');
  const read = (name: string): string | undefined => {
    const file = join(dir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
}
