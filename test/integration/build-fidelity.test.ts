// Build fidelity (issue 4 §5): every Dockerfile of test/fixtures/build-corpus is built by Berth and by
// buildah (`bud --storage-driver vfs --isolation chroot --format docker`), both from a busybox base
// image put into a real registry on loopback without Berth (umoci and skopeo), and the two images
// must agree on the config and on the flattened filesystem as test/helpers/image-tree.ts reads and
// compares them. A failure lists every difference, one line each.
//
// A corpus entry is a folder `NN-name` with a Dockerfile that starts `ARG BASE` / `FROM $BASE`, its
// context, and optionally `build-args` (KEY=VALUE lines, passed to both builders) and
// `Dockerfile.buildah` (what buildah builds instead, for syntax buildah 1.28 lacks: heredocs).
//
// BERTH_FIDELITY_CANDIDATE=buildah builds the candidate side with buildah too: the corpus and the
// harness must then show no difference at all (a check of the harness, not of Berth).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingBuildahTools, startBuildah, type Buildah } from '../helpers/buildah';
import { berth } from '../helpers/cli';
import { BUILDAH_MOUNT_POINTS, compareImages, layerEntries, readImageArchive, treeFromLayers, type ImageTree } from '../helpers/image-tree';
import { tarWith, type TarSpec } from '../helpers/build-rootfs';
import { missingRegistryTools, startRegistry, type Registry } from '../helpers/registry';
import { makeBusyboxRootfs } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const CORPUS = join(__dirname, '..', 'fixtures', 'build-corpus');
const ENTRIES = readdirSync(CORPUS).filter((d) => /^\d\d-/.test(d)).sort();
/** How many buildah builds run at once, ahead of Berth's (CI has two cores). */
const BUILDAH_JOBS = 2;
const CANDIDATE = process.env.BERTH_FIDELITY_CANDIDATE === 'buildah' ? 'buildah' : 'berth';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let buildah: Buildah;
let baseRef: string;
const references = new Map<string, Promise<ImageTree>>();

// --- the comparer, on hand-made layers ---------------------------------------------------------------

const CONFIG = { os: 'linux', architecture: 'amd64', config: { Env: ['PATH=/bin'], Cmd: ['sh'] } };

async function tree(config: unknown, ...layers: TarSpec[][]): Promise<ImageTree> {
  const entries = [];
  for (const layer of layers) entries.push(await layerEntries(await tarWith(layer)));
  return treeFromLayers(config, entries);
}

test('the comparer applies layers as the OCI spec says: whiteouts, opaque folders, replacements, hard links', async () => {
  const image = await tree(
    CONFIG,
    [
      { name: 'a/', type: 'directory' }, { name: 'a/x', content: 'x' }, { name: 'a/y', content: 'y' },
      { name: 'b/', type: 'directory' }, { name: 'b/old', content: 'old' }, { name: 'b/sub/', type: 'directory' }, { name: 'b/sub/deep', content: 'd' },
      { name: 'c', content: 'file' }, { name: 'd/', type: 'directory' }, { name: 'd/e', content: 'e' }, { name: 'h', content: 'shared' },
    ],
    [
      // The opaque marker comes after the layer's own entry in the folder, which must survive it.
      { name: 'b/new', content: 'new' }, { name: 'b/.wh..wh..opq' }, { name: 'a/.wh.x' }, { name: '.wh.c' },
      { name: 'd', content: 'now a file' }, { name: 'c/', type: 'directory', mode: 0o700 }, { name: 'h2', type: 'link', linkname: 'h' },
      { name: 'implied/parent/file', content: 'p' },
    ],
  );
  assert.deepEqual([...image.files.keys()].sort(), ['/a', '/a/y', '/b', '/b/new', '/c', '/d', '/h', '/h2', '/implied', '/implied/parent', '/implied/parent/file']);
  assert.equal(image.files.get('/c')!.type, 'directory');
  assert.equal(image.files.get('/c')!.mode, 0o700);
  assert.equal(image.files.get('/d')!.text, 'now a file');
  assert.equal(image.files.get('/h2')!.inode, image.files.get('/h')!.inode);
  assert.equal(image.files.get('/implied')!.implicit, true);
  assert.deepEqual(image.config, { Env: ['PATH=/bin'], Cmd: ['sh'], Platform: 'linux/amd64' });
});

