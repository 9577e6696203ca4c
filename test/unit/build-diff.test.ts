// Layers a build writes from folders: the tar of a COPY folder and of an overlay upper folder (made
// here by hand, with a real whiteout device; needs root as CI has), deterministic and readable by GNU tar.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, lchownSync, lutimesSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/engine/store/store';
import { changeTar, directoryTar, layerFromDirectory } from '../../src/engine/build/diff';
import { IDENTITY } from '../../src/engine/build/id-map';
import { unpackLayer } from '../../src/engine/build/rootfs';
import { bytesOf, listTar } from '../helpers/build-rootfs';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('berth-diff-');
});
afterEach(() => dir.cleanup());

/** A folder with a file, an empty file of mode 0, a hard link, a symlink, a fifo, a long name and a large owner. */
function makeTree(root: string, time: number): void {
  mkdirSync(join(root, 'b/deep'), { recursive: true });
  writeFileSync(join(root, 'b/deep/file'), 'content');
  writeFileSync(join(root, 'a-zero'), '');
  chmodSync(join(root, 'a-zero'), 0);
  linkSync(join(root, 'b/deep/file'), join(root, 'a-link'));
  symlinkSync('b/deep/file', join(root, 'c-sym'));
  execFileSync('mkfifo', [join(root, 'd-fifo')]);
  const long = `${'x'.repeat(120)}/${'y'.repeat(120)}`;
  mkdirSync(join(root, long), { recursive: true });
  writeFileSync(join(root, long, 'z'), 'long');
  lchownSync(join(root, 'b/deep/file'), 1_000_000, 5);
  for (const p of ['b/deep/file', 'a-zero', 'c-sym', 'd-fifo', long, `${long}/z`, 'b/deep', 'b', 'x'.repeat(120)]) lutimesSync(join(root, p), time, time);
}

test('a folder becomes a deterministic layer: sorted, numeric owners, no names, times clamped', async () => {
  const one = join(dir.path, 'one');
  const two = join(dir.path, 'two');
  makeTree(one, 2_000_000_000);
  makeTree(two, 2_100_000_000);
  const epoch = 1_600_000_000;
  const a = await bytesOf(directoryTar(one, { sourceDateEpoch: epoch }));
  const b = await bytesOf(directoryTar(two, { sourceDateEpoch: epoch }));
  assert.ok(a.equals(b), 'the same tree gives the same bytes');
  const entries = await listTar(a);
  const long = `${'x'.repeat(120)}/${'y'.repeat(120)}`;
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [
    ['a-link', 'file'],
    ['a-zero', 'file'],
    ['b/', 'directory'],
    ['b/deep/', 'directory'],
    ['b/deep/file', 'link'],
    ['c-sym', 'symlink'],
    ['d-fifo', 'fifo'],
    [`${'x'.repeat(120)}/`, 'directory'],
    [`${long}/`, 'directory'],
    [`${long}/z`, 'file'],
  ]);
  assert.ok(entries.every((e) => e.mtime === epoch && e.uname === '' && e.gname === ''));
  assert.deepEqual([entries[0]!.content, entries[0]!.uid, entries[0]!.pax?.uid], ['content', 0o777777, '1000000'], 'a large owner goes in a PAX record');
  assert.equal(entries[1]!.mode, 0);
  assert.equal(entries[4]!.linkname, 'a-link', 'a hard link names the first path of its file');
  const listing = execFileSync('tar', ['--numeric-owner', '-tvf', '-'], { input: a }).toString();
  assert.match(listing, /1000000\/5 .* a-link/, 'GNU tar reads the layer');
  assert.match(listing, new RegExp(`${long}/z`));
});

test('a layer of a folder takes the owner it is given and unpacks to the same tree', async () => {
  const src = join(dir.path, 'src');
  makeTree(src, 1_700_000_000);
  const store = await Store.open(join(dir.path, 'store'));
  const lease = await store.lease();
  const layer = await layerFromDirectory(store, lease, src, { owner: { uid: 42, gid: 43 } });
  await lease.release();
  assert.equal(layer.diffId, layer.descriptor.digest);
  const entries = await listTar(await store.blobs.read(layer.descriptor.digest));
  assert.ok(entries.every((e) => e.uid === 42 && e.gid === 43));
  const out = join(dir.path, 'out');
  await unpackLayer(store.blobs.open(layer.descriptor.digest), out, { source: 'layer', ids: IDENTITY });
  assert.equal(readFileSync(join(out, 'a-link'), 'utf8'), 'content');
  assert.deepEqual(readdirSync(out).sort(), readdirSync(src).sort());
});

test('an upper folder\'s whiteout devices become .wh. entries sorted among their neighbours', async () => {
  const upper = join(dir.path, 'upper');
  const lower = join(dir.path, 'lower');
  mkdirSync(join(upper, 'etc'), { recursive: true });
  mkdirSync(join(lower, 'etc'), { recursive: true });
  execFileSync('mknod', [join(upper, 'etc/group'), 'c', '0', '0']);
  execFileSync('mknod', [join(upper, 'etc/zz-not-a-whiteout'), 'c', '1', '3']);
  writeFileSync(join(upper, 'etc/hosts2'), 'h');
  utimesSync(join(upper, 'etc'), 1_000_000_000, 1_000_000_000);
  const entries = await listTar(await bytesOf(changeTar({ upper, lower, ids: IDENTITY, sourceDateEpoch: 1_500_000_000 })));
  assert.deepEqual(entries.map((e) => [e.name, e.type, e.mode, e.mtime]), [
    ['etc/', 'directory', 0o755, 1_000_000_000],
    ['etc/.wh.group', 'file', 0, 1_500_000_000],
    ['etc/hosts2', 'file', 0o644, 1_500_000_000],
  ]);
});
