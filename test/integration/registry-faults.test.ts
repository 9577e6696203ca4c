// Registry faults, made by a proxy in front of the real registry: a 429 with Retry-After, 5xx answers,
// a connection cut mid-layer, a killed pull, a corrupt or oversized layer, failing uploads. Each test
// checks what the client did at the proxy (retries, waits, range requests) and that a failed pull or
// push leaves the store as it was: index.json and blobs/ unchanged (a blob that verified before the
// failure waits in ingest/ for the next pull).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { BundledEngine } from '../../src/engine/engine';
import { berth } from '../helpers/cli';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../helpers/fault-proxy';
import { pushTestImage, startRegistry, type PushedImage, type Registry } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const MAIN = resolve(__dirname, '../../src/cli/main.ts');
const MB = 1 << 20;

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let env: NodeJS.ProcessEnv;
let small: PushedImage;
let other: PushedImage;
let big: PushedImage;
let bigLayerSize: number;
const proxies: FaultProxy[] = [];

before(async () => {
  dir = tempDir('berth-faults-');
  registry = await startRegistry({ auth: 'none' });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  small = await pushTestImage(registry, 'faults/small', '1');
  other = await pushTestImage(registry, 'faults/other', '1');
  big = await pushTestImage(registry, 'faults/big', '1', { layers: [randomBytes(8 * MB)] });
  bigLayerSize = (await manifestOf('faults/big', '1')).layers[0]!.size;
});

after(async () => {
  for (const p of proxies) await p.stop();
  await registry?.stop();
  dir?.cleanup();
});

/** The manifest of `repo:tag`, read from the registry itself. */
async function manifestOf(repo: string, tag: string): Promise<{ config: { digest: string; size: number }; layers: { digest: string; size: number }[] }> {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(res.status, 200);
  return (await res.json()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
}

async function proxy(rule: (req: ProxiedRequest) => Fault | undefined): Promise<FaultProxy> {
  const p = await startFaultProxy(registry.url, rule);
  proxies.push(p);
  return p;
}

/** A store that already holds an image (pulled straight from the registry), and an engine with quick retries. */
async function storeWithAnImage(name: string, registryOptions: { attempts?: number } = {}): Promise<{ root: string; engine: BundledEngine }> {
  const root = join(dir.path, name);
  const engine = await BundledEngine.open(root, { env, registry: { backoffMs: 10, ...registryOptions } });
  await engine.pull(`${registry.host}/faults/small:1`, {});
  return { root, engine };
}

/** What "the store as it was" means: index.json's text and the list of blobs. */
function snapshot(root: string): { index: string; blobs: string[] } {
  const index = existsSync(join(root, 'index.json')) ? readFileSync(join(root, 'index.json'), 'utf8') : '';
  return { index, blobs: readdirSync(join(root, 'blobs', 'sha256')).sort() };
}

function partials(root: string): string[] {
  return existsSync(join(root, 'ingest')) ? readdirSync(join(root, 'ingest')).filter((n) => n.startsWith('partial-')) : [];
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the operation to fail');
}

test('a 429 with Retry-After: 1 is waited out, then the pull succeeds', async () => {
  const p = await proxy((r) => (r.method === 'GET' && r.url.includes('/manifests/') && r.n === 1
    ? { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' }
    : undefined));
  const root = join(dir.path, 'rate-limited');
  const r = await berth(root, ['pull', `${p.host}/faults/small:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Digest: ${small.manifestDigest}`));
  const gets = p.requests.filter((q) => q.method === 'GET' && q.url.includes('/manifests/'));
  assert.equal(gets.length, 2);
  assert.ok(gets[1]!.at - gets[0]!.at >= 900, `the retry came ${Math.round(gets[1]!.at - gets[0]!.at)} ms after the 429`);
});

test('a blob GET that fails with 500 twice is retried with backoff and the pull succeeds', async () => {
  const layer = small.layerDigests[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) && r.n <= 2 ? { status: 500, body: 'boom' } : undefined));
  const retries: { waitMs: number }[] = [];
  const engine = await BundledEngine.open(join(dir.path, 'five-hundred'), { env, registry: { backoffMs: 10, onRetry: (i) => retries.push(i) } });
  try {
    const [result] = await engine.pull(`${p.host}/faults/small:1`, {});
    assert.equal(result!.id, small.configDigest);
    assert.equal(p.requests.filter((q) => q.method === 'GET' && q.url.endsWith(`/blobs/${layer}`)).length, 3);
    assert.deepEqual(retries.map((i) => i.waitMs), [10, 20]);
    assert.deepEqual((await engine.check()).problems, []);
  } finally {
    await engine.close();
  }
});

