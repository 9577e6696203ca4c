// Archives that lie, given to `berth load` and `berth import` through the CLI against a store on disk:
// gzip bombs (the whole archive, or an imported tarball), oversized pax headers, a header that claims
// an enormous size, hard and symbolic links that leave the archive. Each is refused with a message that
// names the archive and says what to do; the store is as it was (index.json, blobs/, ingest/, leases/),
// and nothing is written outside it: the folder around the store holds the same files before and after.
// (Entries with ".." and absolute names, device files and the rest of the link rules are in
// test/unit/archive-load.test.ts and archive-import.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXPANSION_FLOOR, MAX_EXPANSION } from '../../src/engine/archive/compression';
import { Store } from '../../src/engine/store/store';
import { snapshotStore, tarOf } from '../helpers/archive-fixtures';
import { berth } from '../helpers/cli';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

const MB = 1 << 20;

let dir: { path: string; cleanup: () => void };
let root: string;
let store: Store;

before(async () => {
  dir = tempDir('berth-hostile-archives-');
  root = join(dir.path, 'store');
  mkdirSync(join(dir.path, 'inputs'));
  store = await Store.open(root);
  await addImage(store, { tags: ['docker.io/library/existing:latest'] });
});
after(() => dir.cleanup());

/** Every file under `path` with its size, relative to it. */
function files(path: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(full);
      else out.push(`${relative(dir.path, full)} ${st.size}`);
    }
  };
  walk(path);
  return out.sort();
}

/** Runs `berth VERB FILE`, expects exit 1 with `message` on stderr, and checks that nothing changed anywhere. */
async function refused(verb: 'load' | 'import', bytes: Buffer, name: string, message: RegExp): Promise<void> {
  const file = join(dir.path, 'inputs', name);
  writeFileSync(file, bytes);
  const storeBefore = snapshotStore(store);
  const everything = files(dir.path);
  const r = await berth(root, verb === 'load' ? ['load', '-i', file] : ['import', file, 'hostile:1']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, message);
  assert.equal(r.stdout, '');
  assert.deepEqual(snapshotStore(store), storeBefore, 'the store is as it was');
  assert.deepEqual(files(dir.path), everything, 'nothing was written anywhere');
  const images = await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(images.stdout, 'existing:latest\n');
}

/** A ustar header for a regular file of `size` bytes (which the caller then provides). */
function fileHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/**
 * A gzip bomb: a tar with one file of `inflatedMb` MiB of zeros, as concatenated gzip members (one
 * member of 1 MiB of zeros, repeated), about 1,000 times smaller than what it inflates to.
 */
function gzipBomb(entryName: string, inflatedMb: number): Buffer {
  const zeros = gzipSync(Buffer.alloc(MB), { level: 9 });
  const parts = [gzipSync(fileHeader(entryName, inflatedMb * MB))];
  for (let i = 0; i < inflatedMb; i++) parts.push(zeros);
  parts.push(gzipSync(Buffer.alloc(1024)));
  return Buffer.concat(parts);
}

test('load: a gzip bomb is stopped once it inflates more than the limit, before it fills the disk', async () => {
  const bomb = gzipBomb('layer.tar', 4 * EXPANSION_FLOOR / MB);
  assert.ok(bomb.length * MAX_EXPANSION < EXPANSION_FLOOR, `the bomb is ${bomb.length} bytes`);
  await refused('load', bomb, 'bomb.tar.gz', new RegExp(`bomb\\.tar\\.gz: refusing a gzip bomb: \\d+ KB of gzip already inflated to \\d+ MB, more than ${MAX_EXPANSION} times; if you trust it, decompress it yourself first \\(gunzip\\) and give Berth the plain tar`));
});

test('import: a gzip bomb tarball is stopped the same way', async () => {
  await refused('import', gzipBomb('./zeros', 4 * EXPANSION_FLOOR / MB), 'rootfs-bomb.tar.gz', /rootfs-bomb\.tar\.gz: refusing a gzip bomb: .* more than 100 times/);
});

