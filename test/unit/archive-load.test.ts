import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { loadImages } from '../../src/engine/archive/load';
import { hostPlatform } from '../../src/engine/oci/platform';
import { saveImages } from '../../src/engine/archive/save';
import { isBerthError, type ErrorCode } from '../../src/engine/errors';
import { digestOf, hexOf } from '../../src/engine/oci/digest';
import { MediaType, type ImageManifest } from '../../src/engine/oci/types';
import { listImages } from '../../src/engine/store/images';
import { Store } from '../../src/engine/store/store';
import { gzip, snapshotStore, tarOf, type FixtureEntry } from '../helpers/archive-fixtures';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let store: Store;

beforeEach(async () => {
  dir = tempDir('berth-load-');
  store = await Store.open(`${dir.path}/store`);
});
afterEach(() => dir.cleanup());

async function saved(source: Store, names: string[], format: 'docker' | 'oci'): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await saveImages(source, names, out, { format });
  out.end();
  return Buffer.concat(chunks);
}

function load(bytes: Buffer, sourceName = 'images.tar') {
  return loadImages(store, Readable.from([bytes]), { sourceName });
}

const layerA = Buffer.from('layer A content '.repeat(1000));
const layerB = Buffer.from('layer B content '.repeat(3000));

/** Config bytes as Docker writes them (key order kept), for archives made by hand. */
function configBytes(diffIds: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ architecture: 'amd64', config: { Cmd: ['sh'] }, created: '2024-01-02T03:04:05.000000006Z', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, ...extra }));
}

/** A docker-save archive as Docker 20.10 writes it: v1 folders with json/VERSION, a symlinked shared layer, manifest.json last. */
function dockerArchiveEntries(options: { layers?: Buffer[]; tags?: string[] | null; gzipLayers?: boolean } = {}): { entries: FixtureEntry[]; config: Buffer } {
  const layers = options.layers ?? [layerA, layerB];
  const config = configBytes(layers.map((l) => digestOf(l)));
  const entries: FixtureEntry[] = [{ name: `${hexOf(digestOf(config))}.json`, content: config }];
  const paths: string[] = [];
  layers.forEach((l, i) => {
    const v1 = `${String(i).repeat(64).slice(0, 64)}`;
    entries.push({ name: `${v1}/` }, { name: `${v1}/VERSION`, content: '1.0' }, { name: `${v1}/json`, content: '{}' }, { name: `${v1}/layer.tar`, content: options.gzipLayers ? gzip(l) : l });
    paths.push(`${v1}/layer.tar`);
  });
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: `${hexOf(digestOf(config))}.json`, RepoTags: options.tags === undefined ? ['busybox:latest'] : options.tags, Layers: paths }]) });
  return { entries, config };
}

test('save then load keeps image IDs, tags and layers, in both formats', async () => {
  const srcDir = tempDir('berth-load-src-');
  try {
    const src = await Store.open(srcDir.path);
    const a = await addImage(src, { tags: ['docker.io/library/alpha:1', 'docker.io/library/alpha:2'], layers: [layerA, layerB] });
    const b = await addImage(src, { tags: ['localhost:5000/team/beta:latest'], layers: [layerA] });
    for (const format of ['docker', 'oci'] as const) {
      const r = await load(await saved(src, ['alpha', 'localhost:5000/team/beta'], format));
      assert.deepEqual(r.loaded, [
        { tag: 'alpha:1', id: a.id },
        { tag: 'alpha:2', id: a.id },
        { tag: 'localhost:5000/team/beta:latest', id: b.id },
      ]);
      const images = await listImages(store);
      const alpha = images.find((i) => i.id === a.id)!;
      assert.deepEqual(alpha.tags, ['docker.io/library/alpha:1', 'docker.io/library/alpha:2']);
      const manifest = await store.blobs.readJson<ImageManifest>(alpha.manifest.digest);
      assert.equal(manifest.mediaType, MediaType.ociManifest);
      assert.deepEqual(manifest.layers.map((l) => l.digest), a.layers);
      assert.deepEqual(snapshotStore(store).ingest, []);
      assert.deepEqual(snapshotStore(store).leases, []);
    }
  } finally {
    srcDir.cleanup();
  }
});