test('502 on every blob GET: the pull fails after the configured attempts, names the registry, and the store is as it was', async () => {
  const p = await proxy((r) => (r.method === 'GET' && r.url.includes('/blobs/sha256:') ? { status: 502, body: 'bad gateway' } : undefined));
  const { root, engine } = await storeWithAnImage('bad-gateway', { attempts: 3 });
  try {
    const before = snapshot(root);
    const e = await rejection(engine.pull(`${p.host}/faults/big:1`, {}));
    assert.match(e.message, new RegExp(`^pulling ${p.host}/faults/big:1: config ${big.configDigest}: the registry answered 502`));
    const blobGets = p.requests.filter((q) => q.method === 'GET' && q.url.includes('/blobs/'));
    assert.equal(blobGets.length, 3);
    assert.ok(blobGets.every((q) => q.url === blobGets[0]!.url));
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual((await engine.listImages()).flatMap((i) => i.tags), [`${registry.host}/faults/small:1`]);
  } finally {
    await engine.close();
  }
});

test('a connection cut after 3 MB of an 8 MB layer: the pull resumes with a range request in the same run', async () => {
  const layer = big.layerDigests[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) && r.n === 1 ? { cutAfterBytes: 3 * MB } : undefined));
  const engine = await BundledEngine.open(join(dir.path, 'cut'), { env, registry: { backoffMs: 10 } });
  try {
    const [result] = await engine.pull(`${p.host}/faults/big:1`, {});
    assert.equal(result!.id, big.configDigest);
    const gets = p.requests.filter((q) => q.method === 'GET' && q.url.endsWith(`/blobs/${layer}`));
    assert.equal(gets.length, 2);
    assert.equal(gets[0]!.headers.range, undefined);
    const m = /^bytes=(\d+)-$/.exec(String(gets[1]!.headers.range));
    assert.ok(m, `the second GET asked for ${gets[1]!.headers.range}`);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) <= 3 * MB, `resumed at ${m[1]}`);
    assert.deepEqual((await engine.check()).problems, []);
  } finally {
    await engine.close();
  }
});

test('a server that answers a range request with the whole blob: the download starts again from zero and succeeds', async () => {
  const layer = big.layerDigests[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) ? (r.n === 1 ? { cutAfterBytes: 3 * MB } : { withoutRange: true }) : undefined));
  const engine = await BundledEngine.open(join(dir.path, 'no-range'), { env, registry: { backoffMs: 10 } });
  try {
    const [result] = await engine.pull(`${p.host}/faults/big:1`, {});
    assert.equal(result!.id, big.configDigest);
    const gets = p.requests.filter((q) => q.method === 'GET' && q.url.endsWith(`/blobs/${layer}`));
    assert.equal(gets.length, 2);
    assert.match(String(gets[1]!.headers.range), /^bytes=[1-9]\d*-$/);
    assert.deepEqual((await engine.check()).problems, []);
  } finally {
    await engine.close();
  }
});

test('a registry reached by name that cuts every download: the pull gives up naming it, keeps the part downloaded, and the store is as it was', async () => {
  const layer = big.layerDigests[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) ? { cutAfterBytes: 256 << 10 } : undefined));
  const named = `localhost:${p.host.split(':')[1]}`;
  const { root, engine } = await storeWithAnImage('always-cut');
  try {
    const before = snapshot(root);
    const e = await rejection(engine.pull(`${named}/faults/big:1`, {}));
    assert.match(e.message, new RegExp(`cannot reach registry ${named}: the connection was cut`));
    assert.ok(p.requests.filter((q) => q.method === 'GET' && q.url.endsWith(`/blobs/${layer}`)).length > 1);
    assert.ok(statSync(join(root, 'ingest', `partial-${layer.slice(7)}`)).size > 0);
    assert.deepEqual(snapshot(root), before);
  } finally {
    await engine.close();
  }
});