test('import: a gzip tarball of 16 MiB of zeros (about 1,000 times smaller) is under the floor of the limit and imports', async () => {
  // 16 MiB of zeros inflate about 1,000 times, but stay under the floor of the limit.
  const zeros = gzipBomb('./zeros', 16);
  const file = join(dir.path, 'inputs', 'zeros.tar.gz');
  writeFileSync(file, zeros);
  const r = await berth(join(dir.path, 'other-store'), ['import', file, 'zeros:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
});

test('a pax header bigger than 4 MiB is refused as a malformed archive, for load and import', async () => {
  const huge = await tarOf([{ name: `./${'x'.repeat(10)}`, content: 'x' }]);
  // A pax extended header ('x') that claims 5 MiB: tar-stream refuses headers over 4 MiB.
  const pax = fileHeader('PaxHeaders/x', 5 * MB);
  pax.write('x', 156);
  let sum = 0;
  pax.write('        ', 148);
  for (const b of pax) sum += b;
  pax.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const bytes = Buffer.concat([pax, Buffer.alloc(5 * MB, 0x61), huge]);
  await refused('load', bytes, 'pax.tar', /pax\.tar is not a valid tar archive: header exceeds max size/);
  await refused('import', bytes, 'pax-rootfs.tar', /pax-rootfs\.tar is not a valid tar archive: header exceeds max size/);
});

test('a header that claims a file of 64 GiB in a small archive ends as a truncated archive, without reserving the space', async () => {
  const h = fileHeader('layer.tar', 0);
  // GNU base-256 size: 64 GiB.
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h.writeUIntBE(64 * 1024 * MB, 130, 6);
  h.write('        ', 148);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const bytes = Buffer.concat([h, Buffer.alloc(4096, 1)]);
  await refused('load', bytes, 'claims.tar', /claims\.tar is not a valid tar archive: unexpected end of file/);
  await refused('import', bytes, 'claims-rootfs.tar', /claims-rootfs\.tar is not a valid tar archive: unexpected end of file/);
});

test('a folder entry whose size field claims 3 GiB does not hang load or import (found by the archive fuzzer)', async () => {
  const folder = fileHeader('./etc/', 3 * 1024 * MB);
  folder.write('5', 156);
  folder.write('        ', 148);
  let sum = 0;
  for (const b of folder) sum += b;
  folder.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const rest = await tarOf([{ name: './etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }]);
  const tar = Buffer.concat([folder, rest]);
  // A folder has no content, whatever its size says: load reads on and finds no manifest; import takes the tar.
  await refused('load', tar, 'folder.tar', /folder\.tar contains neither manifest\.json nor index\.json/);
  const file = join(dir.path, 'inputs', 'folder-rootfs.tar');
  writeFileSync(file, tar);
  const r = await berth(join(dir.path, 'folder-store'), ['import', file, 'folder:1']);
  assert.equal(r.code, 0, r.stderr);
});

test('an entry whose size field is not a number is refused, not waited for (found by the archive fuzzer)', async () => {
  const h = fileHeader('layer.tar', 0);
  // A base-256 size must start with 0x80 or 0xff; 0x8a is neither (tar-stream takes the size as null).
  h.write('\u008a0000003720 ', 124, 'latin1');
  h.write('        ', 148);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const bytes = Buffer.concat([h, Buffer.alloc(4096, 1)]);
  await refused('load', bytes, 'nan.tar', /nan\.tar is not a valid tar archive: entry "layer\.tar" has an invalid size field/);
  await refused('import', bytes, 'nan-rootfs.tar', /nan-rootfs\.tar is not a valid tar archive: entry "layer\.tar" has an invalid size field/);
});

test('load: hard links and symbolic links that leave the archive are refused', async () => {
  const manifest = { name: 'manifest.json', content: '[]' };
  await refused('load', await tarOf([{ name: 'layer.tar', type: 'link', linkname: '../../etc/passwd' }, manifest]), 'hardlink.tar',
    /hardlink\.tar: refusing entry "layer\.tar": it links to "\.\.\/\.\.\/etc\/passwd", outside the archive/);
  await refused('load', await tarOf([{ name: 'layer.tar', type: 'link', linkname: '/etc/passwd' }, manifest]), 'hardlink-abs.tar',
    /refusing entry "layer\.tar": it links to "\/etc\/passwd", outside the archive/);
  await refused('load', await tarOf([{ name: 'a/layer.tar', type: 'symlink', linkname: '/etc/shadow' }, manifest]), 'symlink-abs.tar',
    /refusing entry "a\/layer\.tar": it links to "\/etc\/shadow", outside the archive/);
});

test('import: a symbolic link followed by an entry written through it is refused (the classic escape)', async () => {
  const tar = await tarOf([{ name: './escape', type: 'symlink', linkname: '/tmp' }, { name: './escape/owned', content: 'x' }]);
  await refused('import', tar, 'escape.tar', /refusing entry "\.\/escape\/owned": it lies beneath "escape", which an earlier entry made a symbolic link/);
});
