import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { importImage } from '../../src/engine/archive/import';
import { hostPlatform } from '../../src/engine/oci/platform';
import { isBerthError, type ErrorCode } from '../../src/engine/errors';
import { digestOf } from '../../src/engine/oci/digest';
import { MediaType, type ImageConfig, type ImageManifest } from '../../src/engine/oci/types';
import { listImages } from '../../src/engine/store/images';
import { Store } from '../../src/engine/store/store';
import { gzip, snapshotStore, tarOf, type FixtureEntry } from '../helpers/archive-fixtures';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let store: Store;

beforeEach(async () => {
  dir = tempDir('berth-import-');
  store = await Store.open(`${dir.path}/store`);
  await addImage(store, { tags: ['docker.io/library/existing:latest'] });
});
afterEach(() => dir.cleanup());

const ROOTFS: FixtureEntry[] = [
  { name: './' },
  { name: './bin/' },
  { name: './bin/busybox', content: 'not really busybox', mode: 0o755 },
  { name: './bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: './bin/ls', type: 'link', linkname: './bin/busybox' },
  { name: './etc/' },
  { name: './etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
  { name: './etc/alternatives', type: 'symlink', linkname: '../bin/sh' },
  { name: './usr/bin/env', type: 'symlink', linkname: '/bin/busybox' },
  { name: './dev/', type: 'directory' },
  { name: './run/ctl', type: 'fifo' },
];

async function imported(bytes: Buffer, options: Partial<Parameters<typeof importImage>[2]> = {}) {
  const r = await importImage(store, Readable.from([bytes]), { sourceName: 'rootfs.tar', ...options });
  const image = (await listImages(store)).find((i) => i.id === r.id)!;
  const manifest = await store.blobs.readJson<ImageManifest>(image.manifest.digest);
  const config = await store.blobs.readJson<ImageConfig>(manifest.config.digest);
  return { id: r.id, image, manifest, config };
}

test('a plain tarball becomes a one-layer image stored as received, with Docker\'s import config', async () => {
  const tar = await tarOf(ROOTFS);
  const now = new Date('2024-05-06T07:08:09.123Z');
  let progress = 0;
  const { id, image, manifest, config } = await imported(tar, { tag: 'docker.io/library/mine:1', now, changes: ['CMD ["/bin/sh"]'], onProgress: (n) => (progress = n) });
  assert.equal(manifest.mediaType, MediaType.ociManifest);
  assert.equal(manifest.config.mediaType, MediaType.ociConfig);
  assert.deepEqual(manifest.layers, [{ mediaType: MediaType.ociLayer, digest: digestOf(tar), size: tar.length }]);
  assert.deepEqual((await store.blobs.read(digestOf(tar))).equals(tar), true);
  assert.equal(id, manifest.config.digest);
  assert.deepEqual(image.tags, ['docker.io/library/mine:1']);
  assert.deepEqual(config, {
    architecture: hostPlatform().architecture,
    comment: 'Imported from rootfs.tar',
    config: { Cmd: ['/bin/sh'] },
    created: '2024-05-06T07:08:09.123Z',
    history: [{ created: '2024-05-06T07:08:09.123Z', comment: 'Imported from rootfs.tar' }],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
  });
  assert.equal(progress, tar.length);
  assert.deepEqual(snapshotStore(store).ingest, []);
  assert.deepEqual(snapshotStore(store).leases, []);
});

test('a gzip tarball is stored gzip, with the diff ID of the inflated tar', async () => {
  const tar = await tarOf(ROOTFS);
  const gz = gzip(tar);
  const { manifest, config, image } = await imported(gz, { message: 'from CI', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  assert.deepEqual(manifest.layers, [{ mediaType: MediaType.ociLayerGzip, digest: digestOf(gz), size: gz.length }]);
  assert.deepEqual(config.rootfs.diff_ids, [digestOf(tar)]);
  assert.equal(config.comment, 'from CI');
  assert.equal(config.history![0]!.comment, 'from CI');
  assert.equal(config.architecture, 'arm64');
  assert.equal(config.variant, 'v8');
  assert.deepEqual(image.tags, []);
});

test('the host platform uses Go architecture names', () => {
  assert.deepEqual(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(hostPlatform('ia32'), { os: 'linux', architecture: '386' });
});

/** Imports `bytes` expecting a refusal with `code` and a message matching `message`, and checks the store did not change. */
async function refused(bytes: Buffer, code: ErrorCode, message: RegExp): Promise<void> {
  const before = snapshotStore(store);
  await assert.rejects(importImage(store, Readable.from([bytes]), { sourceName: 'bad.tar', tag: 'docker.io/library/bad:latest' }), (e: unknown) => {
    assert.ok(isBerthError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
  assert.deepEqual(snapshotStore(store), before);
}

test('entries with ".." or absolute names are refused, naming the source and the entry', async () => {
  await refused(await tarOf([{ name: './ok', content: 'x' }, { name: '../escape', content: 'x' }]), 'UNSAFE_ARCHIVE', /^bad\.tar: refusing entry "\.\.\/escape": it has a "\.\." component/);
  await refused(await tarOf([{ name: 'a/../../b', content: 'x' }]), 'UNSAFE_ARCHIVE', /refusing entry "a\/\.\.\/\.\.\/b"/);
  await refused(await tarOf([{ name: '/etc/passwd', content: 'x' }]), 'UNSAFE_ARCHIVE', /refusing entry "\/etc\/passwd": it is an absolute path/);
});

test('device files are refused', async () => {
  await refused(await tarOf([{ name: './dev/' }, { name: './dev/null', type: 'character-device' }]), 'UNSAFE_ARCHIVE', /refusing entry "\.\/dev\/null": it is a character device/);
  await refused(await tarOf([{ name: './dev/sda', type: 'block-device' }]), 'UNSAFE_ARCHIVE', /it is a block device/);
});

test('relative symbolic links that leave the root are refused; absolute ones are fine', async () => {
  await refused(await tarOf([{ name: './etc/' }, { name: './etc/evil', type: 'symlink', linkname: '../../host' }]), 'UNSAFE_ARCHIVE', /refusing entry "\.\/etc\/evil": it is a symbolic link to "\.\.\/\.\.\/host", which points outside/);
  await refused(await tarOf([{ name: 'top', type: 'symlink', linkname: '..' }]), 'UNSAFE_ARCHIVE', /symbolic link to "\.\."/);
});

test('hard links must name an earlier file inside the root', async () => {
  await refused(await tarOf([{ name: './a', type: 'link', linkname: './b' }, { name: './b', content: 'x' }]), 'UNSAFE_ARCHIVE', /refusing entry "\.\/a": it is a hard link to "\.\/b", which is not an earlier file/);
  await refused(await tarOf([{ name: './a', type: 'link', linkname: '../outside' }]), 'UNSAFE_ARCHIVE', /hard link to "\.\.\/outside", which has a "\.\." component/);
  await refused(await tarOf([{ name: './a', type: 'link', linkname: '/etc/shadow' }]), 'UNSAFE_ARCHIVE', /hard link to "\/etc\/shadow", which is an absolute path/);
  await refused(await tarOf([{ name: './d/' }, { name: './a', type: 'link', linkname: 'd' }]), 'UNSAFE_ARCHIVE', /not an earlier file/);
});

test('an entry beneath an earlier symbolic link is refused', async () => {
  const tar = await tarOf([{ name: './etc', type: 'symlink', linkname: '/host-etc' }, { name: './etc/passwd', content: 'x' }]);
  await refused(tar, 'UNSAFE_ARCHIVE', /refusing entry "\.\/etc\/passwd": it lies beneath "etc", which an earlier entry made a symbolic link/);
  const inside = await tarOf([{ name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/x/y', content: 'x' }]);
  await refused(inside, 'UNSAFE_ARCHIVE', /lies beneath "lib"/);
});

test('a truncated tar, a corrupt tar and a truncated gzip are invalid archives', async () => {
  const tar = await tarOf([{ name: './big', content: Buffer.alloc(100_000, 7) }]);
  await refused(tar.subarray(0, 50_000), 'INVALID_ARCHIVE', /^bad\.tar is not a valid tar archive: unexpected end of file$/);
  await refused(Buffer.from('this is plainly not a tar archive'.repeat(40)), 'INVALID_ARCHIVE', /^bad\.tar is not a valid tar archive: /);
  const gz = gzip(tar);
  await refused(gz.subarray(0, gz.length - 100), 'INVALID_ARCHIVE', /^bad\.tar is not a valid gzip-compressed tar archive: unexpected end of file$/);
  await refused(Buffer.alloc(0), 'INVALID_ARCHIVE', /^bad\.tar is empty/);
  await refused(Buffer.from([0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59]), 'UNSUPPORTED', /bzip2-compressed/);
});

test('a bad change line is refused before the tarball is read', async () => {
  const before = snapshotStore(store);
  let read = false;
  const source = new Readable({ read() { read = true; this.push(null); } });
  await assert.rejects(importImage(store, source, { sourceName: '-', changes: ['RUN rm -rf /'] }), /"RUN" is not a valid change command/);
  assert.equal(read, false);
  assert.deepEqual(snapshotStore(store), before);
});

test('a stream that fails midway leaves nothing behind', async () => {
  const before = snapshotStore(store);
  const tar = await tarOf([{ name: './big', content: Buffer.alloc(300_000, 1) }]);
  async function* failing() {
    yield tar.subarray(0, 100_000);
    throw new Error('connection reset');
  }
  await assert.rejects(importImage(store, Readable.from(failing()), { sourceName: 'http://example.test/x.tar' }), /connection reset/);
  assert.deepEqual(snapshotStore(store), before);
});
