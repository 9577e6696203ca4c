// Registries that lie, made by the fault proxy in front of the real registry: a manifest whose bytes do
// not match the digest asked for or announced, a manifest that gives a wrong size for a layer, a config
// that is another image's, a body shorter than the manifest says, bodies that never end (a blob, a
// manifest, an error answer) and redirect loops. Each pull is refused with a message that says what was
// wrong, ends in bounded time, and leaves the store as it was: index.json and blobs/ unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundledEngine } from '../../src/engine/engine';
import { tarOf } from '../helpers/archive-fixtures';
import { berth } from '../helpers/cli';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../helpers/fault-proxy';
import { pushTestImage, startRegistry, type PushedImage, type Registry } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';

const MB = 1 << 20;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let env: NodeJS.ProcessEnv;
let small: PushedImage;
let other: PushedImage;
let big: PushedImage;
const proxies: FaultProxy[] = [];

interface Manifest { config: { digest: string; size: number; mediaType: string }; layers: { digest: string; size: number; mediaType: string }[] }

before(async () => {
  dir = tempDir('berth-hostile-registry-');
  registry = await startRegistry({ auth: 'none' });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  small = await pushTestImage(registry, 'lies/small', '1');
  other = await pushTestImage(registry, 'lies/other', '1');
  big = await pushTestImage(registry, 'lies/big', '1', { layers: [randomBytes(2 * MB)] });
});

after(async () => {
  for (const p of proxies) await p.stop();
  await registry?.stop();
  dir?.cleanup();
});

async function raw(path: string): Promise<Buffer> {
  const res = await fetch(`${registry.url}${path}`, { headers: { accept: OCI_MANIFEST } });
  assert.equal(res.status, 200, `GET ${path}`);
  return Buffer.from(await res.arrayBuffer());
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

async function proxy(rule: (req: ProxiedRequest) => Fault | undefined): Promise<FaultProxy> {
  const p = await startFaultProxy(registry.url, rule);
  proxies.push(p);
  return p;
}

/** A store holding one image pulled straight from the registry, and an engine with quick retries. */
async function storeWithAnImage(name: string): Promise<{ root: string; engine: BundledEngine }> {
  const root = join(dir.path, name);
  const engine = await BundledEngine.open(root, { env, registry: { backoffMs: 5, attempts: 3 } });
  await engine.pull(`${registry.host}/lies/small:1`, {});
  return { root, engine };
}

/** "The store as it was": index.json's text and the list of blobs; also no partial download of `layer` kept. */
function snapshot(root: string): { index: string; blobs: string[] } {
  return { index: readFileSync(join(root, 'index.json'), 'utf8'), blobs: readdirSync(join(root, 'blobs', 'sha256')).sort() };
}

function partials(root: string): string[] {
  return existsSync(join(root, 'ingest')) ? readdirSync(join(root, 'ingest')).filter((n) => n.startsWith('partial-')) : [];
}

/** Pulls `ref` into the store, expects a refusal with `code` and a message matching `message`, and checks the store did not change. */
async function refused(name: string, ref: (host: string) => string, p: FaultProxy, code: string, message: RegExp): Promise<Error> {
  const { root, engine } = await storeWithAnImage(name);
  try {
    const was = snapshot(root);
    let error: (Error & { code?: string }) | undefined;
    try {
      await engine.pull(ref(p.host), {});
    } catch (e) {
      error = e as Error & { code?: string };
    }
    assert.ok(error, 'the pull was refused');
    assert.match(error.message, message);
    assert.equal(error.code, code, error.message);
    assert.deepEqual(snapshot(root), was, 'the store is as it was');
    assert.deepEqual((await engine.listImages()).flatMap((i) => i.tags), [`${registry.host}/lies/small:1`]);
    assert.deepEqual((await engine.check()).problems, []);
    return error;
  } finally {
    await engine.close();
  }
}

test('a manifest asked for by digest that hashes to another digest is thrown away', async () => {
  const otherManifest = await raw(`/v2/lies/other/manifests/1`);
  const p = await proxy((r) => (r.url.endsWith(`/manifests/${small.manifestDigest}`) ? { status: 200, headers: { 'content-type': OCI_MANIFEST }, body: otherManifest } : undefined));
  await refused('by-digest', (h) => `${h}/lies/small@${small.manifestDigest}`, p, 'DIGEST_MISMATCH',
    new RegExp(`the registry sent a manifest whose digest is ${other.manifestDigest}, not ${small.manifestDigest}; it was thrown away`));
});

test('a manifest whose Docker-Content-Digest header names other content is thrown away', async () => {
  const body = await raw(`/v2/lies/other/manifests/1`);
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { status: 200, headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': small.manifestDigest }, body } : undefined));
  await refused('header', (h) => `${h}/lies/other:1`, p, 'DIGEST_MISMATCH',
    new RegExp(`the manifest's content has digest ${other.manifestDigest}, but the registry says ${small.manifestDigest}`));
});

test('a manifest that gives a layer more bytes than the registry has: the download ends short and nothing is kept', async () => {
  const m = JSON.parse((await raw('/v2/lies/big/manifests/1')).toString()) as Manifest;
  m.layers[0]!.size += 1000;
  const body = Buffer.from(JSON.stringify(m));
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { status: 200, headers: { 'content-type': OCI_MANIFEST }, body } : undefined));
  await refused('size-too-big', (h) => `${h}/lies/big:1`, p, 'SIZE_MISMATCH',
    new RegExp(`layer ${big.layerDigests[0]}: the registry has only ${m.layers[0]!.size - 1000} bytes of it, not the ${m.layers[0]!.size} the manifest gives; the download was thrown away`));
});

