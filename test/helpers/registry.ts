/**
 * A real registry for tests, as TESTING.md describes: the CNCF distribution registry 2.8 (Debian's
 * `docker-registry`) on 127.0.0.1 and a free port, with filesystem storage in a temporary folder and
 * deletes enabled. Three kinds of authentication:
 *
 * - `none`: anyone may push and pull;
 * - `basic`: an htpasswd file (bcrypt, `htpasswd -Bbn`), realm `berth-test`;
 * - `token`: the registry trusts a certificate made here with openssl, and a token endpoint served by
 *   this process (node:http, another loopback port) signs RS256 JWTs with its key, putting the
 *   certificate in the `x5c` header. Distribution 2.8 (`registry/auth/token/token.go`) checks `iss`
 *   against `issuer`, `aud` against `service`, `exp`/`nbf` with 60 s of leeway, the x5c chain against
 *   `rootcertbundle`, then the `access` claim against each request. Anonymous requests get a token
 *   with no access; authenticated users get every action they ask for.
 *
 * With `tls`, the registry serves HTTPS only, with a server certificate for `127.0.0.1` and `localhost`
 * signed by a CA made here with openssl (`caCert`); with `tls: { clientAuth: true }` it also requires a
 * client certificate signed by that CA (`http.tls.clientcas`), and one is made for the tests
 * (`clientCert`, `clientKey`).
 *
 * `pushTestImage` puts an image into a registry with umoci and skopeo, independently of Berth.
 */
import { stopGroup } from './process';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pack } from 'tar-stream';

/** The registry binary (Debian package `docker-registry`). */
export const REGISTRY_BIN = '/usr/bin/docker-registry';
/** The `service` (JWT audience) and `issuer` the token-mode registry expects. */
export const TOKEN_SERVICE = 'berth-test-registry';
export const TOKEN_ISSUER = 'berth-test-issuer';
/** The users of an authenticating registry when none are given. */
export const DEFAULT_USERS: Readonly<Record<string, string>> = { berth: 'berth-test-password' };

const READY_TIMEOUT_MS = 20_000;
const TOKEN_LIFETIME_S = 300;

/** How the registry authenticates clients. */
export type RegistryAuth = 'none' | 'basic' | 'token';

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  auth?: RegistryAuth;
  /** user -> password; {@link DEFAULT_USERS} when the registry authenticates and none are given. */
  users?: Record<string, string>;
  /** Serve HTTPS with a certificate signed by a CA made for this registry; `clientAuth` also requires client certificates. */
  tls?: boolean | { clientAuth?: boolean };
}

/** The TLS material of a registry started with `tls` (PEM files in its temporary folder). */
export interface RegistryTls {
  /** The CA that signed the server (and client) certificates. */
  caCert: string;
  caKey: string;
  /** A folder as Docker's and skopeo's `certs.d/HOST` expect: `ca.crt`, plus `client.cert` and `client.key` with `clientAuth`. */
  certDir: string;
  /** A client certificate signed by the CA and its key (`clientAuth` only). */
  clientCert?: string;
  clientKey?: string;
}

/** A running registry. */
export interface Registry {
  /** `127.0.0.1:PORT`, as it appears in image references. */
  host: string;
  /** `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with `tls`. */
  url: string;
  /** The CA certificate's PEM path (`tls` only). */
  caCert?: string;
  /** The CA, cert folder and client pair (`tls` only). */
  tls?: RegistryTls;
  auth: RegistryAuth;
  users: Readonly<Record<string, string>>;
  /** The token endpoint (`http://127.0.0.1:TPORT/token`) in token mode. */
  tokenRealm?: string;
  /** How many requests the token endpoint has answered (token mode; 0 otherwise). */
  readonly tokenRequests: number;
  /** Everything the registry logged so far (its last megabyte). */
  log(): string;
  /** Stops the registry (its process group) and the token endpoint, and removes the temporary folder. */
  stop(): Promise<void>;
  /** Kills the registry process (SIGKILL, as a crash or a pulled plug), keeping its data and its port. */
  kill(): Promise<void>;
  /** Starts a killed registry again, on the same port with the same data; resolves when it answers. */
  restart(): Promise<void>;
}

