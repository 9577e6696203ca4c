// pull and push against the real distribution registry on loopback, with skopeo as the peer: what skopeo
// pushed, Berth pulls with the same digests; what Berth pushes, skopeo reads with the same digests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startRegistry, pushTestImage, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let env: NodeJS.ProcessEnv;
let tarball: string;

before(async () => {
  dir = tempDir('berth-registry-');
  registry = await startRegistry({ auth: 'none' });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar.gz'), { gzip: true });
});

after(async () => {
  await registry?.stop();
  dir?.cleanup();
});

function skopeo(args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8' });
}

test('pull what skopeo pushed: Docker\'s output, the same digests, then "up to date"', async () => {
  const pushed = await pushTestImage(registry, 'team/app', '1', { layers: [Buffer.from('first layer'), Buffer.from('second layer')] });
  const root = join(dir.path, 'pull1');
  const r = await berth(root, ['pull', `${registry.host}/team/app:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], '1: Pulling from team/app');
  for (const l of pushed.layerDigests) assert.ok(lines.includes(`${l.slice(7, 19)}: Pull complete`), r.stdout);
  assert.deepEqual(lines.slice(-3), [`Digest: ${pushed.manifestDigest}`, `Status: Downloaded newer image for ${registry.host}/team/app:1`, `${registry.host}/team/app:1`]);
  const [j] = JSON.parse((await berth(root, ['inspect', `${registry.host}/team/app:1`], { env })).stdout);
  assert.equal(j.Id, pushed.configDigest);
  assert.deepEqual(j.RepoDigests, [`${registry.host}/team/app@${pushed.manifestDigest}`]);
  const again = await berth(root, ['pull', `${registry.host}/team/app:1`], { env });
  assert.equal(again.stdout, `1: Pulling from team/app\nDigest: ${pushed.manifestDigest}\nStatus: Image is up to date for ${registry.host}/team/app:1\n${registry.host}/team/app:1\n`);
  const byDigest = await berth(join(dir.path, 'pull2'), ['pull', `${registry.host}/team/app@${pushed.manifestDigest}`], { env });
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.equal((await berth(join(dir.path, 'pull2'), ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}'], { env })).stdout, `${registry.host}/team/app <none> ${pushed.manifestDigest}\n`);
  assert.equal((await berth(root, ['system', 'check'], { env })).code, 0);
});

test('push an imported image: Docker\'s output; skopeo reads it with the same digest; pushing again finds the layers', async () => {
  const root = join(dir.path, 'push1');
  assert.equal((await berth(root, ['import', tarball, `${registry.host}/mine/bb:v1`], { env })).code, 0);
  const r = await berth(root, ['push', `${registry.host}/mine/bb:v1`], { env });
  assert.equal(r.code, 0, r.stderr);
  const [j] = JSON.parse((await berth(root, ['inspect', `${registry.host}/mine/bb:v1`], { env })).stdout);
  const manifest = JSON.parse(readFileSync(join(root, 'blobs', 'sha256', j.RepoDigests[0].split('@sha256:')[1]), 'utf8'));
  const layer = manifest.layers[0].digest as string;
  const digest = j.RepoDigests[0].split('@')[1];
  assert.equal(r.stdout, `The push refers to repository [${registry.host}/mine/bb]\n${layer.slice(7, 19)}: Preparing\n${layer.slice(7, 19)}: Pushed\nv1: digest: ${digest} size: ${manifest ? readFileSync(join(root, 'blobs', 'sha256', digest.slice(7))).length : 0}\n`);
  const remote = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${registry.host}/mine/bb:v1`]));
  assert.equal(remote.Digest, digest);
  const out = join(dir.path, 'skopeo-copy');
  skopeo(['copy', '--src-tls-verify=false', `docker://${registry.host}/mine/bb:v1`, `oci:${out}:bb`]);
  assert.equal(JSON.parse(skopeo(['inspect', `oci:${out}:bb`])).Digest, digest);
  const again = await berth(root, ['push', `${registry.host}/mine/bb:v1`], { env });
  assert.match(again.stdout, new RegExp(`${layer.slice(7, 19)}: Layer already exists`));
});

test('push to another repository of the same registry mounts the layers instead of uploading them', async () => {
  const root = join(dir.path, 'push2');
  assert.equal((await berth(root, ['import', tarball, `${registry.host}/src/bb:1`], { env })).code, 0);
  assert.equal((await berth(root, ['push', `${registry.host}/src/bb:1`], { env })).code, 0);
  assert.equal((await berth(root, ['tag', `${registry.host}/src/bb:1`, `${registry.host}/dst/bb:1`], { env })).code, 0);
  const r = await berth(root, ['push', `${registry.host}/dst/bb:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /: Mounted from src\/bb\n/);
  assert.match(registry.log(), /mount/i);
});

test('pull -a pulls every tag; push -a pushes every local tag', async () => {
  await pushTestImage(registry, 'many/app', 'a');
  await pushTestImage(registry, 'many/app', 'b');
  const root = join(dir.path, 'all');
  const r = await berth(root, ['pull', '-a', `${registry.host}/many/app`], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await berth(root, ['images', '--format', '{{.Tag}}', `${registry.host}/many/app`], { env })).stdout.split('\n').filter(Boolean).sort().join(','), 'a,b');
  assert.equal((await berth(root, ['tag', `${registry.host}/many/app:a`, `${registry.host}/copy/app:x`], { env })).code, 0);
  assert.equal((await berth(root, ['tag', `${registry.host}/many/app:b`, `${registry.host}/copy/app:y`], { env })).code, 0);
  const p = await berth(root, ['push', '-a', `${registry.host}/copy/app`], { env });
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /x: digest: sha256:[a-f0-9]{64} size: \d+\ny: digest:|y: digest:[\s\S]*x: digest:|x: digest:[\s\S]*y: digest:/);
  const tags = JSON.parse(skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/copy/app`])).Tags.sort();
  assert.deepEqual(tags, ['x', 'y']);
});

