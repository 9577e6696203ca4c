// The Docker Engine backend against a REAL dockerd 20.10 (test/helpers/dockerd.ts: vfs storage, no
// iptables, its own socket) and a REAL registry with basic auth (test/helpers/registry.ts). Every
// operation goes through DockerEngine; the docker CLI of the same daemon checks what it did.
//
// Not run here: a Docker Hub search through the engine (no internet on this machine); the hub search's
// mapping is unit-tested (test/unit/docker-backend.test.ts) and the catalog search runs for real below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerEngine } from '../../src/engine/docker/docker-engine';
import { BundledEngine, type BuildEvent } from '../../src/engine/engine';
import { copyBetweenEngines } from '../../src/engine/copy-between';
import { dockerCredentialStore } from '../../src/engine/remote/credentials';
import { isBerthError } from '../../src/engine/errors';
import { canRunDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { startRegistry, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';
import { makeEngineCerts, type EngineCerts } from '../helpers/engine-certs';
import { createServer, type AddressInfo } from 'node:net';

let dir: { path: string; cleanup: () => void };
let dockerd: Dockerd | undefined;
let registry: Registry | undefined;
let engine: DockerEngine;
let bundled: BundledEngine;
let env: NodeJS.ProcessEnv;
let host: string;
let baseId: string;
const BASE = 'docker.io/berth-test/busybox:1';
let certs: EngineCerts;
let tcpPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An environment with its own, empty DOCKER_CONFIG (credentials are added per test). */
function isolatedEnv(name: string): NodeJS.ProcessEnv {
  const docker = join(dir.path, name);
  mkdirSync(docker, { recursive: true });
  writeFileSync(join(docker, 'config.json'), '{"auths":{}}');
  const e: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: docker, HOME: dir.path };
  for (const k of ['DOCKER_HOST', 'DOCKER_AUTH_CONFIG', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete e[k];
  return e;
}

const cli = (args: string[]): Promise<string> => dockerd!.docker(args).then((s) => s.trim());

before(async () => {
  assert.ok(canRunDockerd(), 'these tests need root and dockerd from Debian docker.io: apt-get install docker.io');
  dir = tempDir('berth-docker-backend-');
  registry = await startRegistry({ auth: 'basic' });
  certs = await makeEngineCerts(join(dir.path, 'certs'));
  tcpPort = await freePort();
  dockerd = await startDockerd({ insecureRegistries: [registry.host], tcpTls: { port: tcpPort, ...certs.server } });
  host = `unix://${dockerd.socket}`;
  env = isolatedEnv('docker');
  const [username, password] = Object.entries(registry.users)[0]!;
  await dockerCredentialStore({ env }).store(registry.host, { username, password });
  engine = await DockerEngine.open({ env, host });
  bundled = await BundledEngine.open(join(dir.path, 'store'), { env, insecureRegistries: [registry.host] });
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));
  baseId = (await engine.importImage(createReadStream(tarball), { sourceName: tarball, tag: BASE, changes: ['CMD ["/bin/sh"]'], message: 'busybox for tests' })).id;
});

after(async () => {
  await engine?.close();
  await bundled?.close();
  await dockerd?.stop();
  await registry?.stop();
  dir?.cleanup();
});

test('import, list, inspect and history show the engine\'s image as the docker CLI sees it', async () => {
  assert.equal(await cli(['image', 'inspect', '--format', '{{.Id}}', 'berth-test/busybox:1']), baseId);
  const listed = (await engine.listImages()).find((i) => i.id === baseId);
  assert.deepEqual(listed?.tags, [BASE]);
  assert.ok(listed!.size > 1_000_000, `size ${listed!.size}`);
  const inspected = await engine.inspect('berth-test/busybox:1');
  assert.equal(inspected.Id, baseId);
  assert.deepEqual(inspected.Config?.Cmd, ['/bin/sh']);
  const history = await engine.history(BASE);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.comment, 'busybox for tests');
  assert.equal((await engine.resolve(baseId.slice(7, 19))).id, baseId);
});