test('the comparer reports every kind of difference, and nothing for equal images', async () => {
  const lower: TarSpec[] = [{ name: 'etc/', type: 'directory' }, { name: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }];
  const a = await tree(
    { ...CONFIG, config: { ...CONFIG.config, Healthcheck: { Test: ['NONE'] }, Labels: { a: '1' }, Entrypoint: [], Volumes: {} } },
    lower,
    [
      { name: 'f', content: 'one' }, { name: 'm', content: '', mode: 0o4755 }, { name: 'o', content: '', uid: 1000, gid: 10 },
      { name: 'l', type: 'symlink', linkname: 'f' }, { name: 't', content: '' }, { name: 'only-a', content: '' },
      { name: 'g', content: 'g' }, { name: 'g2', type: 'link', linkname: 'g' },
    ],
  );
  const b = await tree(
    { ...CONFIG, config: { ...CONFIG.config, Env: ['PATH=/bin', 'X=1'], Labels: { a: '2' }, Entrypoint: null } },
    lower,
    [
      { name: 'f', content: 'two' }, { name: 'm', content: '', mode: 0o755 }, { name: 'o', content: '', uid: 1000, gid: 1000 },
      { name: 'l', type: 'symlink', linkname: '/f' }, { name: 't/', type: 'directory' }, { name: 'only-b', content: '' },
      { name: 'g', content: 'g' }, { name: 'g2', content: 'g' },
    ],
  );
  assert.deepEqual(compareImages(a, a), []);
  assert.deepEqual(compareImages(a, b, { names: ['A', 'B'] }), [
    'config Env: ["PATH=/bin"] (A) vs ["PATH=/bin","X=1"] (B)',
    'config Labels: {"a":"1"} (A) vs {"a":"2"} (B)',
    'config Healthcheck: {"Test":["NONE"]} (A) vs unset (B)',
    '/f: content "one" (A) vs "two" (B)',
    '/g: hard links to [/g2] (A) vs [] (B)',
    '/g2: hard links to [/g] (A) vs [] (B)',
    '/l: link target "f" (A) vs "/f" (B)',
    '/m: mode 4755 (A) vs 0755 (B)',
    '/o: owner 1000:10 (A) vs 1000:1000 (B)',
    '/only-a: only in A (file, "", mode 0644, owner 0:0)',
    '/only-b: only in B (file, "", mode 0644, owner 0:0)',
    '/t: type file, "", mode 0644, owner 0:0 (A) vs directory, mode 0755, owner 0:0 (B)',
  ]);
});

test('buildah\'s empty mount points are ignored only when the other image lacks them', async () => {
  const stubs: TarSpec[] = [{ name: 'proc/', type: 'directory' }, { name: 'etc/', type: 'directory' }, { name: 'etc/hostname', content: '', mode: 0o755 }];
  const withStubs = await tree(CONFIG, stubs);
  const without = await tree(CONFIG, [{ name: 'etc/', type: 'directory' }]);
  const options = { names: ['buildah', 'berth'] as [string, string], expectedOnlyMountPoints: BUILDAH_MOUNT_POINTS };
  assert.deepEqual(compareImages(withStubs, without, options), []);
  assert.deepEqual(compareImages(without, withStubs, options).length, 2, 'the candidate may not add them');
  const full = await tree(CONFIG, [...stubs, { name: 'proc/x', content: 'x' }]);
  assert.deepEqual(compareImages(full, without, options), ['/proc: only in buildah (directory, mode 0755, owner 0:0)', '/proc/x: only in buildah (file, "x", mode 0644, owner 0:0)']);
});

// --- the corpus ------------------------------------------------------------------------------------

describe(`the corpus, built by buildah and by ${CANDIDATE}`, () => {
  before(async () => {
    const missing = [...missingRegistryTools().filter((t) => !['htpasswd', 'openssl'].includes(t)), ...missingBuildahTools()];
    if (!existsSync('/usr/bin/busybox')) missing.push('/usr/bin/busybox');
    assert.deepEqual(missing, [], 'the build fidelity test needs buildah, docker-registry, umoci, skopeo and busybox-static (apt-get install buildah docker-registry umoci skopeo busybox-static)');
    dir = tempDir('berth-fidelity-');
    registry = await startRegistry();
    baseRef = `${registry.host}/busybox:latest`;
    await pushBaseImage(registry, join(dir.path, 'base'));
    buildah = await startBuildah(dir.path);
    const slot = limiter(BUILDAH_JOBS);
    for (const name of ENTRIES) {
      const built = slot(() => buildWithBuildah(name, 'reference'));
      built.catch(() => undefined); // awaited by the entry's test; keeps an early failure from being "unhandled"
      references.set(name, built);
    }
  });

  after(async () => {
    await Promise.allSettled(references.values());
    await buildah?.cleanup();
    await registry?.stop();
    dir?.cleanup();
  });

  for (const name of ENTRIES) {
    test(`corpus ${name}: ${CANDIDATE === 'berth' ? 'Berth' : 'a second buildah build'} builds the same image as buildah`, async () => {
      const reference = await references.get(name)!;
      const candidate = CANDIDATE === 'berth' ? await buildWithBerth(name) : await buildWithBuildah(name, 'candidate');
      const differences = compareImages(reference, candidate, { names: ['buildah', CANDIDATE], expectedOnlyMountPoints: BUILDAH_MOUNT_POINTS });
      if (differences.length) assert.fail(`${name}: ${differences.length} difference(s) between buildah's image and ${CANDIDATE}'s:\n  ${differences.join('\n  ')}`);
    });
  }

  test('the harness is deterministic: two buildah builds of the same entry compare equal', async () => {
    const name = '15-links-modes';
    const again = await buildWithBuildah(name, 'again');
    assert.deepEqual(compareImages(await references.get(name)!, again, { names: ['buildah', 'buildah again'] }), []);
  });
});

