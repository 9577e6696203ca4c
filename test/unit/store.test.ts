// The local store on real files: tags, removal with Docker's rules, shared layers, GC, locks, check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Store } from '../../src/engine/store/store';
import { listImages, removeImages, tagImage, findImage, pruneImages } from '../../src/engine/store/images';
import { checkStore, diskUsage } from '../../src/engine/store/check';
import { withFileLock } from '../../src/engine/store/lock';
import { hexOf } from '../../src/engine/oci/digest';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

async function withStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(await Store.open(dir.path), dir.path);
  } finally {
    dir.cleanup();
  }
}

test('a new store is an OCI image layout', () => withStore(async (store, dir) => {
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  await addImage(store, { tags: ['docker.io/library/busybox:latest'] });
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'docker.io/library/busybox:latest');
}));

test('tag adds a name; the same image keeps one ID and layers are stored once', () => withStore(async (store) => {
  const img = await addImage(store, { tags: ['docker.io/library/busybox:latest'] });
  await tagImage(store, 'busybox', 'myrepo/busybox:v1');
  await tagImage(store, img.id.slice(7, 19), 'localhost:5000/x');
  const images = await listImages(store);
  assert.equal(images.length, 1);
  assert.deepEqual(images[0]!.tags, ['docker.io/library/busybox:latest', 'docker.io/myrepo/busybox:v1', 'localhost:5000/x:latest']);
  assert.equal(readdirSync(store.layout.blobsDir).length, 3);
}));

test('moving a tag leaves the old image untagged (dangling), as Docker does', () => withStore(async (store) => {
  const a = await addImage(store, { tags: ['docker.io/library/app:1'] });
  const b = await addImage(store, { tags: ['docker.io/library/app:1'] });
  const images = await listImages(store);
  assert.deepEqual(images.find((i) => i.id === b.id)!.tags, ['docker.io/library/app:1']);
  assert.deepEqual(images.find((i) => i.id === a.id)!.tags, []);
}));

test('rmi of one of several tags only untags', () => withStore(async (store) => {
  const img = await addImage(store, { tags: ['docker.io/library/ubuntu:14.04', 'docker.io/library/ubuntu:trusty'] });
  const r = await removeImages(store, ['ubuntu:trusty']);
  assert.deepEqual(r.events, [{ untagged: 'ubuntu:trusty' }]);
  assert.deepEqual(r.deletedBlobs, []);
  assert.deepEqual((await listImages(store))[0]!.tags, ['docker.io/library/ubuntu:14.04']);
  const last = await removeImages(store, ['ubuntu:14.04']);
  assert.deepEqual(last.events, [{ untagged: 'ubuntu:14.04' }, { deleted: img.id }]);
  assert.equal(last.deletedBlobs.length, 3);
  assert.deepEqual(readdirSync(store.layout.blobsDir), []);
}));

