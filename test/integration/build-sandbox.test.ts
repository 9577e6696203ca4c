// RUN without a daemon, with real parts: a busybox image stored as a layer, unpacked, a command run
// in the rootless sandbox (user, mount, PID namespaces over overlayfs), its change stored as a layer
// and read back with tar-stream. Needs Linux with user namespaces, util-linux, GNU tar and
// busybox-static (CI runs as root; an ordinary user with user namespaces works too).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { isBerthError } from '../../src/engine/errors';
import type { Descriptor } from '../../src/engine/oci/types';
import { Store } from '../../src/engine/store/store';
import { changeTar, layerFromChange } from '../../src/engine/build/diff';
import { sandboxIdMap } from '../../src/engine/build/id-map';
import { unpackLayers } from '../../src/engine/build/rootfs';
import { runInSandbox, type RunOptions, type RunResult } from '../../src/engine/build/sandbox';
import { busyboxLayer, bytesOf, listTar, mountTable, processesWith } from '../helpers/build-rootfs';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let store: Store;
let base: Descriptor;
/** The folder holding the unpacked image, and nothing else once a sandbox is cleaned up. */
let work: string;
let lower: string;
let mounts: string;

before(async () => {
  dir = tempDir('berth-sandbox-');
  store = await Store.open(join(dir.path, 'store'));
  base = await busyboxLayer(store, dir.path, { passwd: 'app:x:1000:1000:app:/home/app:/bin/sh\n', group: 'app:x:1000:\nwheel:x:10:app\n' });
  work = join(dir.path, 'work');
  lower = join(work, 'rootfs');
  await unpackLayers(store, [base], lower);
  mounts = mountTable();
});
after(() => dir.cleanup());

let results: RunResult[] = [];
beforeEach(() => {
  results = [];
});
afterEach(async () => {
  for (const r of results) await r.cleanup();
  assert.deepEqual(readdirSync(work), ['rootfs'], 'the run folders are gone');
  assert.equal(mountTable(), mounts, 'nothing is left mounted in Berth\'s namespace');
});

/** Runs a shell command line in the sandbox over the busybox image, collecting its output. */
async function run(script: string, options: Partial<RunOptions> = {}): Promise<{ result: RunResult; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const result = await runInSandbox({
    lower, command: ['/bin/sh', '-c', script], env: [], workdir: '/', network: 'none',
    onOutput: (chunk, stream) => (stream === 'stdout' ? (stdout += chunk) : (stderr += chunk)),
    ...options,
  });
  results.push(result);
  return { result, stdout, stderr };
}

async function changeOf(result: RunResult, sourceDateEpoch?: number) {
  const lease = await store.lease();
  try {
    const layer = await layerFromChange(store, lease, { upper: result.upper, lower, sourceDateEpoch });
    return { layer, entries: await listTar(await store.blobs.read(layer.descriptor.digest)) };
  } finally {
    await lease.release();
  }
}

test('a command\'s files, folders, links and deletions become a layer with exactly those entries', async () => {
  const { result } = await run('echo hi > /tmp/x && rm /etc/group && mkdir -p /a/b && ln -s /a /l');
  assert.equal(result.exitCode, 0);
  const { layer, entries } = await changeOf(result);
  assert.equal(layer.diffId, layer.descriptor.digest);
  assert.equal(layer.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar');
  assert.deepEqual(entries.map((e) => [e.name, e.type, e.linkname ?? e.content ?? '']), [
    ['a/', 'directory', ''],
    ['a/b/', 'directory', ''],
    ['etc/', 'directory', ''],
    ['etc/.wh.group', 'file', ''],
    ['l', 'symlink', '/a'],
    ['tmp/', 'directory', ''],
    ['tmp/x', 'file', 'hi\n'],
  ]);
  for (const e of entries) {
    assert.deepEqual([e.uid, e.gid, e.uname, e.gname], [0, 0, '', ''], e.name);
  }
  assert.equal(entries.find((e) => e.name === 'tmp/')!.mode, 0o1777, 'the folder keeps the image\'s mode');
  assert.equal(entries.find((e) => e.name === 'etc/.wh.group')!.mode, 0);
});

test('the exit code of a failing command is returned', async () => {
  assert.equal((await run('exit 3')).result.exitCode, 3);
  const missing = await runInSandbox({ lower, command: ['/no/such/program'], env: [], workdir: '/', network: 'none' });
  results.push(missing);
  assert.equal(missing.exitCode, 127);
});

test('without a network the sandbox has only loopback', async () => {
  const { stdout } = await run('cat /proc/net/dev');
  const interfaces = stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0]!.trim());
  assert.deepEqual(interfaces, ['lo']);
});

