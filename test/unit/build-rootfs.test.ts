// Unpacking layers into a root filesystem: OCI whiteouts, metadata, links, and entries that try to
// leave the folder. Real files in a temporary folder; owners need root (CI runs as root).
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isBerthError } from '../../src/engine/errors';
import { IDENTITY, type IdMap } from '../../src/engine/build/id-map';
import { unpackLayer } from '../../src/engine/build/rootfs';
import { resolveInRoot } from '../../src/engine/build/root-path';
import { tarWith, type TarSpec } from '../helpers/build-rootfs';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let root: string;
beforeEach(() => {
  dir = tempDir('berth-unpack-');
  root = join(dir.path, 'rootfs');
});
afterEach(() => dir.cleanup());

async function apply(entries: TarSpec[], options: { gzip?: boolean; ids?: IdMap } = {}): Promise<void> {
  const tar = await tarWith(entries);
  await unpackLayer((async function* () {
    yield options.gzip ? gzipSync(tar) : tar;
  })(), root, { source: 'test layer', ids: options.ids ?? IDENTITY });
}

const T1 = new Date('2001-02-03T04:05:06Z');

test('files, folders and links keep their mode, numeric owner and time', async () => {
  await apply([
    { name: './', type: 'directory', mode: 0o755 },
    { name: 'bin/', type: 'directory', mode: 0o750, uid: 7, gid: 8 },
    { name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 50, mtime: T1 },
    { name: 'bin/alias', type: 'symlink', linkname: 'tool', uid: 3, gid: 4 },
    { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
    { name: 'run/ctl', type: 'fifo', mode: 0o600 },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
    { name: 'empty', content: '', mode: 0 },
  ], { gzip: true });
  const tool = statSync(join(root, 'bin/tool'));
  assert.deepEqual([tool.mode & 0o7777, tool.uid, tool.gid, tool.mtimeMs], [0o4755, 1000, 50, T1.getTime()]);
  assert.equal(readFileSync(join(root, 'bin/tool'), 'utf8'), '#!/bin/sh\n');
  const bin = statSync(join(root, 'bin'));
  assert.deepEqual([bin.mode & 0o7777, bin.uid, bin.gid, bin.mtimeMs], [0o750, 7, 8, T1.getTime()], 'a folder\'s time is set after its files');
  const alias = lstatSync(join(root, 'bin/alias'));
  assert.deepEqual([readlinkSync(join(root, 'bin/alias')), alias.uid, alias.gid, alias.mtimeMs], ['tool', 3, 4, T1.getTime()]);
  assert.equal(statSync(join(root, 'bin/hard')).ino, tool.ino);
  assert.ok(lstatSync(join(root, 'run/ctl')).isFIFO());
  assert.equal(statSync(join(root, 'empty')).mode & 0o7777, 0);
  assert.ok(!existsSync(join(root, 'dev/sda')), 'device files are not made');
});

test('owners are stored shifted by the ID map, and an ID outside it is refused', async () => {
  const ids = { uid: 200_000, gid: 300_000, size: 65_536 };
  mkdirSync(root, { mode: 0o700 });
  await apply([{ name: 'a/b', content: 'x', uid: 1000, gid: 100 }], { ids });
  assert.deepEqual([statSync(join(root, 'a/b')).uid, statSync(join(root, 'a/b')).gid], [201_000, 300_100]);
  assert.deepEqual([statSync(join(root, 'a')).uid, statSync(join(root, 'a')).gid], [200_000, 300_000], 'a folder made for an entry belongs to root');
  const rootStat = statSync(root);
  assert.deepEqual([rootStat.uid, rootStat.gid, rootStat.mode & 0o7777], [200_000, 300_000, 0o755], 'the root folder belongs to root');
  await assert.rejects(apply([{ name: 'big', content: 'x', uid: 70_000 }], { ids }), (e) => isBerthError(e, 'UNSUPPORTED') && /user ID 70000/.test(e.message));
});

test('whiteouts delete what the layers below hold, an opaque folder is emptied of it, and a layer\'s own files stay', async () => {
  await apply([
    { name: 'etc/a', content: 'a' },
    { name: 'etc/b', content: 'b' },
    { name: 'etc/sub/c', content: 'c' },
    { name: 'var/old/x', content: 'x' },
    { name: 'var/keep', content: 'keep' },
  ]);
  await apply([
    { name: 'etc/.wh.a', content: '' },
    { name: 'etc/.wh.sub', content: '' },
    { name: 'var/old/', type: 'directory' },
    { name: 'var/old/.wh..wh..opq', content: '' },
    { name: 'var/old/new', content: 'new' },
    { name: 'var/fresh', content: 'fresh' },
    { name: 'var/.wh.fresh', content: '' },
    { name: 'var/.wh.missing', content: '' },
  ]);
  assert.deepEqual(readdirSync(join(root, 'etc')), ['b']);
  assert.deepEqual(readdirSync(join(root, 'var/old')), ['new']);
  assert.deepEqual(readdirSync(join(root, 'var')).sort(), ['fresh', 'keep', 'old'], 'a whiteout hides only lower layers');
});

test('an entry replaces what is there: a file a folder, a folder a file, a link a file', async () => {
  await apply([{ name: 'x/inner', content: '1' }, { name: 'y', content: 'file' }, { name: 'z', content: 'file' }]);
  await apply([{ name: 'x', content: 'now a file' }, { name: 'y/', type: 'directory' }, { name: 'z', type: 'symlink', linkname: '/y' }]);
  assert.equal(readFileSync(join(root, 'x'), 'utf8'), 'now a file');
  assert.ok(statSync(join(root, 'y')).isDirectory());
  assert.equal(readlinkSync(join(root, 'z')), '/y');
});

test('links planted by a lower layer are followed inside the folder, never out of it', async () => {
  const outside = join(dir.path, 'outside');
  mkdirSync(outside);
  await apply([
    { name: 'abs', type: 'symlink', linkname: '/' },
    { name: 'sub/rel', type: 'symlink', linkname: '..' },
    { name: 'host', type: 'symlink', linkname: outside },
    { name: 'target/', type: 'directory' },
  ]);
  await apply([
    { name: 'abs/one', content: '1' },
    { name: 'sub/rel/two', content: '2' },
    { name: 'host/three', content: '3' },
    { name: 'abs/.wh.target', content: '' },
  ]);
  assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
  assert.equal(readFileSync(join(root, 'one'), 'utf8'), '1');
  assert.equal(readFileSync(join(root, 'two'), 'utf8'), '2');
  assert.equal(readFileSync(join(root, outside.slice(1), 'three'), 'utf8'), '3', 'an absolute link resolves from the image\'s root');
  assert.ok(!existsSync(join(root, 'target')));
});

test('unsafe entries are refused before anything is written for them', async () => {
  for (const entries of [
    [{ name: '../evil', content: 'x' }],
    [{ name: '/etc/evil', content: 'x' }],
    [{ name: 'l', type: 'symlink', linkname: 'd' }, { name: 'l/evil', content: 'x' }],
    [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }],
  ] as TarSpec[][]) {
    await assert.rejects(apply(entries), (e) => isBerthError(e, 'UNSAFE_ARCHIVE'), JSON.stringify(entries));
  }
  assert.ok(!existsSync(join(dir.path, 'evil')));
});

test('a path is resolved inside the root as a chroot would', async () => {
  mkdirSync(join(root, 'a/b'), { recursive: true });
  symlinkSync('/a', join(root, 'up'));
  symlinkSync('../../../a/b', join(root, 'a/rel'));
  symlinkSync('loop', join(root, 'loop'));
  assert.deepEqual(resolveInRoot(root, '/up/b/c', { followLast: true }), { inside: 'a/b/c', host: join(root, 'a/b/c') });
  assert.deepEqual(resolveInRoot(root, 'a/rel'), { inside: 'a/rel', host: join(root, 'a/rel') });
  assert.equal((resolveInRoot(root, 'a/rel/../..', { followLast: true })).inside, '');
  assert.throws(() => resolveInRoot(root, 'loop/x'), (e) => isBerthError(e, 'INVALID_ARGUMENT') && /too many levels/.test(e.message));
});