/** The programs these helpers run that are missing on this machine (empty when all are there). */
export function missingRegistryTools(): string[] {
  const paths = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const onPath = (name: string): boolean => paths.some((p) => existsSync(join(p, name)));
  return [REGISTRY_BIN, 'htpasswd', 'openssl', 'umoci', 'skopeo'].filter((t) => (t.startsWith('/') ? !existsSync(t) : !onPath(t)));
}

/** Starts a registry and waits until `GET /v2/` answers; fails after 20 s with the registry's log. */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const auth = options.auth ?? 'none';
  const users = { ...(options.users ?? (auth === 'none' ? {} : DEFAULT_USERS)) };
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const log = new LogBuffer();
  let token: TokenServer | undefined;
  let child: ChildProcess | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await stopGroup(child);
      await token?.close();
      await rm(dir, { recursive: true, force: true });
    })());
  let port = 0;
  let tls: RegistryTls | undefined;
  const spawnRegistry = (config: string): ChildProcess => {
    const c = spawn(REGISTRY_BIN, ['serve', config], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (b: Buffer) => log.add(b));
    c.stderr!.on('data', (b: Buffer) => log.add(b));
    c.on('error', (e) => log.add(Buffer.from(`cannot run ${REGISTRY_BIN}: ${e.message}\n`)));
    return c;
  };
  try {
    const authYaml = auth === 'basic' ? await basicAuth(dir, users) : auth === 'token' ? tokenAuth((token = await startTokenServer(dir, users))) : '';
    const clientAuth = typeof options.tls === 'object' && options.tls.clientAuth === true;
    let tlsYaml = '';
    if (options.tls) {
      tls = await makeTls(dir, clientAuth);
      tlsYaml = [
        '  tls:',
        `    certificate: ${JSON.stringify(join(dir, 'tls', 'server.crt'))}`,
        `    key: ${JSON.stringify(join(dir, 'tls', 'server.key'))}`,
        ...(clientAuth ? ['    clientcas:', `      - ${JSON.stringify(tls.caCert)}`] : []),
      ].join('\n');
    }
    const scheme = tls ? 'https' : 'http';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const config = join(dir, 'config.yml');
      await writeFile(config, registryYaml(join(dir, 'data'), port, authYaml, tlsYaml));
      child = spawnRegistry(config);
      try {
        await waitReady(`${scheme}://127.0.0.1:${port}/v2/`, child, READY_TIMEOUT_MS, tls);
        break;
      } catch (e) {
        // Another process may have taken the free port between our probe and the registry's listen.
        if (attempt >= 3 || !/address already in use/.test(log.text())) throw e;
        await stopGroup(child);
      }
    }
  } catch (e) {
    await stop();
    throw new Error(`the registry did not start: ${(e as Error).message}\n--- registry log ---\n${log.text().slice(-8000)}`, { cause: e });
  }
  return {
    host: `127.0.0.1:${port}`,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    ...(tls ? { caCert: tls.caCert, tls } : {}),
    auth,
    users,
    tokenRealm: token?.realm,
    get tokenRequests() {
      return token?.requests ?? 0;
    },
    log: () => log.text(),
    stop,
    kill: async () => {
      const c = child;
      if (!c || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      process.kill(-c.pid, 'SIGKILL');
      await exited;
    },
    restart: async () => {
      child = spawnRegistry(join(dir, 'config.yml'));
      await waitReady(`${tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`, child, READY_TIMEOUT_MS, tls);
    },
  };
}

/** What {@link pushTestImage} pushed. */
export interface PushedImage {
  manifestDigest: string;
  configDigest: string;
  /** The digests of the (gzip) layer blobs, bottom first. */
  layerDigests: string[];
}

/** Options of {@link pushTestImage}. */
export interface PushOptions {
  /**
   * One entry per layer, bottom first. A tar archive is used as it is; any other bytes become the
   * single file `layer-N.bin` of a generated tar. Default: one layer with 4 KiB of random bytes.
   */
  layers?: Buffer[];
  /** Default: the registry's first user when it authenticates, none otherwise. */
  creds?: { username: string; password: string };
}