/** The KEY=VALUE lines of an entry's `build-args` file, with BASE. */
function buildArgsOf(name: string): Record<string, string> {
  const file = join(CORPUS, name, 'build-args');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')) : [];
  return { BASE: baseRef, ...Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) };
}

async function buildWithBuildah(name: string, purpose: string): Promise<ImageTree> {
  const context = join(CORPUS, name);
  const own = join(context, 'Dockerfile.buildah');
  const tag = `corpus/${name}:${purpose}`;
  await buildah.build({ context, dockerfile: existsSync(own) ? own : join(context, 'Dockerfile'), tag, buildArgs: buildArgsOf(name) });
  const file = join(dir.path, `buildah-${name}-${purpose}.tar`);
  await buildah.saveArchive(tag, file);
  return readImageArchive(file);
}

async function buildWithBerth(name: string): Promise<ImageTree> {
  const store = join(dir.path, 'berth-store');
  const context = join(CORPUS, name);
  const tag = `corpus/${name}:test`;
  const args = Object.entries(buildArgsOf(name)).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const built = await berth(store, ['build', '-t', tag, ...args, '-f', join(context, 'Dockerfile'), context]);
  assert.equal(built.code, 0, `berth build of ${name} failed:\n${built.stderr.slice(-4000)}\n${built.stdout.slice(-4000)}`);
  const file = join(dir.path, `berth-${name}.tar`);
  const saved = await berth(store, ['save', '-o', file, tag]);
  assert.equal(saved.code, 0, `berth save of ${name} failed:\n${saved.stderr}`);
  return readImageArchive(file);
}

/** Runs at most `n` of the given jobs at once, in the order they were given. */
function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

// --- the base image ---------------------------------------------------------------------------------

/**
 * Puts the corpus's base image into `registry` as `busybox:latest`, without Berth: the busybox root
 * filesystem of test/helpers/rootfs.ts plus users and groups for USER and --chown (app 1000:1000 in
 * wheel, svc 2000 with primary group wheel, nobody 65534), /home/app owned by app, and files for the
 * deletion tests (/opt/base, /etc/motd); a layer tarred with numeric owners, an image made with
 * umoci (Env PATH and BASE_VAR, Cmd sh, a label) and copied with skopeo.
 */
async function pushBaseImage(target: Registry, work: string): Promise<void> {
  mkdirSync(work, { recursive: true });
  const root = makeBusyboxRootfs(work);
  chmodSync(root, 0o755);
  chmodSync(join(root, 'root'), 0o700);
  writeFileSync(join(root, 'etc/passwd'), [
    'root:x:0:0:root:/root:/bin/sh', 'app:x:1000:1000:app:/home/app:/bin/sh', 'svc:x:2000:10:svc:/nonexistent:/bin/false', 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false', '',
  ].join('\n'));
  writeFileSync(join(root, 'etc/group'), ['root:x:0:', 'wheel:x:10:app', 'app:x:1000:', 'nogroup:x:65534:', ''].join('\n'));
  writeFileSync(join(root, 'etc/motd'), 'welcome to the corpus base\n');
  mkdirSync(join(root, 'home/app'), { recursive: true });
  chownSync(join(root, 'home/app'), 1000, 1000);
  const files: Record<string, string> = {
    'keep.txt': 'kept\n', 'gone.txt': 'deleted by a build\n', 'dir/a.txt': 'a\n', 'dir/b.txt': 'b\n', 'dir/sub/c.txt': 'c\n',
    'tree/x.txt': 'x\n', 'tree/y.txt': 'y\n', 'replace-file': 'becomes a folder\n', 'replace-dir/f.txt': 'in a folder that becomes a file\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, 'opt/base', path, '..'), { recursive: true });
    writeFileSync(join(root, 'opt/base', path), content);
  }
  symlinkSync('keep.txt', join(root, 'opt/base/link'));
  const layer = join(work, 'base.tar');
  await run('tar', ['--numeric-owner', '-cf', layer, '-C', root, '.']);
  const image = `${join(work, 'layout')}:image`;
  await run('umoci', ['init', '--layout', join(work, 'layout')]);
  await run('umoci', ['new', '--image', image]);
  await run('umoci', ['raw', 'add-layer', '--image', image, layer]);
  await run('umoci', ['config', '--image', image, '--config.env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--config.env', 'BASE_VAR=from-base', '--config.cmd', 'sh', '--config.label', 'org.example.base=busybox']);
  await run('skopeo', ['copy', '--quiet', '--insecure-policy', '--dest-tls-verify=false', `oci:${image}`, `docker://${target.host}/busybox:latest`]);
}
