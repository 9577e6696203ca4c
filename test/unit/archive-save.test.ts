import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { saveImages, saveToFile } from '../../src/engine/archive/save';
import { isBerthError } from '../../src/engine/errors';
import { digestOf, hexOf, type Digest } from '../../src/engine/oci/digest';
import { MediaType, type ImageIndex } from '../../src/engine/oci/types';
import { commitImage } from '../../src/engine/store/images';
import { Store } from '../../src/engine/store/store';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let store: Store;

beforeEach(async () => {
  dir = tempDir('berth-save-');
  store = await Store.open(`${dir.path}/store`);
});
afterEach(() => dir.cleanup());

/** The files of a tar, by name (folders and links left out). */
async function untar(bytes: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  ex.end(bytes);
  await done;
  return files;
}

async function saved(names: string[], format: 'docker' | 'oci'): Promise<Map<string, Buffer>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await saveImages(store, names, out, { format });
  return untar(Buffer.concat(chunks));
}

/** Stores an image whose single layer is kept gzip (several gzip members when `parts` has several). */
async function addGzipImage(tag: string, parts: Buffer[]): Promise<{ id: Digest; tar: Buffer; gz: Buffer }> {
  const tar = Buffer.concat(parts);
  const gz = Buffer.concat(parts.map((p) => gzipSync(p)));
  const lease = await store.lease();
  try {
    const layer = await store.blobs.put(gz, lease);
    const config = await store.blobs.put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } })), lease);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, ...config }, layers: [{ mediaType: MediaType.ociLayerGzip, ...layer }] }));
    const m = await store.blobs.put(manifest, lease);
    await commitImage(store, { id: config.digest, manifest: { mediaType: MediaType.ociManifest, ...m }, size: layer.size }, { tags: [tag] });
    return { id: config.digest, tar, gz };
  } finally {
    await lease.release();
  }
}

const shared = Buffer.from('shared layer '.repeat(500));

test('docker format: configs, each layer once as <diff id>/layer.tar, manifest.json and repositories', async () => {
  const a = await addImage(store, { tags: ['docker.io/library/alpha:1'], layers: [shared, Buffer.from('only alpha')] });
  const b = await addImage(store, { tags: ['quay.io/team/beta:2'], layers: [shared] });
  const files = await saved(['alpha:1', 'quay.io/team/beta:2'], 'docker');
  assert.deepEqual(JSON.parse(files.get('manifest.json')!.toString()), [
    { Config: `${hexOf(a.id)}.json`, RepoTags: ['alpha:1'], Layers: a.layers.map((l) => `${hexOf(l)}/layer.tar`) },
    { Config: `${hexOf(b.id)}.json`, RepoTags: ['quay.io/team/beta:2'], Layers: [`${hexOf(b.layers[0]!)}/layer.tar`] },
  ]);
  assert.deepEqual(JSON.parse(files.get('repositories')!.toString()), { alpha: { '1': hexOf(a.layers[1]!) }, 'quay.io/team/beta': { '2': hexOf(b.layers[0]!) } });
  assert.equal(digestOf(files.get(`${hexOf(a.id)}.json`)!), a.id);
  assert.deepEqual(files.get(`${hexOf(digestOf(shared))}/layer.tar`), shared);
  assert.equal([...files.keys()].filter((n) => n.endsWith('layer.tar')).length, 2);
});

test('docker format: a gzip layer is written uncompressed, matching its diff ID', async () => {
  const part = Buffer.from('compressible '.repeat(100_000));
  const img = await addGzipImage('docker.io/library/gz:latest', [part]);
  const files = await saved(['gz'], 'docker');
  assert.deepEqual(files.get(`${hexOf(digestOf(img.tar))}/layer.tar`), img.tar);
  const file = `${dir.path}/gz.tar`;
  await saveToFile(store, ['gz'], file, { format: 'docker' });
  assert.deepEqual((await untar(readFileSync(file))).get(`${hexOf(digestOf(img.tar))}/layer.tar`), img.tar);
});

test('saveToFile: a gzip layer of several members, whose trailer misstates its size, is still written right', async () => {
  const img = await addGzipImage('docker.io/library/multi:latest', [Buffer.alloc(2_000_000), Buffer.from('tail '.repeat(4000))]);
  const file = `${dir.path}/multi.tar`;
  await saveToFile(store, ['multi'], file, { format: 'docker' });
  assert.deepEqual((await untar(readFileSync(file))).get(`${hexOf(digestOf(img.tar))}/layer.tar`), img.tar);
  assert.deepEqual(readdirSync(dir.path).sort(), ['multi.tar', 'store']);
});

test('names: a repository saves all its tags, an ID saves untagged, an image named twice is saved once', async () => {
  const a = await addImage(store, { tags: ['docker.io/library/app:1', 'docker.io/library/app:2', 'docker.io/library/other:x'] });
  const b = await addImage(store, { tags: ['docker.io/library/app:3'] });
  let manifest = JSON.parse((await saved(['app'], 'docker')).get('manifest.json')!.toString());
  assert.deepEqual(manifest.map((m: { RepoTags: string[] }) => m.RepoTags), [['app:1', 'app:2'], ['app:3']]);
  manifest = JSON.parse((await saved([a.id, b.id.slice(7, 19), 'other:x'], 'docker')).get('manifest.json')!.toString());
  assert.deepEqual(manifest.map((m: { RepoTags: string[] | null }) => m.RepoTags), [['other:x'], null]);
});

