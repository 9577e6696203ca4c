// pull and push against the real distribution registry serving HTTPS with a certificate from a CA made
// here with openssl: trust comes from ~/.docker/certs.d/HOST/ca.crt or NODE_EXTRA_CA_CERTS, a client
// certificate pair from certs.d/HOST/client.{cert,key}; without them the error says what to put where.
// 127.0.0.1 is loopback, so "insecure" by Docker's rules: Berth still verifies TLS there and falls back
// to plain HTTP only when the other end does not speak TLS, never after a certificate error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { build } from 'esbuild';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startRegistry, pushTestImage, signClientCertificate, type PushedImage, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';

const REPO_ROOT = join(__dirname, '../..');

let dir: { path: string; cleanup: () => void };
let plain: Registry; // TLS, no authentication
let basic: Registry; // TLS and basic authentication
let mtls: Registry; // TLS, and a client certificate required
let tarball: string;
let cli: string;
let pushed: PushedImage;
let mtlsPushed: PushedImage;

before(async () => {
  dir = tempDir('berth-tls-');
  [plain, basic, mtls] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'basic' }), startRegistry({ tls: { clientAuth: true } })]);
  [pushed, mtlsPushed] = await Promise.all([pushTestImage(plain, 'team/app', '1'), pushTestImage(mtls, 'secure/app', '1')]);
  tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar.gz'), { gzip: true });
  // The CLI bundled as scripts/build.mjs does it, into this test's own folder: NODE_EXTRA_CA_CERTS is
  // read only when a process starts, and a private bundle is always the current source.
  cli = join(dir.path, 'bundle', 'cli.js');
  await build({
    entryPoints: { cli: join(REPO_ROOT, 'src/cli/main.ts') }, outdir: join(dir.path, 'bundle'), bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', banner: { js: '#!/usr/bin/env node' }, logLevel: 'warning',
  });
});

after(async () => {
  await Promise.all([plain?.stop(), basic?.stop(), mtls?.stop()]);
  dir?.cleanup();
});

/** A fresh HOME (so a fresh ~/.docker/certs.d), config folders and store for one case. */
function fresh(name: string): { root: string; env: NodeJS.ProcessEnv; home: string } {
  const base = join(dir.path, name);
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  return { root: join(base, 'root'), home, env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(base, 'xdg'), DOCKER_CONFIG: join(base, 'docker') } };
}

/** Copies a file into `HOME/.docker/certs.d/HOST/NAME`. */
function putCert(home: string, host: string, file: string, name: string): void {
  const certs = join(home, '.docker', 'certs.d', host);
  mkdirSync(certs, { recursive: true });
  copyFileSync(file, join(certs, name));
}

function handshakeErrors(registry: Registry): number {
  return registry.log().split('\n').filter((l) => /TLS handshake error/.test(l)).length;
}

/** The handshake errors the registry logged since `before`, once its log has caught up (it arrives through a pipe). */
async function handshakeErrorsSince(registry: Registry, before: number): Promise<number> {
  for (let i = 0; i < 100 && handshakeErrors(registry) === before; i++) await delay(20);
  await delay(200);
  return handshakeErrors(registry) - before;
}

function skopeoDigest(registry: Registry, ref: string): string {
  const out = execFileSync('skopeo', ['inspect', '--cert-dir', registry.tls!.certDir, '--tls-verify=true', `docker://${registry.host}/${ref}`], { encoding: 'utf8' });
  return (JSON.parse(out) as { Digest: string }).Digest;
}