test('a corrupt layer is thrown away and reported, and the store is as it was; run again, the pull completes', async () => {
  const layer = other.layerDigests[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) ? { corrupt: true } : undefined));
  const { root, engine } = await storeWithAnImage('corrupt');
  try {
    const before = snapshot(root);
    const e = await rejection(engine.pull(`${p.host}/faults/other:1`, {}));
    assert.match(e.message, /thrown away/);
    assert.ok(e.message.includes(layer), e.message);
    // Nothing of the corrupt layer is kept; the config, which verified, waits in ingest/ for the next pull.
    assert.deepEqual(partials(root), [`partial-${other.configDigest.slice(7)}`]);
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual((await engine.listImages()).flatMap((i) => i.tags), [`${registry.host}/faults/small:1`]);

    const clean = await proxy(() => undefined);
    const [result] = await engine.pull(`${clean.host}/faults/other:1`, {});
    assert.equal(result!.id, other.configDigest);
    assert.deepEqual(clean.requests.filter((q) => q.method === 'GET' && q.url.includes('/blobs/')).map((q) => q.url), [`/v2/faults/other/blobs/${layer}`]);
    assert.deepEqual(partials(root), []);
    assert.deepEqual((await engine.check()).problems, []);
  } finally {
    await engine.close();
  }
});

test('a registry that sends more bytes than the layer has is refused, and the store is as it was', async () => {
  const { layers } = await manifestOf('faults/other', '1');
  const layer = layers[0]!;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer.digest}`) ? { status: 200, body: randomBytes(layer.size + 10) } : undefined));
  const { root, engine } = await storeWithAnImage('oversized');
  try {
    const before = snapshot(root);
    const e = await rejection(engine.pull(`${p.host}/faults/other:1`, {}));
    assert.match(e.message, new RegExp(`layer ${layer.digest}: the registry sent more than the ${layer.size} bytes the manifest gives; the download was thrown away`));
    assert.deepEqual(partials(root), [`partial-${other.configDigest.slice(7)}`]);
    assert.deepEqual(snapshot(root), before);
    assert.deepEqual((await engine.listImages()).flatMap((i) => i.tags), [`${registry.host}/faults/small:1`]);
  } finally {
    await engine.close();
  }
});

test('a killed pull resumes where it stopped when run again', async () => {
  const layer = big.layerDigests[0]!;
  const stall = 6 * MB;
  const p = await proxy((r) => (r.method === 'GET' && r.url.endsWith(`/blobs/${layer}`) && r.n === 1 ? { stallAfterBytes: stall } : undefined));
  const root = join(dir.path, 'killed');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--root', root, 'pull', `${p.host}/faults/big:1`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(signal ?? `code ${code}`)));
  const partial = join(root, 'ingest', `partial-${layer.slice(7)}`);
  const deadline = Date.now() + 60_000;
  while (!(existsSync(partial) && statSync(partial).size > 0)) {
    assert.equal(child.exitCode, null, `the pull ended before it was killed:\n${output}`);
    assert.ok(Date.now() < deadline, `nothing in ${partial} after 60 s:\n${output}`);
    await delay(20);
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const kept = statSync(partial).size;
  assert.ok(kept > 0 && kept <= stall, `kept ${kept} bytes`);

  const r = await berth(root, ['pull', `${p.host}/faults/big:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  const gets = p.requests.filter((q) => q.method === 'GET' && q.url.endsWith(`/blobs/${layer}`));
  assert.equal(gets.length, 2);
  assert.equal(gets[1]!.headers.range, `bytes=${kept}-`);
  assert.ok(bigLayerSize > kept);
  assert.deepEqual(partials(root), []);
  const check = await berth(root, ['system', 'check'], { env });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('push: a 503 on the first upload PUT starts the upload again and the push succeeds', async () => {
  let uploadPuts = 0;
  const p = await proxy((r) => (r.method === 'PUT' && r.url.includes('/blobs/uploads/') && ++uploadPuts === 1 ? { status: 503, body: 'try again' } : undefined));
  const { engine } = await storeWithAnImage('push-503');
  try {
    await engine.tag(`${registry.host}/faults/small:1`, `${p.host}/pushed/retry:1`);
    const progress: { current?: number; total?: number }[] = [];
    const [pushed] = await engine.push(`${p.host}/pushed/retry:1`, { onEvent: (e) => e.type === 'layer' && e.status === 'Pushing' && progress.push(e) });
    assert.equal(pushed!.digest, small.manifestDigest);
    const total = progress[0]!.total!;
    assert.ok(progress.every((e) => e.current! <= total), `progress went past the layer's ${total} bytes: ${progress.map((e) => e.current).join(', ')}`);
    assert.equal(progress.at(-1)!.current, total);
    const upload = p.requests.filter((q) => q.url.includes('/blobs/')).map((q) => `${q.method} ${q.url.includes('/uploads/') ? 'upload' : 'blob'}`);
    // Layer then config; the layer's upload is started again from the HEAD after the 503.
    assert.deepEqual(upload, ['HEAD blob', 'POST upload', 'PUT upload', 'HEAD blob', 'POST upload', 'PUT upload', 'HEAD blob', 'POST upload', 'PUT upload']);
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/pushed/retry:1`]);
    assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, small.manifestDigest);
  } finally {
    await engine.close();
  }
});

test('push: an upload PUT whose answer is lost (a 502 after the registry took the blob) is retried and the push succeeds', async () => {
  let uploadPuts = 0;
  const p = await proxy((r) => (r.method === 'PUT' && r.url.includes('/blobs/uploads/') && ++uploadPuts === 1 ? { lostAnswer: { status: 502, body: 'gateway timeout' } } : undefined));
  const { engine } = await storeWithAnImage('push-lost');
  try {
    await engine.tag(`${registry.host}/faults/small:1`, `${p.host}/pushed/lost:1`);
    const [pushed] = await engine.push(`${p.host}/pushed/lost:1`, {});
    assert.equal(pushed!.digest, small.manifestDigest);
    // The registry took the layer before the answer was lost: starting over finds it there.
    const upload = p.requests.filter((q) => q.url.includes('/blobs/')).map((q) => `${q.method} ${q.url.includes('/uploads/') ? 'upload' : 'blob'}`);
    assert.deepEqual(upload, ['HEAD blob', 'POST upload', 'PUT upload', 'HEAD blob', 'HEAD blob', 'POST upload', 'PUT upload']);
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/pushed/lost:1`]);
    assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, small.manifestDigest);
  } finally {
    await engine.close();
  }
});