test('an image saved by ID loads untagged', async () => {
  const srcDir = tempDir('berth-load-src-');
  try {
    const src = await Store.open(srcDir.path);
    const a = await addImage(src, { tags: ['docker.io/library/alpha:1'] });
    assert.deepEqual((await load(await saved(src, [a.id.slice(7, 19)], 'docker'))).loaded, [{ id: a.id }]);
  } finally {
    srcDir.cleanup();
  }
});

test('a Docker 20.10 archive loads: v1 folders, symlinked layers, gzip over the whole archive', async () => {
  const { entries, config } = dockerArchiveEntries();
  // A second image sharing layer A through a symlink, as docker save links a layer it already wrote.
  const config2 = configBytes([digestOf(layerA)], { comment: 'second' });
  entries.splice(entries.length - 1, 0, { name: `${'9'.repeat(64)}/` }, { name: `${'9'.repeat(64)}/layer.tar`, type: 'symlink', linkname: `../${'0'.repeat(64)}/layer.tar` }, { name: `${hexOf(digestOf(config2))}.json`, content: config2 });
  const manifest = JSON.parse(entries[entries.length - 1]!.content as string) as unknown[];
  manifest.push({ Config: `${hexOf(digestOf(config2))}.json`, RepoTags: null, Layers: [`${'9'.repeat(64)}/layer.tar`] });
  entries[entries.length - 1] = { name: 'manifest.json', content: JSON.stringify(manifest) };
  const r = await load(gzip(await tarOf(entries)), 'busybox.tar.gz');
  assert.deepEqual(r.loaded, [{ tag: 'busybox:latest', id: digestOf(config) }, { id: digestOf(config2) }]);
  assert.equal((await store.blobs.read(digestOf(config))).equals(config), true);
  assert.equal((await store.blobs.read(digestOf(layerB))).equals(layerB), true);
});