test('rmi by ID of an image in several repositories needs -f; with -f it untags all and deletes', () => withStore(async (store) => {
  const img = await addImage(store, { tags: ['docker.io/library/ubuntu:14.04', 'docker.io/library/myubuntu:latest'] });
  const short = hexOf(img.id).slice(0, 12);
  const r = await removeImages(store, [short]);
  assert.equal(r.errors[0]?.message, `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
  assert.equal((await listImages(store)).length, 1);
  const f = await removeImages(store, [short], { force: true });
  assert.deepEqual(f.events, [{ untagged: 'ubuntu:14.04' }, { untagged: 'myubuntu:latest' }, { deleted: img.id }]);
  assert.equal((await listImages(store)).length, 0);
}));

test('rmi by ID of an image with one tag untags it and deletes', () => withStore(async (store) => {
  const img = await addImage(store, { tags: ['docker.io/library/centos:7'] });
  const r = await removeImages(store, [hexOf(img.id).slice(0, 4)]);
  assert.deepEqual(r.events, [{ untagged: 'centos:7' }, { deleted: img.id }]);
}));

test('a layer shared by two images is deleted only with the last of them', () => withStore(async (store) => {
  const shared = Buffer.from('shared layer '.repeat(100));
  const a = await addImage(store, { tags: ['docker.io/library/a:1'], layers: [shared, Buffer.from('a')] });
  await addImage(store, { tags: ['docker.io/library/b:1'], layers: [shared, Buffer.from('b')] });
  const du = await diskUsage(store);
  assert.equal(du.logical, 2 * (shared.length + 1));
  assert.ok(du.used < du.logical + 2000);
  await removeImages(store, ['a:1']);
  assert.ok(existsSync(store.blobs.path(a.layers[0]!)), 'shared layer kept');
  assert.ok(!existsSync(store.blobs.path(a.layers[1]!)), 'own layer deleted');
  await removeImages(store, ['b:1']);
  assert.ok(!existsSync(store.blobs.path(a.layers[0]!)));
}));

test('unknown and ambiguous names get clear errors', () => withStore(async (store) => {
  const images = [];
  for (let i = 0; i < 40; i++) images.push(await addImage(store, {}));
  const all = await listImages(store);
  assert.throws(() => findImage(all, 'nosuch:tag'), /No such image: nosuch:tag/);
  // 40 IDs over 16 possible first digits: at least one digit starts three of them.
  const counts = new Map<string, number>();
  for (const i of all) counts.set(hexOf(i.id)[0]!, (counts.get(hexOf(i.id)[0]!) ?? 0) + 1);
  const [prefix, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  assert.throws(() => findImage(all, prefix), new RegExp(`ambiguous image ID prefix "${prefix}": it matches ${n} images`));
  assert.throws(() => findImage(all, 'UPPER'), /invalid reference format: repository name must be lowercase/);
  assert.equal(findImage(all, images[3]!.id).image.id, images[3]!.id);
}));

test('prune removes dangling images only; -a removes all', () => withStore(async (store) => {
  await addImage(store, { tags: ['docker.io/library/app:1'] });
  await addImage(store, { tags: ['docker.io/library/app:1'] });
  const p = await pruneImages(store);
  assert.equal(p.events.length, 1);
  assert.ok(p.reclaimed > 0);
  assert.equal((await listImages(store)).length, 1);
  const all = await pruneImages(store, { all: true });
  assert.deepEqual(all.events.map((e) => Object.keys(e)[0]), ['untagged', 'deleted']);
  assert.equal((await listImages(store)).length, 0);
}));

test('concurrent tag operations in one store lose nothing', () => withStore(async (store) => {
  await addImage(store, { tags: ['docker.io/library/base:1'] });
  await Promise.all(Array.from({ length: 30 }, (_, i) => tagImage(store, 'base:1', `docker.io/library/t${i}:x`)));
  assert.equal((await listImages(store))[0]!.tags.length, 31);
}));

test('concurrent processes tagging one store lose nothing', () => withStore(async (store, dir) => {
  await addImage(store, { tags: ['docker.io/library/base:1'] });
  const script = `
    const { Store } = require(${JSON.stringify(join(__dirname, '../../src/engine/store/store.ts'))});
    const { tagImage } = require(${JSON.stringify(join(__dirname, '../../src/engine/store/images.ts'))});
    (async () => { const s = await Store.open(process.argv[1]); for (let i = 0; i < 10; i++) await tagImage(s, 'base:1', 'p' + process.argv[2] + '/t:' + i); })();`;
  const { spawn } = await import('node:child_process');
  await Promise.all([0, 1, 2].map((n) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, String(n)], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
  })));
  assert.equal((await listImages(store))[0]!.tags.length, 31);
}));

test('a lock left by a killed process is broken', () => withStore(async (store, dir) => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, 'index.lock'), `${dead}\nstale\n`);
  await addImage(store, { tags: ['docker.io/library/x:1'] });
  assert.equal((await listImages(store)).length, 1);
  assert.ok(!existsSync(join(dir, 'index.lock')));
}));

test('a lock held by a live process makes others wait, then times out with a clear message', () => withStore(async (_store, dir) => {
  const lock = join(dir, 'index.lock');
  await withFileLock(lock, async () => {
    await assert.rejects(withFileLock(lock, async () => undefined, { timeoutMs: 50 }), /the store is locked by process \d+/);
  });
}));

test('garbage collection keeps blobs pinned by a running writer', () => withStore(async (store) => {
  const lease = await store.lease();
  const blob = await store.blobs.put(Buffer.from('in flight'), lease);
  assert.deepEqual(await store.gc(), []);
  assert.ok(existsSync(store.blobs.path(blob.digest)));
  await lease.release();
  assert.deepEqual((await store.gc()).map((d) => d.digest), [blob.digest]);
}));

test('system check finds a corrupt blob and a missing one', () => withStore(async (store) => {
  const img = await addImage(store, { tags: ['docker.io/library/x:1'] });
  assert.deepEqual((await checkStore(store)).problems, []);
  writeFileSync(store.blobs.path(img.layers[0]!), 'tampered');
  unlinkSync(store.blobs.path(img.id));
  const problems = (await checkStore(store)).problems.map((p) => p.message);
  assert.ok(problems.some((m) => m.includes('content does not match its digest')), problems.join('\n'));
  assert.ok(problems.some((m) => m.includes(`${img.id} is missing`)), problems.join('\n'));
}));