test('tag is seen in the event stream; rmi untags, and a missing name is a clear error', async () => {
  const controller = new AbortController();
  const events = engine.events({ signal: controller.signal, since: Math.floor(Date.now() / 1000) - 1 });
  assert.equal(await engine.tag(BASE, 'berth-test/other:2'), 'docker.io/berth-test/other:2');
  for await (const e of events) {
    if (e.action === 'tag' && e.name === 'berth-test/other:2') {
      assert.equal(e.id, baseId);
      break;
    }
  }
  controller.abort();
  assert.equal(await cli(['image', 'inspect', '--format', '{{.Id}}', 'berth-test/other:2']), baseId);
  const removed = await engine.remove(['berth-test/other:2', 'berth-test/nothing:here'], {});
  assert.deepEqual(removed.events, [{ untagged: 'berth-test/other:2' }]);
  assert.equal(removed.errors.length, 1);
  assert.ok(isBerthError(removed.errors[0], 'NOT_FOUND'), String(removed.errors[0]));
  assert.match(removed.errors[0]!.message, /berth-test\/nothing:here/);
  assert.ok((await engine.resolve(BASE)).id === baseId, 'the image keeps its other tag');
});

test('build with a RUN step: build args, target, labels and .dockerignore are honoured', async () => {
  const ctx = join(dir.path, 'context');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), [
    `FROM ${BASE} AS base`,
    'ARG GREETING=hi',
    'RUN echo "$GREETING from run" | tee /greeting',
    'COPY . /ctx/',
    'FROM base AS final',
    'RUN echo final > /final',
    'FROM base AS other',
    'RUN exit 3',
    '',
  ].join('\n'));
  writeFileSync(join(ctx, 'keep.txt'), 'kept');
  writeFileSync(join(ctx, 'secret.txt'), 'must not be sent');
  writeFileSync(join(ctx, '.dockerignore'), 'secret.txt\n');
  const events: BuildEvent[] = [];
  const result = await engine.build({
    context: ctx, dockerfile: join(ctx, 'Dockerfile'), tags: ['berth-test/built:1'], target: 'final',
    buildArgs: { GREETING: 'hello' }, labels: { 'org.example.team': 'berth' }, onEvent: (e) => events.push(e),
  });
  assert.deepEqual(result.tags, ['docker.io/berth-test/built:1']);
  assert.equal(await cli(['image', 'inspect', '--format', '{{.Id}}', 'berth-test/built:1']), result.id);
  assert.ok(events.some((e) => e.type === 'step' && e.text === 'RUN echo "$GREETING from run" | tee /greeting'), 'step events');
  const output = Buffer.concat(events.flatMap((e) => (e.type === 'output' ? [e.chunk] : []))).toString();
  assert.match(output, /hello from run/);
  assert.deepEqual(events.filter((e) => e.type === 'built'), [{ type: 'built', id: result.id }]);
  assert.deepEqual(events.filter((e) => e.type === 'tagged'), [{ type: 'tagged', name: 'docker.io/berth-test/built:1' }]);
  const inside = await cli(['run', '--rm', '--network', 'none', 'berth-test/built:1', 'sh', '-c', 'cat /greeting /final; ls /ctx']);
  assert.equal(inside, 'hello from run\nfinal\nDockerfile\nkeep.txt'); // secret.txt was never sent
  assert.deepEqual((await engine.inspect('berth-test/built:1')).Config?.Labels, { 'org.example.team': 'berth' });
});

test('a failing RUN ends the build with BUILD_FAILED and the engine\'s words', async () => {
  const ctx = join(dir.path, 'failing');
  mkdirSync(ctx);
  await assert.rejects(engine.build({ context: ctx, dockerfileText: `FROM ${BASE}\nRUN exit 3\n` }), (e: Error) => {
    assert.ok(isBerthError(e, 'BUILD_FAILED'), String(e));
    assert.match(e.message, /returned a non-zero code: 3/);
    return true;
  });
});

