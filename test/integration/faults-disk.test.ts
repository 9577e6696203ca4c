// A disk that fills up: the store lives on a real 24 MiB tmpfs (mounted here as root, unmounted at the
// end). A pull, a load and an import that do not fit, and a tag when the disk has no byte left, each end
// with a message that says the disk is full and what to do; the store stays whole (`berth system check`
// passes, the images listed are those of before, no partial file is left to hold the space), and once
// space is freed the same command succeeds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { berth } from '../helpers/cli';
import { pushTestImage, startRegistry, type PushedImage, type Registry } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';
import { tarOf } from '../helpers/archive-fixtures';

const MB = 1 << 20;
const DISK_MB = 24;

let dir: { path: string; cleanup: () => void };
let disk: string;
let root: string;
let registry: Registry;
let env: NodeJS.ProcessEnv;
let small: PushedImage;
let big: PushedImage;
let mounted = false;

before(async () => {
  dir = tempDir('berth-disk-full-');
  disk = join(dir.path, 'disk');
  mkdirSync(disk);
  // A real filesystem of limited size; needs root (CI runs as root).
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m`, 'tmpfs', disk]);
  mounted = true;
  root = join(disk, 'store');
  registry = await startRegistry({ auth: 'none' });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  small = await pushTestImage(registry, 'disk/small', '1');
  big = await pushTestImage(registry, 'disk/big', '1', { layers: [randomBytes(30 * MB)] });
  const r = await berth(root, ['pull', `${registry.host}/disk/small:1`], { env });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await registry?.stop();
  if (mounted) execFileSync('umount', [disk]);
  dir?.cleanup();
});

function freeBytes(): number {
  const s = statfsSync(disk);
  return s.bavail * s.bsize;
}

/** index.json, the blobs, and what is left in ingest/ (nothing may hold space after a failure). */
function snapshot(): { index: string; blobs: string[]; ingest: string[] } {
  const ingest = join(root, 'ingest');
  return {
    index: readFileSync(join(root, 'index.json'), 'utf8'),
    blobs: readdirSync(join(root, 'blobs', 'sha256')).sort(),
    ingest: existsSync(ingest) ? readdirSync(ingest).filter((n) => !n.endsWith('.lock')).sort() : [],
  };
}

async function storeIsWhole(): Promise<void> {
  const check = await berth(root, ['system', 'check'], { env });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const images = await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env });
  assert.equal(images.stdout, `${registry.host}/disk/small:1\n`);
}

const FULL = /^Error: .*no space left on the disk that holds the store \(.*\); free some space \(for example "berth image prune"\) and try again/;

test('a pull that does not fit ends with "no space left", the store is as it was, and the space is given back', async () => {
  const was = snapshot();
  const freeBefore = freeBytes();
  const r = await berth(root, ['pull', `${registry.host}/disk/big:1`], { env });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, FULL);
  assert.match(r.stderr, new RegExp(big.layerDigests[0]!));
  // The config verified before the disk filled: it waits in ingest/ for the next pull (a few bytes); of the layer nothing is kept.
  assert.deepEqual(snapshot(), { ...was, ingest: [`partial-${big.configDigest.slice(7)}`] });
  assert.ok(freeBytes() >= freeBefore - 64 * 1024, `free space went from ${freeBefore} to ${freeBytes()}`);
  await storeIsWhole();
});

test('a load that does not fit ends the same way and leaves no temporary file', async () => {
  const archive = join(dir.path, 'big.tar');
  writeFileSync(archive, await tarOf([{ name: 'blobs/sha256/x', content: randomBytes(30 * MB) }, { name: 'index.json', content: '{}' }]));
  const was = snapshot();
  const r = await berth(root, ['load', '-i', archive], { env });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, FULL);
  assert.deepEqual(snapshot(), was);
  await storeIsWhole();
});

test('an import that does not fit ends the same way', async () => {
  const tarball = join(dir.path, 'rootfs.tar');
  writeFileSync(tarball, await tarOf([{ name: './big', content: randomBytes(30 * MB) }]));
  const was = snapshot();
  const r = await berth(root, ['import', tarball, 'big:1'], { env });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, FULL);
  assert.deepEqual(snapshot(), was);
  await storeIsWhole();
});

test('a tag on a disk with no byte left fails cleanly, index.json stays whole, and works once space is freed', async () => {
  const filler = join(disk, 'filler');
  try {
    // Fill the disk to the last byte.
    const fd = openSync(filler, 'a');
    try {
      const chunk = Buffer.alloc(MB);
      for (;;) {
        try {
          writeSync(fd, chunk, 0, Math.min(MB, Math.max(1, freeBytes())));
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOSPC') break;
          throw e;
        }
      }
    } finally {
      closeSync(fd);
    }
    assert.equal(freeBytes(), 0);
    const was = snapshot();
    const r = await berth(root, ['tag', `${registry.host}/disk/small:1`, 'again:1'], { env });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, FULL);
    assert.deepEqual(snapshot(), was);
    JSON.parse(was.index);
  } finally {
    rmSync(filler, { force: true });
  }
  await storeIsWhole();
  const again = await berth(root, ['tag', `${registry.host}/disk/small:1`, 'again:1'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await berth(root, ['images', '-q', 'again:1'], { env })).stdout, `${small.configDigest.slice(7, 19)}\n`);
});