test('push: a manifest PUT that always fails with 500 fails the push clearly; no tag in the registry, the store as it was', async () => {
  const p = await proxy((r) => (r.method === 'PUT' && r.url.includes('/manifests/') ? { status: 500, body: 'storage on fire' } : undefined));
  const { root, engine } = await storeWithAnImage('push-500', { attempts: 3 });
  try {
    await engine.tag(`${registry.host}/faults/small:1`, `${p.host}/pushed/broken:1`);
    const before = snapshot(root);
    const e = await rejection(engine.push(`${p.host}/pushed/broken:1`, {}));
    assert.equal(e.message, `pushing ${p.host}/pushed/broken:1: manifest: the registry answered 500 (storage on fire)`);
    assert.equal(p.requests.filter((q) => q.method === 'PUT' && q.url.includes('/manifests/')).length, 3);
    await assert.rejects(run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/pushed/broken:1`]));
    assert.deepEqual(snapshot(root), before);
  } finally {
    await engine.close();
  }
});

test('a schema 1 manifest is refused with a clear message (served through the proxy: registry 2.8 no longer stores them)', async () => {
  const schema1 = JSON.stringify({ schemaVersion: 1, name: 'faults/small', tag: '1', architecture: 'amd64', fsLayers: [], history: [] });
  const p = await proxy((r) => (r.method === 'GET' && r.url.includes('/manifests/') ? { status: 200, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, body: schema1 } : undefined));
  const root = join(dir.path, 'schema1');
  const r = await berth(root, ['pull', `${p.host}/faults/small:1`], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /manifest v2 schema 1, which Berth does not support/);
  assert.equal((await berth(root, ['images', '-q'], { env })).stdout, '');
});
