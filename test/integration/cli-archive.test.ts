// import, save and load through the CLI, as a user types them: files, standard input and output, a URL,
// the seed tutorials' flag spellings, and what is printed when the input is bad.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tarOf } from '../helpers/archive-fixtures';

let dir: { path: string; cleanup: () => void };
let tarball: string;
let server: Server;
let url: string;

before(async () => {
  dir = tempDir('berth-cli-archive-');
  tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));
  server = createServer((req, res) => {
    if (req.url === '/rootfs.tar') createReadStream(tarball).pipe(res);
    else if (req.url === '/moved') res.writeHead(302, { location: '/rootfs.tar' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  dir.cleanup();
});

test('import prints the new ID; -c and -m (with the seeds\' -m="..." spelling) shape the image', async () => {
  const root = join(dir.path, 's1');
  const r = await berth(root, ['import', '-c', 'CMD ["/bin/sh"]', '--change', 'ENV A=1 B=2', '-c', 'EXPOSE 80/tcp', '-c', 'WORKDIR /srv', '-m=Imported by a test', tarball, 'ouruser/base:v1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[a-f0-9]{64}\n$/);
  const [j] = JSON.parse((await berth(root, ['inspect', 'ouruser/base:v1'])).stdout);
  assert.equal(j.Id, r.stdout.trim());
  assert.deepEqual(j.Config.Cmd, ['/bin/sh']);
  assert.deepEqual(j.Config.Env, ['A=1', 'B=2']);
  assert.deepEqual(j.Config.ExposedPorts, { '80/tcp': {} });
  assert.equal(j.Config.WorkingDir, '/srv');
  assert.equal(j.Comment, 'Imported by a test');
  const h = await berth(root, ['history', '--format', '{{.Comment}}', 'ouruser/base:v1']);
  assert.equal(h.stdout, 'Imported by a test\n');
});

test('import from standard input and from a URL (following a redirect); untagged imports are dangling', async () => {
  const root = join(dir.path, 's2');
  const fromStdin = await berth(root, ['import', '-', 'from/stdin'], { stdin: readFileSync(tarball) });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  const fromUrl = await berth(root, ['import', `${url}/moved`, 'from/url:1']);
  assert.equal(fromUrl.code, 0, fromUrl.stderr);
  assert.equal(fromUrl.stdout.length > 0, true);
  const untagged = await berth(root, ['import', tarball]);
  assert.equal(untagged.code, 0);
  assert.equal((await berth(root, ['images', '-f', 'dangling=true', '--format', '{{.Repository}}:{{.Tag}}'])).stdout, '<none>:<none>\n');
  const missing = await berth(root, ['import', `${url}/nothing.tar`, 'x']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `Error: cannot download ${url}/nothing.tar: the server answered 404\n`);
});

test('save -o then load -i, and save to standard output piped into load', async () => {
  const src = join(dir.path, 's3');
  assert.equal((await berth(src, ['import', tarball, 'ubuntu:14.04'])).code, 0);
  assert.equal((await berth(src, ['tag', 'ubuntu:14.04', 'ubuntu:trusty'])).code, 0);
  const file = join(dir.path, 'ubuntu_14.04.tar');
  const saved = await berth(src, ['save', '-o', file, 'ubuntu:14.04']);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(saved.stdout, '');
  const dst = join(dir.path, 's4');
  const loaded = await berth(dst, ['load', '-i', file]);
  assert.equal(loaded.stdout, 'Loaded image: ubuntu:14.04\n');
  const ids = async (root: string): Promise<string> => (await berth(root, ['images', '-q', '--no-trunc', 'ubuntu:14.04'])).stdout;
  assert.equal(await ids(dst), await ids(src));

  const pipe = new PassThrough();
  const chunks: Buffer[] = [];
  pipe.on('data', (c: Buffer) => chunks.push(c));
  const code = await runCli(['--root', src, 'save', '--format', 'oci', 'ubuntu'], {
    stdout: pipe, stderr: process.stderr, stdin: process.stdin, stdinIsTTY: false, stdoutIsTTY: false, env: process.env, cwd: dir.path,
  });
  assert.equal(code, 0);
  const viaStdin = await berth(join(dir.path, 's5'), ['load'], { stdin: Buffer.concat(chunks) });
  assert.equal(viaStdin.stdout.split('\n').filter(Boolean).sort().join(','), 'Loaded image: ubuntu:14.04,Loaded image: ubuntu:trusty');
});

test('bad archives: clear messages naming the file, and nothing changes in the store', async () => {
  const root = join(dir.path, 's6');
  assert.equal((await berth(root, ['import', tarball, 'keep:1'])).code, 0);
  const before = readFileSync(join(root, 'index.json'), 'utf8');
  const blobs = readdirSync(join(root, 'blobs', 'sha256')).sort();

  const truncated = join(dir.path, 'truncated.tar');
  writeFileSync(truncated, readFileSync(tarball).subarray(0, 100_000));
  const t = await berth(root, ['import', truncated, 'bad:1']);
  assert.equal(t.code, 1);
  assert.match(t.stderr, new RegExp(`^Error: .*${truncated.replace(/[.]/g, '\\.')}.*(unexpected end|truncated)`, 'i'));

  const evil = join(dir.path, 'evil.tar');
  writeFileSync(evil, await tarOf([{ name: 'etc/', type: 'directory' }, { name: '../../escape', content: 'x' }]));
  const e = await berth(root, ['import', evil, 'bad:2']);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /escape/);

  const notImage = join(dir.path, 'not-image.tar');
  writeFileSync(notImage, await tarOf([{ name: 'hello.txt', content: 'hi' }]));
  const l = await berth(root, ['load', '-i', notImage]);
  assert.equal(l.code, 1);
  assert.match(l.stderr, /contains neither manifest\.json nor index\.json/);

  const missing = await berth(root, ['load', '-i', join(dir.path, 'nope.tar')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.tar/);
  assert.match(missing.stderr, /^Error: open .*nope\.tar: no such file or directory\n$/);

  assert.equal(readFileSync(join(root, 'index.json'), 'utf8'), before);
  assert.deepEqual(readdirSync(join(root, 'blobs', 'sha256')).sort(), blobs);
  assert.equal((await berth(root, ['system', 'check'])).code, 0);
});

test('save to a missing image writes no file', async () => {
  const root = join(dir.path, 's7');
  const out = join(dir.path, 'never.tar');
  const r = await berth(root, ['save', '-o', out, 'nosuch:1']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error: No such image: nosuch:1\n');
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir.path).filter((n) => n.startsWith('never')), []);
});