test('with the default network the sandbox has the host\'s interfaces, hosts and resolv.conf', async () => {
  const { stdout } = await run('cat /proc/net/dev; echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf; hostname', { network: 'default' });
  const [dev, hosts, resolv] = stdout.split('---\n');
  assert.equal(dev!.split('\n').slice(2).filter(Boolean).length, readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter(Boolean).length);
  assert.match(hosts!, /127\.0\.0\.1\tbuildkitsandbox/);
  assert.ok(hosts!.startsWith(readFileSync('/etc/hosts', 'utf8').slice(0, 20)));
  assert.ok(resolv!.startsWith(readFileSync('/etc/resolv.conf', 'utf8').trim().split('\n')[0]!));
  assert.match(stdout, /buildkitsandbox\n$/);
});

test('the environment is exactly the one given, with Docker\'s PATH and HOME when missing', async () => {
  let out = '';
  const r = await runInSandbox({ lower, command: ['/bin/env'], env: ['FOO=bar baz', 'my.var=2'], workdir: '/', network: 'none', onOutput: (c) => (out += c) });
  results.push(r);
  assert.deepEqual(out.trim().split('\n'), ['FOO=bar baz', 'my.var=2', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root']);
});

test('the command runs in the working folder (made when missing) as the user of /etc/passwd, with its groups', async () => {
  const { result, stdout } = await run('id -u; id -g; id -G; pwd; echo $HOME; echo $$; touch f 2>&1 || echo cannot write', { user: 'app', workdir: '/srv/app' });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(stdout.trim().split('\n'), ['1000', '1000', '1000 10', '/srv/app', '/home/app', '1', 'touch: f: Permission denied', 'cannot write']);
  const { entries } = await changeOf(result);
  assert.deepEqual(entries.map((e) => [e.name, e.uid, e.mode]), [['srv/', 0, 0o755], ['srv/app/', 0, 0o755]]);

  const numeric = await run('id -u; id -g; id -G', { user: '4242:77' });
  assert.deepEqual(numeric.stdout.trim().split('\n'), ['4242', '77', '77']);
  await assert.rejects(run('true', { user: 'nobody-here' }), (e) => isBerthError(e, 'INVALID_ARGUMENT') && /unable to find user nobody-here/.test(e.message));
});

test('a folder deleted and made again becomes opaque, and the layer unpacks to the same tree', async () => {
  const { result } = await run('rm -rf /etc && mkdir /etc && echo x > /etc/new && chmod 0750 /etc');
  const { layer, entries } = await changeOf(result);
  assert.deepEqual(entries.map((e) => e.name), ['etc/', 'etc/.wh..wh..opq', 'etc/new']);
  assert.equal(entries[0]!.mode, 0o750);

  const applied = join(dir.path, 'applied');
  await unpackLayers(store, [base, layer.descriptor], applied);
  assert.deepEqual(readdirSync(join(applied, 'etc')), ['new']);
  assert.equal(readFileSync(join(applied, 'etc/new'), 'utf8'), 'x\n');
  assert.equal(statSync(join(applied, 'etc')).mode & 0o7777, 0o750);
  assert.equal(statSync(join(applied, 'etc')).uid, sandboxIdMap().uid, 'the folder belongs to the sandbox\'s root');
  assert.deepEqual(readdirSync(join(applied, 'bin')), readdirSync(join(lower, 'bin')), 'the rest of the image is untouched');
});

test('with SOURCE_DATE_EPOCH two runs of the same command give the same layer, byte for byte', async () => {
  const script = 'echo hi > /tmp/x && mkdir -p /a/b && rm /etc/group && ln /tmp/x /tmp/y';
  const epoch = 1_700_000_000;
  const first = await changeOf((await run(script)).result, epoch);
  const second = await changeOf((await run(script)).result, epoch);
  assert.equal(first.layer.descriptor.digest, second.layer.descriptor.digest);
  assert.ok(first.entries.every((e) => e.mtime === epoch));
  assert.deepEqual(first.entries.find((e) => e.name === 'tmp/y'), { ...first.entries.find((e) => e.name === 'tmp/y'), type: 'link', linkname: 'tmp/x' });
});

test('the image itself is never changed by a command', async () => {
  const before = readdirSync(join(lower, 'etc'));
  const { result } = await run('rm -rf /bin/ls /etc/* && echo changed > /etc/passwd');
  assert.equal(result.exitCode, 0);
  assert.deepEqual(readdirSync(join(lower, 'etc')), before);
  assert.ok(lstatSync(join(lower, 'bin/ls')).isSymbolicLink());
  assert.match(readFileSync(join(lower, 'etc/passwd'), 'utf8'), /^root:/);
});

test('the command cannot reach the host\'s files', async () => {
  mkdirSync(join(dir.path, 'host-secret'));
  const { stdout } = await run('echo $(ls /proc/1/root/); cd /; cd ../../..; echo $(ls); ls /host-secret 2>&1');
  const [procRoot, upAbove, secret] = stdout.split('\n');
  assert.equal(procRoot, 'bin dev etc proc root sbin tmp usr', 'PID 1 is the command, inside the image');
  assert.equal(upAbove, procRoot, '".." stops at the image\'s root');
  assert.match(secret!, /No such file or directory/);
});

test('a cancelled command is killed with every process it started, and nothing of the sandbox remains', async () => {
  const controller = new AbortController();
  const marker = `sleep ${100_000 + Math.floor(Math.random() * 100_000)}`;
  const running = runInSandbox({
    lower, command: ['/bin/sh', '-c', `${marker} & echo started; ${marker}`], env: [], workdir: '/', network: 'none', signal: controller.signal,
    onOutput: (chunk) => {
      if (chunk.toString().includes('started')) controller.abort();
    },
  });
  await assert.rejects(running, (e) => isBerthError(e, 'CANCELLED'));
  assert.deepEqual(processesWith(marker), []);
});

test('a command that cannot start leaves nothing behind', async () => {
  await assert.rejects(runInSandbox({ lower, command: ['/bin/true'], env: ['NOT-AN-ASSIGNMENT'], workdir: '/', network: 'none' }), (e) => isBerthError(e, 'INVALID_ARGUMENT'));
  await assert.rejects(runInSandbox({ lower: join(dir.path, 'missing'), command: ['/bin/true'], env: [], workdir: '/', network: 'none' }), (e) => isBerthError(e, 'NOT_FOUND'));
  await assert.rejects(run('true', { workdir: '/etc/passwd/sub' }), (e) => isBerthError(e, 'INVALID_ARGUMENT') && /\/etc\/passwd is not a folder/.test(e.message));
});

test('the change can also be streamed without a store', async () => {
  const { result } = await run('echo streamed > /root/s');
  const bytes = await bytesOf(changeTar({ upper: result.upper, lower }));
  assert.deepEqual((await listTar(bytes)).map((e) => e.name), ['root/', 'root/s']);
  assert.equal(bytes.length % 512, 0);
});

test('an ordinary user gets the same sandbox, mapped to root alone', async () => {
  const nobody = 65534;
  const own = join(dir.path, 'ordinary');
  mkdirSync(own);
  chownSync(own, nobody, nobody);
  chmodSync(dir.path, 0o711);
  const { stdout } = await promisify(execFile)('setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', process.execPath, '--import', 'tsx', 'test/helpers/build-ordinary-user.ts', own], { env: { ...process.env, HOME: own } });
  const report = JSON.parse(stdout) as { ids: unknown; exitCode: number; stdout: string; entries: string[]; foreign: string; left: string[] };
  assert.deepEqual(report.ids, { uid: nobody, gid: nobody, size: 1 });
  assert.equal(report.exitCode, 0);
  assert.match(report.stdout, /^0\n\s+0\s+65534\s+1\n$/);
  assert.deepEqual(report.entries, ['etc/ 0:0 755', 'etc/.wh..wh..opq 0:0 0', 'etc/new 0:0 644', 'locked/ 0:0 0']);
  assert.equal(report.foreign, 'unpacked', 'files of other users become the user\'s (it cannot chown)');
  assert.deepEqual(report.left, ['busybox.tar', 'other', 'rootfs'], 'the run folder is gone');
});