test('gzip-compressed layers inside a docker archive are stored gzip and checked on their inflated content', async () => {
  const { entries, config } = dockerArchiveEntries({ gzipLayers: true });
  const r = await load(await tarOf(entries));
  assert.equal(r.loaded[0]!.id, digestOf(config));
  const image = (await listImages(store))[0]!;
  const manifest = await store.blobs.readJson<ImageManifest>(image.manifest.digest);
  assert.deepEqual(manifest.layers.map((l) => l.mediaType), [MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
  assert.deepEqual(manifest.layers.map((l) => l.digest), [digestOf(gzip(layerA)), digestOf(gzip(layerB))]);
});

/** An OCI layout in a tar with one image; `entry` decorates the index entry. */
function ociEntries(annotations: Record<string, string> | undefined, options: { manifestMediaType?: string } = {}): { entries: FixtureEntry[]; config: Buffer; manifest: Buffer } {
  const config = configBytes([digestOf(layerA)]);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: options.manifestMediaType ?? MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: digestOf(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: digestOf(gzip(layerA)), size: gzip(layerA).length }],
  }));
  const index = { schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: digestOf(manifest), size: manifest.length, ...(annotations ? { annotations } : {}) }] };
  const blob = (b: Buffer): FixtureEntry => ({ name: `blobs/sha256/${hexOf(digestOf(b))}`, content: b });
  return { entries: [blob(gzip(layerA)), blob(config), blob(manifest), { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', content: JSON.stringify(index) }], config, manifest };
}

test('OCI archives: full ref names, Docker 25 names, bare tags', async () => {
  const full = ociEntries({ 'org.opencontainers.image.ref.name': 'docker.io/library/app:v1' });
  assert.deepEqual((await load(await tarOf(full.entries))).loaded, [{ tag: 'app:v1', id: digestOf(full.config) }]);
  const docker25 = ociEntries({ 'org.opencontainers.image.ref.name': 'v2', 'io.containerd.image.name': 'docker.io/library/app:v2' });
  assert.deepEqual((await load(await tarOf(docker25.entries))).loaded, [{ tag: 'app:v2', id: digestOf(docker25.config) }]);
  const bare = ociEntries({ 'org.opencontainers.image.ref.name': 'latest' });
  assert.deepEqual((await load(await tarOf(bare.entries))).loaded, [{ id: digestOf(bare.config) }]);
});

test('a multi-platform index loads the image of this machine\'s platform', async () => {
  const { entries, config, manifest } = ociEntries(undefined);
  const other = { mediaType: MediaType.ociManifest, digest: `sha256:${'e'.repeat(64)}`, size: 100, platform: { os: 'linux', architecture: 'not-this-one' } };
  const mine = { mediaType: MediaType.ociManifest, digest: digestOf(manifest), size: manifest.length, platform: hostPlatform() };
  const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [other, mine] }));
  const top = { schemaVersion: 2, manifests: [{ mediaType: MediaType.ociIndex, digest: digestOf(nested), size: nested.length, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:latest' } }] };
  entries.splice(entries.length - 1, 1, { name: `blobs/sha256/${hexOf(digestOf(nested))}`, content: nested }, { name: 'index.json', content: JSON.stringify(top) });
  assert.deepEqual((await load(await tarOf(entries))).loaded, [{ tag: 'multi:latest', id: digestOf(config) }]);
});

test('a Docker 25 archive with both manifest.json and index.json is read through manifest.json', async () => {
  const { entries, config } = ociEntries({ 'io.containerd.image.name': 'docker.io/library/app:oci' });
  const layer = `blobs/sha256/${hexOf(digestOf(gzip(layerA)))}`;
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: `blobs/sha256/${hexOf(digestOf(config))}`, RepoTags: ['app:docker'], Layers: [layer] }]) });
  assert.deepEqual((await load(await tarOf(entries))).loaded, [{ tag: 'app:docker', id: digestOf(config) }]);
});