test('a manifest that gives a layer fewer bytes than it has: the download stops at that size and is thrown away', async () => {
  const m = JSON.parse((await raw('/v2/lies/big/manifests/1')).toString()) as Manifest;
  const real = m.layers[0]!.size;
  m.layers[0]!.size = real - 1000;
  const body = Buffer.from(JSON.stringify(m));
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { status: 200, headers: { 'content-type': OCI_MANIFEST }, body } : undefined));
  await refused('size-too-small', (h) => `${h}/lies/big:1`, p, 'SIZE_MISMATCH',
    new RegExp(`layer ${big.layerDigests[0]}: the registry sent more than the ${real - 1000} bytes the manifest gives; the download was thrown away`));
});

test('a config blob answered with another image\'s config of the same size is thrown away', async () => {
  const own = await raw(`/v2/lies/other/blobs/${other.configDigest}`);
  const otherConfig = await raw(`/v2/lies/small/blobs/${small.configDigest}`);
  // Same length as the real config, so that only the digest can tell.
  const lie = Buffer.concat([otherConfig, Buffer.alloc(Math.max(0, own.length - otherConfig.length), 0x20)]).subarray(0, own.length);
  const p = await proxy((r) => (r.url.endsWith(`/blobs/${other.configDigest}`) ? { status: 200, body: lie } : undefined));
  await refused('wrong-config', (h) => `${h}/lies/other:1`, p, 'DIGEST_MISMATCH',
    new RegExp(`config ${other.configDigest}: the registry sent content with digest ${sha256(lie)}, not ${other.configDigest}; it was thrown away`));
});

test('a layer body that always ends short (a clean end, not a cut): the pull gives up saying how much came, and keeps nothing visible', async () => {
  const layer = await raw(`/v2/lies/big/blobs/${big.layerDigests[0]}`);
  const half = layer.subarray(0, layer.length >> 1);
  const p = await proxy((r) => (r.url.endsWith(`/blobs/${big.layerDigests[0]}`) ? { status: 200, body: half } : undefined));
  await refused('short', (h) => `${h}/lies/big:1`, p, 'NETWORK',
    new RegExp(`layer ${big.layerDigests[0]}: the registry ended the download after ${half.length} of ${layer.length} bytes`));
  assert.ok(sha256(layer) === big.layerDigests[0]);
});

test('a layer body that never ends is cut at the manifest\'s size and thrown away', async () => {
  const p = await proxy((r) => (r.url.endsWith(`/blobs/${big.layerDigests[0]}`) ? { endless: { status: 200 } } : undefined));
  await refused('endless-layer', (h) => `${h}/lies/big:1`, p, 'SIZE_MISMATCH', /the registry sent more than the \d+ bytes the manifest gives; the download was thrown away/);
  assert.ok(!partials(join(dir.path, 'endless-layer')).includes(`partial-${big.layerDigests[0]!.slice(7)}`));
});