/**
 * Puts an image into `registry` as `repo:tag` without Berth: an OCI layout built with umoci (`init`,
 * `new`, `raw add-layer` per layer, `config --config.cmd sh`), copied with `skopeo copy`; the digests
 * are read back with `skopeo inspect`.
 */
export async function pushTestImage(registry: Registry, repo: string, tag: string, options: PushOptions = {}): Promise<PushedImage> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-push-'));
  try {
    const layout = join(dir, 'layout');
    const image = `${layout}:image`;
    await runTool('umoci', ['init', '--layout', layout]);
    await runTool('umoci', ['new', '--image', image]);
    const layers = options.layers ?? [randomBytes(4096)];
    for (const [i, layer] of layers.entries()) {
      const tarPath = join(dir, `layer-${i}.tar`);
      await writeFile(tarPath, isTar(layer) ? layer : await tarOf(`layer-${i}.bin`, layer));
      await runTool('umoci', ['raw', 'add-layer', '--image', image, tarPath]);
    }
    await runTool('umoci', ['config', '--image', image, '--config.cmd', 'sh']);
    const authFile = join(dir, 'auth.json'); // keeps skopeo away from the user's own credentials
    await writeFile(authFile, '{"auths":{}}');
    const creds = options.creds ?? firstUser(registry);
    const credArgs = (flag: string): string[] => (creds ? [flag, `${creds.username}:${creds.password}`] : []);
    const dest = `docker://${registry.host}/${repo}:${tag}`;
    // A TLS registry is verified against its own CA (and gets the client pair) from its cert folder.
    const tlsArgs = (prefix: string): string[] => (registry.tls ? [`--${prefix}cert-dir`, registry.tls.certDir, `--${prefix}tls-verify=true`] : [`--${prefix}tls-verify=false`]);
    await runTool('skopeo', ['copy', '--insecure-policy', ...tlsArgs('dest-'), '--dest-authfile', authFile, ...credArgs('--dest-creds'), `oci:${image}`, dest]);
    const inspectArgs = [...tlsArgs(''), '--authfile', authFile, ...credArgs('--creds'), dest];
    const info = JSON.parse(await runTool('skopeo', ['inspect', ...inspectArgs])) as { Digest: string };
    const raw = await runTool('skopeo', ['inspect', '--raw', ...inspectArgs]);
    const rawDigest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    if (rawDigest !== info.Digest) throw new Error(`skopeo inspect reports ${info.Digest} but the raw manifest hashes to ${rawDigest}`);
    const manifest = JSON.parse(raw) as { config: { digest: string }; layers: { digest: string }[] };
    return { manifestDigest: info.Digest, configDigest: manifest.config.digest, layerDigests: manifest.layers.map((l) => l.digest) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function firstUser(registry: Registry): { username: string; password: string } | undefined {
  const [entry] = Object.entries(registry.users);
  return registry.auth !== 'none' && entry ? { username: entry[0], password: entry[1] } : undefined;
}

function isTar(b: Buffer): boolean {
  return b.length >= 512 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

async function tarOf(name: string, content: Buffer): Promise<Buffer> {
  const p = pack();
  p.entry({ name, size: content.length, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Runs a tool; its error names the command with any `user:password` argument masked. */
function runTool(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const shown = args.map((a, i) => (/creds$/.test(args[i - 1] ?? '') ? `${a.split(':')[0]}:***` : a));
      reject(new Error(`${cmd} ${shown.join(' ')} failed: ${String(stderr).trim() || err.message}`));
    });
  });
}

// --- the registry process -------------------------------------------------------------------------

function registryYaml(dataDir: string, port: number, authYaml: string, tlsYaml = ''): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(dataDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...(tlsYaml ? [tlsYaml] : []),
    authYaml,
  ].join('\n');
}

/**
 * Makes with openssl, in `DIR/tls`: a CA (EC P-256, self-signed), a server certificate for
 * `127.0.0.1` and `localhost` signed by it, and with `clientAuth` a client certificate signed by it;
 * `DIR/tls/certs` holds them as `certs.d/HOST` would (`ca.crt`, `client.cert`, `client.key`).
 */
async function makeTls(dir: string, clientAuth: boolean): Promise<RegistryTls> {
  const tlsDir = join(dir, 'tls');
  const certDir = join(tlsDir, 'certs');
  await mkdir(certDir, { recursive: true });
  const caKey = join(tlsDir, 'ca.key');
  const caCert = join(tlsDir, 'ca.crt');
  await runTool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=berth-test-ca', '-keyout', caKey, '-out', caCert]);
  await signCertificate(tlsDir, 'server', '/CN=127.0.0.1', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth'], caCert, caKey);
  await copyFile(caCert, join(certDir, 'ca.crt'));
  const tls: RegistryTls = { caCert, caKey, certDir };
  if (clientAuth) {
    tls.clientCert = join(certDir, 'client.cert');
    tls.clientKey = join(certDir, 'client.key');
    const made = await signClientCertificate(tls, tlsDir, 'client');
    await copyFile(made.cert, tls.clientCert);
    await copyFile(made.key, tls.clientKey);
  }
  return tls;
}

/** Makes a client certificate signed by a TLS registry's CA: `DIR/NAME.crt` and `DIR/NAME.key`. */
export async function signClientCertificate(tls: Pick<RegistryTls, 'caCert' | 'caKey'>, dir: string, name: string, subject = '/CN=berth-test-client'): Promise<{ cert: string; key: string }> {
  return signCertificate(dir, name, subject, ['extendedKeyUsage=clientAuth'], tls.caCert, tls.caKey);
}

async function signCertificate(dir: string, name: string, subject: string, extensions: string[], caCert: string, caKey: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions].join('\n') + '\n');
  await runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject, '-keyout', key, '-out', csr]);
  await runTool('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

async function basicAuth(dir: string, users: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) lines.push((await runHtpasswd(user, password)).trim());
  const file = join(dir, 'htpasswd');
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
  return ['auth:', '  htpasswd:', '    realm: berth-test', `    path: ${JSON.stringify(file)}`].join('\n');
}