test('push to and pull from the real registry with stored credentials; no credentials is UNAUTHORIZED', async () => {
  const name = `${registry!.host}/berth/busybox:pushed`;
  await engine.tag(BASE, name);
  const [pushed] = await engine.push(name, {});
  assert.equal(pushed!.tag, 'pushed');
  assert.match(pushed!.digest, /^sha256:[a-f0-9]{64}$/);
  assert.equal(await engine.remoteDigest(name), pushed!.digest);
  assert.deepEqual(await engine.listTags(`${registry!.host}/berth/busybox`), ['pushed']);
  // The bundled engine pulls what the Docker engine pushed: the same image.
  const [fromBundled] = await bundled.pull(name, {});
  assert.equal(fromBundled!.id, baseId);
  await engine.remove([name], {});
  const [pulled] = await engine.pull(name, {});
  assert.equal(pulled!.id, baseId);
  assert.equal(pulled!.repoDigest, `${registry!.host}/berth/busybox@${pushed!.digest}`);
  const anonymous = await DockerEngine.open({ env: isolatedEnv('anonymous'), host });
  try {
    await assert.rejects(anonymous.pull(name, {}), (e: Error) => isBerthError(e, 'UNAUTHORIZED') && e.message.includes(name));
  } finally {
    await anonymous.close();
  }
});

test('search finds the repository in the registry\'s catalog', async () => {
  const found = await engine.search(`${registry!.host}/berth`, {});
  assert.ok(found.some((r) => r.name === `${registry!.host}/berth/busybox`), JSON.stringify(found));
});

test('save and load through the engine keep the image ID', async () => {
  const file = join(dir.path, 'engine-save.tar');
  await engine.tag(BASE, 'berth-test/saved:1');
  await engine.save(['berth-test/saved:1'], file, { format: 'docker' });
  await engine.remove(['berth-test/saved:1'], {});
  const loaded = await engine.load(createReadStream(file), { sourceName: file });
  assert.deepEqual(loaded.loaded, [{ tag: 'berth-test/saved:1', id: baseId }]);
  await assert.rejects(engine.save(['berth-test/saved:1'], file, { format: 'oci' }), (e: Error) => isBerthError(e, 'UNSUPPORTED'));
});

test('an image moves each way between the bundled engine and dockerd with the same ID; a cancelled copy loads nothing', async () => {
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs-2.tar'));
  const { id } = await bundled.importImage(createReadStream(tarball), { sourceName: tarball, tag: 'docker.io/berth-test/from-bundled:1', changes: ['ENV FROM=bundled'] });
  const toDocker = await copyBetweenEngines(bundled, engine, ['berth-test/from-bundled:1']);
  assert.deepEqual(toDocker.loaded, [{ tag: 'berth-test/from-bundled:1', id }]);
  assert.equal(await cli(['run', '--rm', '--network', 'none', 'berth-test/from-bundled:1', 'sh', '-c', 'echo $FROM']), 'bundled');
  const toBundled = await copyBetweenEngines(engine, bundled, ['berth-test/built:1']);
  const built = await cli(['image', 'inspect', '--format', '{{.Id}}', 'berth-test/built:1']);
  assert.deepEqual(toBundled.loaded, [{ tag: 'berth-test/built:1', id: built }]);
  assert.equal((await bundled.resolve('berth-test/built:1')).id, built);
  await assert.rejects(copyBetweenEngines(engine, bundled, ['berth-test/absent:1']), (e: Error) => isBerthError(e, 'NOT_FOUND') && e.message.includes('berth-test/absent:1'));
  const controller = new AbortController();
  const cancelled = copyBetweenEngines(engine, bundled, [BASE], { signal: controller.signal, onProgress: () => controller.abort() });
  await assert.rejects(cancelled, (e: Error) => isBerthError(e, 'CANCELLED'));
  await assert.rejects(bundled.resolve(BASE), (e: Error) => isBerthError(e, 'NOT_FOUND'), 'a cancelled copy loads nothing');
});