/** Loads expecting a refusal, and checks the store did not change. */
async function refused(bytes: Buffer, code: ErrorCode, message: RegExp): Promise<void> {
  await addImage(store, { tags: ['docker.io/library/existing:latest'] }).catch(() => undefined);
  const before = snapshotStore(store);
  await assert.rejects(load(bytes, 'bad.tar'), (e: unknown) => {
    assert.ok(isBerthError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
  assert.deepEqual(snapshotStore(store), before);
}

test('not a tar, a truncated archive, an empty one', async () => {
  await refused(Buffer.from('definitely not a tar file\n'.repeat(50)), 'INVALID_ARCHIVE', /^bad\.tar is not a valid tar archive: /);
  const whole = await tarOf(dockerArchiveEntries().entries);
  await refused(whole.subarray(0, Math.floor(whole.length / 2)), 'INVALID_ARCHIVE', /^bad\.tar is not a valid tar archive: unexpected end of file$/);
  const gz = gzip(whole);
  await refused(gz.subarray(0, gz.length - 50), 'INVALID_ARCHIVE', /^bad\.tar is not a valid gzip-compressed archive: unexpected end of file$/);
  await refused(Buffer.alloc(0), 'INVALID_ARCHIVE', /^bad\.tar is empty/);
});

test('an archive without manifest.json or index.json is not an image archive', async () => {
  await refused(await tarOf([{ name: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh' }]), 'INVALID_ARCHIVE', /^bad\.tar contains neither manifest\.json nor index\.json: not an image archive/);
});

test('manifest.json naming files the archive lacks', async () => {
  const { entries } = dockerArchiveEntries();
  await refused(await tarOf(entries.filter((e) => !e.name.endsWith('.json') || e.name === 'manifest.json')), 'INVALID_ARCHIVE', /bad\.tar: the Config of image 1 of manifest\.json names "[0-9a-f]{64}\.json", which is not in the archive/);
  await refused(await tarOf(entries.filter((e) => e.name !== `${'1'.repeat(64)}/layer.tar`)), 'INVALID_ARCHIVE', /layer 2 of image 1 of manifest\.json names "1{64}\/layer\.tar", which is not in the archive/);
});

test('a layer that does not match its diff ID', async () => {
  const { entries } = dockerArchiveEntries();
  const i = entries.findIndex((e) => e.name === `${'1'.repeat(64)}/layer.tar`);
  entries[i] = { ...entries[i]!, content: Buffer.from('tampered') };
  await refused(await tarOf(entries), 'DIGEST_MISMATCH', /bad\.tar: layer "1{64}\/layer\.tar" has diff ID sha256:[0-9a-f]{64}, but the image config expects sha256:/);
});

test('OCI blobs with a wrong digest or size, or missing', async () => {
  const { entries, manifest } = ociEntries({ 'org.opencontainers.image.ref.name': 'docker.io/library/app:v1' });
  const tampered = entries.map((e) => (e.name === `blobs/sha256/${hexOf(digestOf(gzip(layerA)))}` ? { ...e, content: Buffer.from('x') } : e));
  await refused(await tarOf(tampered), 'DIGEST_MISMATCH', /bad\.tar: blobs\/sha256\/[0-9a-f]{64} has digest sha256:[0-9a-f]{64}, not the one its name says/);
  const wrongSize = entries.map((e) => (e.name === 'index.json' ? { ...e, content: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: digestOf(manifest), size: manifest.length + 1 }] }) } : e));
  await refused(await tarOf(wrongSize), 'SIZE_MISMATCH', /blob sha256:[0-9a-f]{64} has \d+ bytes, but its descriptor says \d+/);
  await refused(await tarOf(entries.filter((e) => !e.name.endsWith(hexOf(digestOf(gzip(layerA)))))), 'INVALID_ARCHIVE', /blob sha256:[0-9a-f]{64} is named by the archive but not in it/);
});

test('a multi-platform index without this machine\'s platform', async () => {
  const { entries } = ociEntries(undefined);
  const other = { mediaType: MediaType.ociManifest, digest: `sha256:${'e'.repeat(64)}`, size: 100, platform: { os: 'linux', architecture: 'not-this-one' } };
  const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [other] }));
  const top = { schemaVersion: 2, manifests: [{ mediaType: MediaType.ociIndex, digest: digestOf(nested), size: nested.length }] };
  entries.splice(entries.length - 1, 1, { name: `blobs/sha256/${hexOf(digestOf(nested))}`, content: nested }, { name: 'index.json', content: JSON.stringify(top) });
  await refused(await tarOf(entries), 'NOT_FOUND', new RegExp(`has no image for ${hostPlatform().os}/${hostPlatform().architecture}; it has linux/not-this-one`));
});

test('entry names with ".." or absolute paths, and device files', async () => {
  const { entries } = dockerArchiveEntries();
  await refused(await tarOf([{ name: '../evil', content: 'x' }, ...entries]), 'UNSAFE_ARCHIVE', /^bad\.tar: refusing entry "\.\.\/evil": it has a "\.\." component/);
  await refused(await tarOf([{ name: '/abs.json', content: '{}' }, ...entries]), 'UNSAFE_ARCHIVE', /refusing entry "\/abs\.json": it is an absolute path/);
  await refused(await tarOf([{ name: 'null', type: 'character-device' }, ...entries]), 'UNSAFE_ARCHIVE', /an image archive holds no device files/);
  await refused(await tarOf([{ name: 'x/layer.tar', type: 'symlink', linkname: '../../outside' }, ...entries]), 'UNSAFE_ARCHIVE', /links to "\.\.\/\.\.\/outside", outside the archive/);
});

test('invalid tags in manifest.json', async () => {
  const { entries } = dockerArchiveEntries({ tags: ['Not A Tag'] });
  await refused(await tarOf(entries), 'INVALID_ARCHIVE', /image 1 of manifest\.json names the invalid tag "Not A Tag"/);
});
