// Registry mirrors for Docker Hub (seed 004): `registry-mirrors` from Berth's config file (or
// BERTH_REGISTRY_MIRRORS) are tried in order before Docker Hub. Docker Hub itself cannot be reached here,
// so the mirrors are real registries on loopback holding `library/...` repositories. Also: credentials
// kept by a credential helper program (credsStore) instead of config.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startRegistry, pushTestImage, type Registry } from '../helpers/registry';

let dir: { path: string; cleanup: () => void };
let mirror: Registry;
let secured: Registry;
let base: NodeJS.ProcessEnv;
let pushed: { manifestDigest: string; configDigest: string };

before(async () => {
  dir = tempDir('berth-mirrors-');
  mirror = await startRegistry({ auth: 'none' });
  secured = await startRegistry({ auth: 'basic', users: { bob: 'helper-kept-secret' } });
  pushed = await pushTestImage(mirror, 'library/busybox', '1.36');
  base = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), DOCKER_CONFIG: join(dir.path, 'docker') };
});

after(async () => {
  await mirror?.stop();
  await secured?.stop();
  dir?.cleanup();
});

test('a Docker Hub image is pulled from the mirror named in Berth\'s config file', async () => {
  const xdg = join(dir.path, 'xdg1');
  mkdirSync(join(xdg, 'berth'), { recursive: true });
  writeFileSync(join(xdg, 'berth', 'config.json'), JSON.stringify({ 'registry-mirrors': [`http://${mirror.host}`] }));
  const root = join(dir.path, 's1');
  const r = await berth(root, ['pull', 'busybox:1.36'], { env: { ...base, XDG_CONFIG_HOME: xdg } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\.36: Pulling from library\/busybox\n/);
  assert.match(r.stdout, new RegExp(`Digest: ${pushed.manifestDigest}\nStatus: Downloaded newer image for busybox:1.36\ndocker.io/library/busybox:1.36\n$`));
  const [j] = JSON.parse((await berth(root, ['inspect', 'busybox:1.36'], { env: { ...base, XDG_CONFIG_HOME: xdg } })).stdout);
  assert.deepEqual(j.RepoTags, ['busybox:1.36']);
  assert.deepEqual(j.RepoDigests, [`busybox@${pushed.manifestDigest}`]);
});

test('mirrors are tried in order: a dead one is skipped with a note', async () => {
  const root = join(dir.path, 's2');
  const env = { ...base, XDG_CONFIG_HOME: join(dir.path, 'xdg2'), BERTH_REGISTRY_MIRRORS: `http://127.0.0.1:1,http://${mirror.host}` };
  const r = await berth(root, ['pull', 'busybox:1.36'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /mirror 127\.0\.0\.1:1 failed \(cannot reach registry 127\.0\.0\.1:1: connection refused.*\); trying /);
});

test('when every mirror fails, Docker Hub itself is tried last and the error names it', async () => {
  const env = { ...base, XDG_CONFIG_HOME: join(dir.path, 'xdg3'), BERTH_REGISTRY_MIRRORS: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '127.0.0.1' };
  const r = await berth(join(dir.path, 's3'), ['pull', 'busybox:1.36'], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /registry-1\.docker\.io/);
});

test('a credential helper (credsStore) keeps the password; config.json holds none', async () => {
  const bin = join(dir.path, 'bin');
  mkdirSync(bin, { recursive: true });
  const store = join(dir.path, 'helper-store.json');
  const helper = join(bin, 'docker-credential-berthtest');
  writeFileSync(helper, `#!/usr/bin/env node
const fs = require('fs');
const file = ${JSON.stringify(store)};
const db = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const action = process.argv[2];
  if (action === 'store') { const c = JSON.parse(input); db[c.ServerURL] = c; fs.writeFileSync(file, JSON.stringify(db)); }
  else if (action === 'get') { const c = db[input.trim()]; if (!c) { process.stdout.write('credentials not found in native keychain'); process.exit(1); } process.stdout.write(JSON.stringify(c)); }
  else if (action === 'erase') { delete db[input.trim()]; fs.writeFileSync(file, JSON.stringify(db)); }
  else if (action === 'list') { const o = {}; for (const k in db) o[k] = db[k].Username; process.stdout.write(JSON.stringify(o)); }
});
`);
  chmodSync(helper, 0o755);
  const dockerConfig = join(dir.path, 'docker-helper');
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'berthtest' }));
  const env = { ...base, PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: dockerConfig, XDG_CONFIG_HOME: join(dir.path, 'xdg4') };
  const login = await berth(join(dir.path, 's4'), ['login', '-u', 'bob', '--password-stdin', secured.host], { env, stdin: 'helper-kept-secret\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stderr, '', 'no plaintext warning when a helper keeps the password');
  assert.ok(!readFileSync(join(dockerConfig, 'config.json'), 'utf8').includes('helper-kept-secret'));
  assert.equal(JSON.parse(readFileSync(store, 'utf8'))[secured.host].Secret, 'helper-kept-secret');
  await pushTestImage(secured, 'app/x', '1', { creds: { username: 'bob', password: 'helper-kept-secret' } });
  const pull = await berth(join(dir.path, 's4'), ['pull', `${secured.host}/app/x:1`], { env });
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await berth(join(dir.path, 's4'), ['logout', secured.host], { env })).code, 0);
  assert.equal(JSON.parse(readFileSync(store, 'utf8'))[secured.host], undefined);
});