test('prune removes untagged images only, and reports the bytes freed', async () => {
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs-3.tar'));
  const { id } = await engine.importImage(createReadStream(tarball), { sourceName: tarball, changes: ['ENV DANGLING=1'] });
  const before = await engine.listImages();
  const tagged = new Set(before.filter((i) => i.tags.length > 0 || i.intermediate).map((i) => i.id));
  const { events, reclaimed } = await engine.prune({});
  assert.ok(events.some((e) => 'deleted' in e && e.deleted === id), JSON.stringify(events));
  assert.deepEqual(events.filter((e) => !('deleted' in e) || tagged.has(e.deleted)), [], 'only untagged images go');
  assert.deepEqual((await engine.listImages()).filter((i) => !tagged.has(i.id)), [], 'every untagged image went');
  assert.ok(reclaimed > 1_000_000, `reclaimed ${reclaimed}`);
  assert.equal((await engine.resolve(BASE)).id, baseId);
  assert.equal((await engine.diskUsage()).images, (await engine.listImages()).filter((i) => !i.intermediate).length);
});

test('login checks the password through the engine; a wrong one is refused and nothing is stored', async () => {
  const fresh = isolatedEnv('login');
  const e2 = await DockerEngine.open({ env: fresh, host });
  try {
    const [username, password] = Object.entries(registry!.users)[0]!;
    await assert.rejects(e2.login(registry!.host, { username, password: 'wrong' }), (e: Error) => isBerthError(e, 'UNAUTHORIZED') && !e.message.includes('wrong'));
    assert.equal(await dockerCredentialStore({ env: fresh }).get(registry!.host), undefined);
    const r = await e2.login(registry!.host, { username, password });
    assert.equal(r.domain, registry!.host);
    assert.equal((await dockerCredentialStore({ env: fresh }).get(registry!.host))?.username, username);
  } finally {
    await e2.close();
  }
});

test('an engine that does not answer: ENGINE_UNREACHABLE naming the address and what to do', async () => {
  for (const address of ['unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:1']) {
    await assert.rejects(DockerEngine.open({ env, host: address }), (e: Error) => {
      assert.ok(isBerthError(e, 'ENGINE_UNREACHABLE'), String(e));
      assert.ok(e.message.includes(address), e.message);
      assert.match(e.message, /DOCKER_HOST/);
      return true;
    });
  }
});

test('tcp:// with TLS: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH reach the same engine; no client certificate is refused, an untrusted server too', async () => {
  const address = `tcp://127.0.0.1:${tcpPort}`;
  const tlsEnv = { ...env, DOCKER_HOST: address, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir };
  const remote = await DockerEngine.open({ env: tlsEnv });
  try {
    assert.equal(remote.location, address);
    assert.equal((await remote.resolve(BASE)).id, baseId);
  } finally {
    await remote.close();
  }
  const caOnly = join(dir.path, 'ca-only');
  mkdirSync(caOnly);
  copyFileSync(join(certs.clientDir, 'ca.pem'), join(caOnly, 'ca.pem'));
  await assert.rejects(DockerEngine.open({ env: { ...tlsEnv, DOCKER_CERT_PATH: caOnly } }), (e: Error) => {
    assert.ok(isBerthError(e, 'ENGINE_UNREACHABLE'), String(e));
    assert.equal(e.message.split('. Start the engine')[0], `cannot reach the Docker engine at ${address}: the engine closed the connection during TLS setup; check that DOCKER_CERT_PATH holds cert.pem and key.pem signed by a CA the engine trusts`);
    return true;
  });
  const otherCa = await makeEngineCerts(join(dir.path, 'other-ca'));
  await assert.rejects(DockerEngine.open({ env: { ...tlsEnv, DOCKER_CERT_PATH: otherCa.clientDir } }), (e: Error) => {
    assert.ok(isBerthError(e, 'ENGINE_UNREACHABLE'), String(e));
    assert.match(e.message, new RegExp(`at ${address.replace(/\./g, '\\.')}: its TLS certificate is not trusted \\([A-Z_]+\\); put the CA that signed it in DOCKER_CERT_PATH as ca\\.pem`));
    return true;
  });
});