/** Runs the bundled CLI as a child process. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('without the CA a pull fails at once, naming the registry and where its CA goes; no fallback to HTTP', async () => {
  const { root, env } = fresh('no-ca');
  const before = handshakeErrors(plain);
  const r = await berth(root, ['pull', `${plain.host}/team/app:1`], { env });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `Error: cannot reach registry ${plain.host}: its TLS certificate is not trusted (unable to verify the first certificate); put the CA that signed it in ~/.docker/certs.d/${plain.host}/ca.crt\n`,
  );
  // One refused handshake: a certificate error is not retried. Nor was the request sent over plain HTTP
  // (127.0.0.1 is "insecure"): the registry would have answered that with a 400, not this error.
  assert.equal(await handshakeErrorsSince(plain, before), 1, plain.log());
  assert.equal((await berth(root, ['images', '-q'], { env })).stdout, '');
  // Marking it insecure does not turn verification off either: the same error.
  const insecure = await berth(root, ['--insecure-registry', plain.host, 'pull', `${plain.host}/team/app:1`], { env });
  assert.equal(insecure.code, 1);
  assert.match(insecure.stderr, /its TLS certificate is not trusted/);
});

test('with the CA in ~/.docker/certs.d/HOST/ca.crt, pull and push work over TLS; skopeo verifying with the CA reads the digest', async () => {
  const { root, env, home } = fresh('certs-d');
  putCert(home, plain.host, plain.caCert!, 'ca.crt');
  const pull = await berth(root, ['pull', `${plain.host}/team/app:1`], { env });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${pushed.manifestDigest}\nStatus: Downloaded newer image for ${plain.host}/team/app:1\n`));
  assert.equal((await berth(root, ['images', '-q', '--no-trunc', `${plain.host}/team/app:1`], { env })).stdout, `${pushed.configDigest}\n`);

  assert.equal((await berth(root, ['import', tarball, `${plain.host}/mine/bb:v1`], { env })).code, 0);
  const push = await berth(root, ['push', `${plain.host}/mine/bb:v1`], { env });
  assert.equal(push.code, 0, push.stderr);
  const digest = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+\n$/.exec(push.stdout)?.[1];
  assert.ok(digest, push.stdout);
  assert.equal(skopeoDigest(plain, 'mine/bb:v1'), digest);
  assert.equal((await berth(root, ['system', 'check'], { env })).code, 0);
});

test('basic auth over TLS: login, push and pull with the CA in certs.d', async () => {
  const { root, env, home } = fresh('basic');
  const [[user, password]] = Object.entries(basic.users) as [[string, string]];
  const denied = await berth(root, ['login', '-u', user, '--password-stdin', basic.host], { env, stdin: `${password}\n` });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, new RegExp(`cannot reach registry ${basic.host.replace(/\./g, '\\.')}: its TLS certificate is not trusted`));

  putCert(home, basic.host, basic.caCert!, 'ca.crt');
  const wrong = await berth(root, ['login', '-u', user, '--password-stdin', basic.host], { env, stdin: 'not-the-password\n' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /incorrect username or password/);
  const login = await berth(root, ['login', '-u', user, '--password-stdin', basic.host], { env, stdin: `${password}\n` });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);

  assert.equal((await berth(root, ['import', tarball, `${basic.host}/priv/bb:1`], { env })).code, 0);
  const push = await berth(root, ['push', `${basic.host}/priv/bb:1`], { env });
  assert.equal(push.code, 0, push.stderr);
  const digest = /1: digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
  const other = join(dir.path, 'basic', 'root2');
  const pull = await berth(other, ['pull', `${basic.host}/priv/bb:1`], { env });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}\n`));
  // The credentials were checked by the registry, over TLS only (it has no plain-HTTP listener).
  assert.match(basic.log(), new RegExp(`auth.user.name="?${user}`));
});

test('NODE_EXTRA_CA_CERTS (read when the CLI process starts) makes the registry trusted, also next to other CAs in certs.d', async () => {
  const { root, env, home } = fresh('extra-ca');
  const ref = `${plain.host}/team/app:1`;
  const without = await runCli(['--root', root, 'pull', ref], env);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /its TLS certificate is not trusted/);

  const withCa = await runCli(['--root', root, 'pull', ref], { ...env, NODE_EXTRA_CA_CERTS: plain.caCert! });
  assert.equal(withCa.code, 0, withCa.stderr);
  assert.match(withCa.stdout, new RegExp(`Digest: ${pushed.manifestDigest}\n`));

  // A CA in certs.d adds to the default ones, NODE_EXTRA_CA_CERTS included (as in Docker), not replaces them.
  putCert(home, plain.host, basic.caCert!, 'other.crt');
  const root2 = join(dir.path, 'extra-ca', 'root2');
  const both = await runCli(['--root', root2, 'pull', ref], { ...env, NODE_EXTRA_CA_CERTS: plain.caCert! });
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stdout, new RegExp(`Digest: ${pushed.manifestDigest}\n`));
});

test('a registry that requires a client certificate: refused without a pair or with one it does not trust; the pair in certs.d works', async () => {
  const { root, env, home } = fresh('mtls');
  const ref = `${mtls.host}/secure/app:1`;
  putCert(home, mtls.host, mtls.caCert!, 'ca.crt');
  const before = handshakeErrors(mtls);
  const noPair = await berth(root, ['pull', ref], { env });
  assert.equal(noPair.code, 1);
  const certs = `~/.docker/certs.d/${mtls.host}`;
  assert.equal(
    noPair.stderr,
    `Error: cannot reach registry ${mtls.host}: the registry refused the TLS connection (alert bad certificate): it wants a client certificate it trusts; put the certificate and its key in ${certs}/client.cert and ${certs}/client.key\n`,
  );
  assert.equal(await handshakeErrorsSince(mtls, before), 1, mtls.log());
  assert.match(mtls.log(), /client didn't provide a certificate/);

  // A pair signed by a CA the registry does not know.
  const stranger = await signClientCertificate(basic.tls!, join(dir.path, 'mtls'), 'stranger');
  putCert(home, mtls.host, stranger.cert, 'client.cert');
  putCert(home, mtls.host, stranger.key, 'client.key');
  const untrusted = await berth(root, ['pull', ref], { env });
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /the registry refused the TLS connection \(alert [a-z ]+\): it wants a client certificate it trusts/);

  putCert(home, mtls.host, mtls.tls!.clientCert!, 'client.cert');
  putCert(home, mtls.host, mtls.tls!.clientKey!, 'client.key');
  const pull = await berth(root, ['pull', ref], { env });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${mtlsPushed.manifestDigest}\n`));

  assert.equal((await berth(root, ['import', tarball, `${mtls.host}/secure/bb:1`], { env })).code, 0);
  const push = await berth(root, ['push', `${mtls.host}/secure/bb:1`], { env });
  assert.equal(push.code, 0, push.stderr);
  assert.equal(skopeoDigest(mtls, 'secure/bb:1'), /1: digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1]);
});

test('through an HTTPS_PROXY (CONNECT tunnel) the CA and client pair from certs.d still apply', async () => {
  const proxy = await startConnectProxy();
  try {
    const { root, env, home } = fresh('proxy');
    const proxied = { ...env, HTTPS_PROXY: proxy.url };
    putCert(home, mtls.host, mtls.caCert!, 'ca.crt');
    putCert(home, mtls.host, mtls.tls!.clientCert!, 'client.cert');
    putCert(home, mtls.host, mtls.tls!.clientKey!, 'client.key');
    const pull = await berth(root, ['pull', `${mtls.host}/secure/app:1`], { env: proxied });
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, new RegExp(`Digest: ${mtlsPushed.manifestDigest}\n`));
    assert.ok(proxy.connects.includes(mtls.host), `the proxy saw ${JSON.stringify(proxy.connects)}`);
  } finally {
    await proxy.close();
  }
});

/** A forward proxy on loopback that only tunnels (CONNECT host:port), recording the targets. */
async function startConnectProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const colon = target.lastIndexOf(':');
    const upstream = netConnect(Number(target.slice(colon + 1)), target.slice(0, colon), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