test('errors: unknown tag, unknown repository, unreachable registry, and nothing changes in the store', async () => {
  const root = join(dir.path, 'errors');
  const tag = await berth(root, ['pull', `${registry.host}/team/app:nosuch`], { env });
  assert.equal(tag.code, 1);
  assert.equal(tag.stderr, `Error: manifest for ${registry.host}/team/app:nosuch not found: manifest unknown: manifest unknown\n`);
  const repo = await berth(root, ['pull', `${registry.host}/nobody/here:1`], { env });
  assert.equal(repo.code, 1);
  assert.match(repo.stderr, /not found|pull access denied/);
  const closed = await berth(root, ['pull', '127.0.0.1:1/x:1'], { env });
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /^Error: cannot reach registry 127\.0\.0\.1:1: connection refused \(is the registry running at that address\?\)\n$/);
  assert.equal((await berth(root, ['images', '-q'], { env })).stdout, '');
  const noImage = await berth(root, ['push', `${registry.host}/not/local:1`], { env });
  assert.equal(noImage.stderr, `Error: No such image: ${registry.host}/not/local:1\n`);
});

test('the bundled CLI as a real process pulls a big layer (the fast path) and pushes it back', async () => {
  const cli = join(__dirname, '../../dist/cli.js');
  const big = Buffer.alloc(12 << 20);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i * 2654435761 >>> 0, i);
  const pushed = await pushTestImage(registry, 'proc/big', '1', { layers: [big] });
  const root = join(dir.path, 'proc');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, '--root', root, ...args], { encoding: 'utf8', env });
  const pull = run(['pull', `${registry.host}/proc/big:1`]);
  assert.equal(pull.status, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${pushed.manifestDigest}\n`));
  assert.equal(run(['images', '-q', '--no-trunc', `${registry.host}/proc/big:1`]).stdout, `${pushed.configDigest}\n`);
  assert.equal(run(['system', 'check']).status, 0);
  assert.equal(run(['tag', `${registry.host}/proc/big:1`, `${registry.host}/proc/copy:1`]).status, 0);
  const push = run(['push', `${registry.host}/proc/copy:1`]);
  assert.equal(push.status, 0, push.stderr);
  assert.match(push.stdout, /Mounted from proc\/big/);
});

test('a chunked upload (PATCH in pieces, then PUT) gives the same image skopeo reads', async () => {
  const { BundledEngine } = await import('../../src/engine/engine.js');
  const engine = await BundledEngine.open(join(dir.path, 'chunked'), { env });
  try {
    const { createReadStream } = await import('node:fs');
    await engine.importImage(createReadStream(tarball), { sourceName: tarball, tag: `${registry.host}/chunked/bb:1` });
    const before = registry.log().split('\n').filter((l) => /"PATCH /.test(l)).length;
    const [pushed] = await engine.push(`${registry.host}/chunked/bb:1`, { upload: { monolithicLimit: 1000, chunkSize: 256 * 1024 } });
    const patches = registry.log().split('\n').filter((l) => /"PATCH /.test(l)).length - before;
    assert.ok(patches >= 3, `the layer went up in ${patches} PATCH requests`);
    assert.equal(JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${registry.host}/chunked/bb:1`])).Digest, pushed!.digest);
  } finally {
    await engine.close();
  }
});

test('an unauthorized push on a terminal asks for a login, stores it, and pushes', async () => {
  const secured = await startRegistry({ auth: 'basic', users: { carol: 'tty-password' } });
  try {
    const root = join(dir.path, 'tty');
    const ttyEnv = { ...env, DOCKER_CONFIG: join(dir.path, 'docker-tty') };
    assert.equal((await berth(root, ['import', tarball, `${secured.host}/carol/bb:1`], { env: ttyEnv })).code, 0);
    const r = await berth(root, ['push', `${secured.host}/carol/bb:1`], { env: ttyEnv, stdinIsTTY: true, stdin: 'carol\ntty-password\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /unauthorized: authentication required[\s\S]*Username: Password: \nLogin Succeeded\n/);
    assert.match(r.stdout, /1: digest: sha256:[a-f0-9]{64} size: \d+\n$/);
    assert.ok(readFileSync(join(dir.path, 'docker-tty', 'config.json'), 'utf8').includes(secured.host));
  } finally {
    await secured.stop();
  }
});