function runHtpasswd(user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('htpasswd', ['-Bbn', user, password], (err, stdout, stderr) => (err ? reject(new Error(`htpasswd failed for ${user}: ${String(stderr).trim()}`)) : resolve(stdout)));
  });
}

function tokenAuth(token: TokenServer): string {
  return [
    'auth:',
    '  token:',
    `    realm: ${JSON.stringify(token.realm)}`,
    `    service: ${TOKEN_SERVICE}`,
    `    issuer: ${TOKEN_ISSUER}`,
    `    rootcertbundle: ${JSON.stringify(token.certPath)}`,
  ].join('\n');
}

/** A port that was free a moment ago: listen on port 0, note the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` with a growing pause until it answers 200 or 401; fails when the process exits first. */
async function waitReady(url: string, child: ChildProcess, timeoutMs: number, tls?: RegistryTls): Promise<void> {
  const tlsOptions = tls && {
    ca: await readFile(tls.caCert, 'utf8'),
    ...(tls.clientCert && tls.clientKey ? { cert: await readFile(tls.clientCert, 'utf8'), key: await readFile(tls.clientKey, 'utf8') } : {}),
  };
  const exited = new Promise<never>((_, reject) => {
    const onExit = (code: number | null, signal: string | null): void => reject(new Error(`the registry exited (${signal ?? `code ${code}`})`));
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
    child.once('error', (e) => reject(new Error(`cannot run ${REGISTRY_BIN}: ${e.message}`)));
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const status = await Promise.race([httpStatus(url, tlsOptions).catch((e: Error) => e), exited]);
    if (status === 200 || status === 401) return;
    last = status instanceof Error ? status.message : `status ${status}`;
    await Promise.race([delay(pause), exited]);
    pause = Math.min(pause * 2, 200);
  }
  throw new Error(`GET ${url} did not answer 200 or 401 within ${timeoutMs / 1000} s (last: ${last})`);
}

/** The status of a GET; over https, trusting only `tls.ca` (and presenting `tls.cert`/`tls.key` when given). */
function httpStatus(url: string, tls?: { ca: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', agent: false, timeout: 2000, ...(tls ?? {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}


/** The tail of a process's output, bounded. */
class LogBuffer {
  private chunks: string[] = [];
  private size = 0;

  add(b: Buffer): void {
    const s = b.toString();
    this.chunks.push(s);
    this.size += s.length;
    while (this.size > 1 << 20 && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    return this.chunks.join('');
  }
}

// --- the token endpoint ---------------------------------------------------------------------------

interface TokenServer {
  realm: string;
  certPath: string;
  readonly requests: number;
  close(): Promise<void>;
}

interface Signer {
  key: KeyObject;
  certDer: string;
  users: Record<string, string>;
  /** refresh token -> user, for `offline_token=true` and the OAuth2 `refresh_token` grant. */
  refreshTokens: Map<string, string>;
}

/** Makes the key and certificate with openssl and serves `/token` on a loopback port of its own. */
async function startTokenServer(dir: string, users: Record<string, string>): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await runTool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth-test-token', '-keyout', keyPath, '-out', certPath]);
  const signer: Signer = {
    key: createPrivateKey(await readFile(keyPath)),
    certDer: new X509Certificate(await readFile(certPath)).raw.toString('base64'),
    users,
    refreshTokens: new Map(),
  };
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    answerToken(req, res, signer).catch((e: Error) => send(res, 500, { errors: [{ code: 'UNKNOWN', message: e.message }] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Answers like Docker Hub's auth service: GET with optional basic credentials (docker, skopeo), or
 * the OAuth2 POST form with `grant_type=password` or `grant_type=refresh_token`.
 */
async function answerToken(req: IncomingMessage, res: ServerResponse, signer: Signer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://token');
  if (url.pathname !== '/token') return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
  let params = url.searchParams;
  let user: string | undefined;
  let offline = params.get('offline_token') === 'true';
  if (req.method === 'POST') {
    params = new URLSearchParams(await readBody(req));
    const grant = params.get('grant_type');
    offline = params.get('access_type') === 'offline';
    if (grant === 'password') {
      user = checkPassword(signer.users, params.get('username') ?? '', params.get('password') ?? '');
      if (!user) return deny(res);
    } else if (grant === 'refresh_token') {
      user = signer.refreshTokens.get(params.get('refresh_token') ?? '');
      if (!user) return deny(res);
    } else {
      return send(res, 400, { error: 'unsupported_grant_type' });
    }
  } else if (req.method === 'GET') {
    const basic = parseBasic(req.headers.authorization);
    if (basic) {
      user = checkPassword(signer.users, basic.username, basic.password);
      if (!user) return deny(res);
    }
  } else {
    return send(res, 405, { error: 'method not allowed' });
  }
  const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
  const access = user ? scopes.map(parseScope).filter((a) => a !== undefined) : [];
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(signer, { iss: TOKEN_ISSUER, sub: user ?? '', aud: TOKEN_SERVICE, exp: now + TOKEN_LIFETIME_S, nbf: now - 1, iat: now, jti: randomBytes(12).toString('hex'), access });
  const body: Record<string, unknown> = { token, access_token: token, expires_in: TOKEN_LIFETIME_S, issued_at: new Date(now * 1000).toISOString() };
  if (user && offline) {
    const refresh = randomBytes(24).toString('hex');
    signer.refreshTokens.set(refresh, user);
    body.refresh_token = refresh;
  }
  send(res, 200, body);
}

function deny(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Basic realm="berth-test-token"');
  send(res, 401, { details: 'incorrect username or password' });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function checkPassword(users: Record<string, string>, username: string, password: string): string | undefined {
  return Object.hasOwn(users, username) && users[username] === password ? username : undefined;
}

/** `repository:NAME:pull,push` -> an access entry; a class on the type (`repository(plugin)`) is dropped. */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  return { type, name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

function signJwt(signer: Signer, claims: Record<string, unknown>): string {
  const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signingInput = `${b64url({ typ: 'JWT', alg: 'RS256', x5c: [signer.certDer] })}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), signer.key).toString('base64url');
  return `${signingInput}.${signature}`;
}