test('a manifest body that never ends is cut at 4 MiB', async () => {
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { endless: { status: 200, headers: { 'content-type': OCI_MANIFEST } } } : undefined));
  await refused('endless-manifest', (h) => `${h}/lies/other:1`, p, 'INVALID_MANIFEST', /the registry sent more than 4194304 bytes, more than a manifest or config can be/);
});

test('an error answer whose body never ends is cut, and the error still names the status', async () => {
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { endless: { status: 404, headers: { 'content-type': 'application/json' } } } : undefined));
  await refused('endless-error', (h) => `${h}/lies/other:1`, p, 'NOT_FOUND', /the registry answered 404/);
});

test('a retryable error answer whose body never ends is cut too, and retried', async () => {
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { endless: { status: 503 } } : undefined));
  await refused('endless-503', (h) => `${h}/lies/other:1`, p, 'REGISTRY', /the registry answered 503/);
  assert.equal(p.requests.filter((q) => q.url.endsWith('/manifests/1')).length, 3);
});

test('a manifest that redirects to itself: the pull stops after a bounded number of redirects', async () => {
  const p = await proxy((r) => (r.url.endsWith('/manifests/1') ? { status: 307, headers: { location: r.url } } : undefined));
  await refused('redirect-loop', (h) => `${h}/lies/other:1`, p, 'REGISTRY', /too many redirects/);
  assert.ok(p.requests.length <= 3 * 12, `${p.requests.length} requests`);
});

test('a layer that redirects in a loop between two addresses: the pull stops and keeps nothing', async () => {
  const layer = big.layerDigests[0]!;
  const p = await proxy((r) => {
    if (r.url.endsWith(`/blobs/${layer}`)) return { status: 302, headers: { location: `/elsewhere/${layer}` } };
    if (r.url.startsWith('/elsewhere/')) return { status: 302, headers: { location: `/v2/lies/big/blobs/${layer}` } };
    return undefined;
  });
  await refused('redirect-ping-pong', (h) => `${h}/lies/big:1`, p, 'REGISTRY', new RegExp(`layer ${layer}: too many redirects`));
});

test('layers whose entries leave the root are pulled as they are, and a build that unpacks them refuses them; nothing is written outside', async () => {
  const escape = join(tmpdir(), `berth-escape-${randomBytes(6).toString('hex')}`);
  const layers = [
    await tarOf([{ name: `${'../'.repeat(12)}${escape.slice(1)}`, content: 'owned' }]),
    await tarOf([{ name: 'etc', type: 'symlink', linkname: escape }, { name: 'etc/owned', content: 'owned' }]),
    await tarOf([{ name: 'link', type: 'link', linkname: `../../../../..${escape}` }]),
  ];
  const problems = [
    /refusing entry "(\.\.\/)+tmp\/berth-escape-[0-9a-f]+": it has a "\.\." component, which would write outside the image's root/,
    /refusing entry "etc\/owned": it lies beneath "etc", which an earlier entry made a symbolic link/,
    /refusing entry "link": it is a hard link to "[^"]+", which has a "\.\." component and so lies outside the image's root/,
  ];
  const root = join(dir.path, 'escape-store');
  for (const [i, layer] of layers.entries()) {
    await pushTestImage(registry, `lies/escape${i}`, '1', { layers: [layer] });
    const pull = await berth(root, ['pull', `${registry.host}/lies/escape${i}:1`], { env });
    assert.equal(pull.code, 0, pull.stderr);
    const context = join(dir.path, `context-${i}`);
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), `FROM ${registry.host}/lies/escape${i}:1\nCOPY --from=${registry.host}/lies/escape${i}:1 / /copy/\n`);
    const build = await berth(root, ['build', '-t', `escaped:${i}`, context], { env });
    assert.equal(build.code, 1, build.stdout + build.stderr);
    assert.match(build.stderr, problems[i]!);
    assert.ok(!existsSync(escape), `${escape} was written`);
  }
  const check = await berth(root, ['system', 'check'], { env });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.equal((await berth(root, ['images', '-q', 'escaped'], { env })).stdout, '');
});