test('oci format: an OCI layout with one index entry per tag and every blob as stored', async () => {
  const a = await addImage(store, { tags: ['docker.io/library/alpha:1', 'docker.io/library/alpha:2'], layers: [shared] });
  const b = await addGzipImage('docker.io/library/gz:latest', [Buffer.from('gz layer')]);
  const c = await addImage(store, { tags: [], layers: [shared] });
  const files = await saved(['alpha', 'gz:latest', c.id], 'oci');
  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(files.get('index.json')!.toString()) as ImageIndex;
  assert.deepEqual(index.manifests.map((m) => m.annotations), [
    { 'org.opencontainers.image.ref.name': 'docker.io/library/alpha:1', 'io.containerd.image.name': 'docker.io/library/alpha:1' },
    { 'org.opencontainers.image.ref.name': 'docker.io/library/alpha:2', 'io.containerd.image.name': 'docker.io/library/alpha:2' },
    { 'org.opencontainers.image.ref.name': 'docker.io/library/gz:latest', 'io.containerd.image.name': 'docker.io/library/gz:latest' },
    undefined,
  ]);
  assert.equal(index.manifests[0]!.digest, a.manifest);
  for (const [name, data] of files) {
    if (name.startsWith('blobs/sha256/')) assert.equal(hexOf(digestOf(data)), name.slice('blobs/sha256/'.length));
  }
  assert.deepEqual(files.get(`blobs/sha256/${hexOf(digestOf(b.gz))}`), b.gz);
  assert.equal([...files.keys()].filter((n) => n.startsWith('blobs/')).length, 1 + 3 + 3 + 2 - 1);
});

test('an unknown name fails before anything is written', async () => {
  await addImage(store, { tags: ['docker.io/library/alpha:1'] });
  const file = `${dir.path}/out.tar`;
  await assert.rejects(saveToFile(store, ['alpha:1', 'nope:latest'], file, { format: 'docker' }), (e: unknown) => isBerthError(e, 'NOT_FOUND') && /No such image: nope:latest/.test((e as Error).message));
  assert.deepEqual(readdirSync(dir.path), ['store']);
  let wrote = false;
  const out = new Writable({ write(_c, _e, cb) { wrote = true; cb(); } });
  await assert.rejects(saveImages(store, ['nope'], out, { format: 'oci' }), /No such image: nope/);
  assert.equal(wrote, false);
});

test('a damaged store fails the save, and saveToFile leaves neither the file nor a temporary one', async () => {
  const a = await addImage(store, { tags: ['docker.io/library/alpha:1'], layers: [Buffer.alloc(3_000_000, 1)] });
  const gz = await addGzipImage('docker.io/library/gz:1', [Buffer.from('gzip layer '.repeat(10_000))]);
  const file = `${dir.path}/out.tar`;
  const fails = async (names: string[], format: 'docker' | 'oci', message: RegExp): Promise<void> => {
    await assert.rejects(saveToFile(store, names, file, { format }), (e: unknown) => isBerthError(e, 'STORE_CORRUPT') && message.test((e as Error).message) && /run "berth system check"/.test((e as Error).message));
    assert.equal(existsSync(file), false);
    assert.deepEqual(readdirSync(dir.path), ['store']);
  };
  // A layer cut short: found by its size, in both formats.
  writeFileSync(store.blobs.path(a.layers[0]!), Buffer.alloc(2_000_000, 1));
  await fails(['alpha:1'], 'docker', /has fewer than the 3000000 bytes/);
  await fails(['alpha:1'], 'oci', /has fewer than the 3000000 bytes/);
  // A gzip layer with a flipped byte: found by gzip's own check.
  const bytes = Buffer.from(gz.gz);
  bytes[bytes.length - 12] ^= 0xff;
  writeFileSync(store.blobs.path(digestOf(gz.gz)), bytes);
  await fails(['gz:1'], 'docker', /is not valid gzip/);
  // A config with a changed byte: configs and manifests are checked against their digests.
  const config = readFileSync(store.blobs.path(gz.id));
  config[config.length - 2] = 0x20;
  writeFileSync(store.blobs.path(gz.id), config);
  await fails(['gz:1'], 'oci', /does not match its digest/);
});

test('a failing destination fails the save', async () => {
  await addImage(store, { tags: ['docker.io/library/alpha:1'], layers: [Buffer.alloc(3_000_000, 1)] });
  let n = 0;
  const out = new Writable({ write(c: Buffer, _e, cb) { n += c.length; cb(n > 1_000_000 ? new Error('EPIPE: broken pipe') : null); } });
  await assert.rejects(saveImages(store, ['alpha:1'], out, { format: 'docker' }), /broken pipe/);
  await assert.rejects(saveToFile(store, ['alpha:1'], `${dir.path}/missing-folder/out.tar`, { format: 'docker' }), (e: unknown) => isBerthError(e, 'IO') && /cannot write .*missing-folder\/out\.tar: the folder .*missing-folder does not exist/.test((e as Error).message));
});
