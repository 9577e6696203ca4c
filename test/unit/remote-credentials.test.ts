// Credentials as the docker CLI keeps them: config.json in a temporary folder, and real credential
// helper programs (small node scripts named docker-credential-*) on PATH.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { isBerthError } from '../../src/engine/errors';
import { DOCKER_HUB_KEY, dockerConfigFile, dockerCredentialStore, normalizeRegistryKey } from '../../src/engine/remote/credentials';
import { tempDir } from '../helpers/tmp';

const SECRET = 'pa55:w0rd-never-shown';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A helper that keeps credentials in a JSON file next to itself and logs each call, as docker-credential-helpers' protocol says. */
const GOOD_HELPER = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const storeFile = path.join(__dirname, 'berthtest-store.json');
const action = process.argv[2];
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  fs.appendFileSync(path.join(__dirname, 'berthtest-calls.log'), JSON.stringify({ action, input }) + '\\n');
  const db = fs.existsSync(storeFile) ? JSON.parse(fs.readFileSync(storeFile, 'utf8')) : {};
  const save = () => fs.writeFileSync(storeFile, JSON.stringify(db));
  const fail = (m) => { process.stdout.write(m + '\\n'); process.exit(1); };
  if (action === 'get') {
    const c = db[input];
    if (!c) fail('credentials not found in native keychain');
    process.stdout.write(JSON.stringify({ ServerURL: input, Username: c.Username, Secret: c.Secret }));
  } else if (action === 'store') {
    const c = JSON.parse(input);
    if (!c.ServerURL) fail('no credentials server URL');
    if (!c.Username) fail('no credentials username');
    db[c.ServerURL] = c;
    save();
  } else if (action === 'erase') {
    if (!db[input]) fail('credentials not found in native keychain');
    delete db[input];
    save();
  } else if (action === 'list') {
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(db).map(([k, c]) => [k, c.Username]))));
  } else fail('unknown action ' + action);
});
`;

/** A helper that fails in every way it can, echoing what it was given. */
const BROKEN_HELPER = `#!/usr/bin/env node
const action = process.argv[2];
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  if (action === 'store') { process.stdout.write('cannot store ' + input); process.exit(1); }
  if (action === 'get') { process.stdout.write('{"Username": "u", "Secret": "${SECRET}"'); process.exit(0); }
  if (action === 'erase') { process.stdout.write('the keychain is locked'); process.exit(1); }
  process.stderr.write('list exploded'); process.exit(3);
});
`;

let tmp: { path: string; cleanup: () => void };
let binDir: string;
let env: NodeJS.ProcessEnv;
let n = 0;

before(() => {
  tmp = tempDir('berth-creds-');
  binDir = join(tmp.path, 'bin');
  mkdirSync(binDir);
  for (const [name, text] of [['docker-credential-berthtest', GOOD_HELPER], ['docker-credential-berthbroken', BROKEN_HELPER]] as const) {
    writeFileSync(join(binDir, name), text);
    chmodSync(join(binDir, name), 0o755);
  }
  env = { PATH: [binDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), HOME: join(tmp.path, 'home') }; // the helpers run with `#!/usr/bin/env node`
});
after(() => tmp?.cleanup());

/** A fresh config folder, optionally with a config.json. */
function configDir(config?: unknown): string {
  const dir = join(tmp.path, `cfg-${++n}`);
  if (config !== undefined) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2), { mode: 0o644 });
  }
  return dir;
}

const readConfig = (dir: string): Record<string, any> => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const mode = (path: string): number => statSync(path).mode & 0o777;
const helperDb = (): Record<string, { ServerURL: string; Username: string; Secret: string }> => JSON.parse(readFileSync(join(binDir, 'berthtest-store.json'), 'utf8'));
const resetHelper = (): void => writeFileSync(join(binDir, 'berthtest-store.json'), '{}');

/** Asserts that `p` rejects with a BerthError of `code` whose message has `pattern` and no secret. */
async function rejectsWithout(p: Promise<unknown>, code: string, pattern: RegExp, secrets: string[] = [SECRET]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isBerthError(e), `not a BerthError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    for (const s of secrets) {
      assert.ok(!e.message.includes(s), `the message shows a secret: ${e.message}`);
      assert.ok(!String(e.stack).includes(s), 'the stack shows a secret');
      assert.ok(!String((e.cause as Error | undefined)?.message ?? '').includes(s), 'the cause shows a secret');
    }
    return true;
  });
}

describe('normalizeRegistryKey', () => {
  test('Docker Hub and its aliases become https://index.docker.io/v1/', () => {
    for (const h of ['', 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'https://index.docker.io/v1/', 'https://registry-1.docker.io/v2/', 'Docker.IO']) {
      assert.equal(normalizeRegistryKey(h), DOCKER_HUB_KEY, h);
    }
  });

  test('other registries become host[:port] without scheme or path', () => {
    assert.equal(normalizeRegistryKey('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(normalizeRegistryKey('https://Registry.Example.com:8443'), 'registry.example.com:8443');
    assert.equal(normalizeRegistryKey('http://registry.example.com/v2/'), 'registry.example.com');
    assert.equal(normalizeRegistryKey('ghcr.io/owner/repo'), 'ghcr.io');
    assert.equal(normalizeRegistryKey('[::1]:5000'), '[::1]:5000');
  });
});

describe('config.json without helpers', () => {
  test('store writes base64 user:password, creating the folder 0700 and the file 0600', async () => {
    const dir = join(configDir(), 'nested');
    const store = dockerCredentialStore({ configDir: dir, env });
    const { where, plaintext } = await store.store('127.0.0.1:5000', { username: 'alice', password: SECRET });
    assert.equal(where, join(dir, 'config.json'));
    assert.equal(plaintext, true);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(where), 0o600);
    assert.deepEqual(readConfig(dir), { auths: { '127.0.0.1:5000': { auth: b64(`alice:${SECRET}`) } } });
    assert.deepEqual(await store.get('127.0.0.1:5000'), { username: 'alice', password: SECRET });
    assert.deepEqual(await store.get('http://127.0.0.1:5000/v2/'), { username: 'alice', password: SECRET });
    assert.equal(await store.get('127.0.0.1:5001'), undefined);
    assert.equal(existsSync(join(dir, 'config.json.lock')), false);
  });

  test('every other key of the file survives, and the file ends 0600', async () => {
    const original = {
      auths: { 'other.example.com': { auth: b64('bob:x'), email: 'bob@example.com' } },
      psFormat: 'table {{.ID}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      plugins: { buildx: { enabled: 'true' } },
      currentContext: 'remote',
    };
    const dir = configDir(original);
    const store = dockerCredentialStore({ configDir: dir, env });
    await store.store('docker.io', { username: 'alice', password: SECRET });
    const after1 = readConfig(dir);
    assert.deepEqual({ ...after1, auths: undefined }, { ...original, auths: undefined });
    assert.deepEqual(after1.auths['other.example.com'], original.auths['other.example.com']);
    assert.deepEqual(after1.auths[DOCKER_HUB_KEY], { auth: b64(`alice:${SECRET}`) });
    assert.equal(mode(join(dir, 'config.json')), 0o600);
    assert.match(readFileSync(join(dir, 'config.json'), 'utf8'), /^{\n\t"auths"/); // docker's tab indent

    assert.equal(await store.erase('registry-1.docker.io'), true);
    assert.deepEqual(readConfig(dir), original);
    assert.equal(await store.erase('docker.io'), false);
  });

  test('a symlinked config.json is written through the link', async () => {
    const real = configDir({ auths: {} });
    const dir = join(tmp.path, `link-${++n}`);
    mkdirSync(dir);
    symlinkSync(join(real, 'config.json'), join(dir, 'config.json'));
    await dockerCredentialStore({ configDir: dir, env }).store('r.example.com', { username: 'u', password: SECRET });
    assert.ok(statSync(join(dir, 'config.json')).isFile());
    assert.equal(readConfig(real).auths['r.example.com'].auth, b64(`u:${SECRET}`));
  });

  test('entries written as URLs, Hub aliases, username/password fields and identity tokens are read', async () => {
    const dir = configDir({
      auths: {
        'https://secure.example.com:8443': { auth: b64('a:1') },
        'http://plain.example.com/v2/': { username: 'b', password: '2' },
        'docker.io': { auth: b64('hub:3') },
        'token.example.com': { identitytoken: 'refresh-me' },
        'empty.example.com': {},
      },
    });
    const store = dockerCredentialStore({ configDir: dir, env });
    assert.deepEqual(await store.get('secure.example.com:8443'), { username: 'a', password: '1' });
    assert.deepEqual(await store.get('plain.example.com'), { username: 'b', password: '2' });
    assert.deepEqual(await store.get('index.docker.io'), { username: 'hub', password: '3' });
    assert.deepEqual(await store.get('token.example.com'), { identityToken: 'refresh-me' });
    assert.equal(await store.get('empty.example.com'), undefined);
    assert.deepEqual(await store.list(), [DOCKER_HUB_KEY, 'plain.example.com', 'secure.example.com:8443', 'token.example.com']);
  });

  test('the exact key wins over an alias entry; erase removes both', async () => {
    const dir = configDir({ auths: { 'https://r.example.com': { auth: b64('old:1') }, 'r.example.com': { auth: b64('new:2') }, 'keep.example.com': { auth: b64('k:3') } } });
    const store = dockerCredentialStore({ configDir: dir, env });
    assert.deepEqual(await store.get('r.example.com'), { username: 'new', password: '2' });
    assert.equal(await store.erase('https://r.example.com/'), true);
    assert.deepEqual(Object.keys(readConfig(dir).auths), ['keep.example.com']);
  });

  test('DOCKER_CONFIG, then HOME, locate the file; a missing file means no credentials', async () => {
    const dir = configDir({ auths: { 'r.example.com': { auth: b64('u:p') } } });
    assert.equal(dockerConfigFile({ env: { DOCKER_CONFIG: dir } }), join(dir, 'config.json'));
    assert.equal(dockerConfigFile({ env: { HOME: '/home/someone' } }), '/home/someone/.docker/config.json');
    assert.deepEqual(await dockerCredentialStore({ env: { ...env, DOCKER_CONFIG: dir } }).get('r.example.com'), { username: 'u', password: 'p' });
    const empty = dockerCredentialStore({ configDir: configDir(), env });
    assert.equal(await empty.get('r.example.com'), undefined);
    assert.deepEqual(await empty.list(), []);
    assert.equal(await empty.erase('r.example.com'), false);
  });

  test('DOCKER_AUTH_CONFIG is read before the file', async () => {
    const dir = configDir({ auths: { 'r.example.com': { auth: b64('file:1') } } });
    const withEnv = { ...env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://r.example.com': { auth: b64('env:2') } } }) };
    const store = dockerCredentialStore({ configDir: dir, env: withEnv });
    assert.deepEqual(await store.get('r.example.com'), { username: 'env', password: '2' });
    assert.deepEqual(await store.list(), ['r.example.com']);
    await rejectsWithout(dockerCredentialStore({ configDir: dir, env: { ...env, DOCKER_AUTH_CONFIG: `{"auths": ${SECRET}` } }).get('x'), 'INVALID_ARGUMENT', /DOCKER_AUTH_CONFIG/);
  });

  test('concurrent stores all land', async () => {
    const dir = configDir();
    const store = dockerCredentialStore({ configDir: dir, env });
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.store(`r${i}.example.com`, { username: `u${i}`, password: `p${i}` })));
    assert.equal(Object.keys(readConfig(dir).auths).length, 8);
  });

  test('a malformed file is INVALID_ARGUMENT naming the file, never quoting it', async () => {
    const dir = configDir(`{\n  "auths": {"r.example.com": {"auth": "${b64(`u:${SECRET}`)}"}},\n  oops ${SECRET}\n}`);
    const store = dockerCredentialStore({ configDir: dir, env });
    await rejectsWithout(store.get('r.example.com'), 'INVALID_ARGUMENT', new RegExp(`${join(dir, 'config.json').replace(/[/.]/g, '\\$&')} is not valid JSON`), [SECRET, b64(`u:${SECRET}`)]);
    await rejectsWithout(store.store('r.example.com', { username: 'u', password: SECRET }), 'INVALID_ARGUMENT', /not valid JSON/);
    await rejectsWithout(dockerCredentialStore({ configDir: configDir(`{"auths": {"r": {"auth": "${SECRET}"}} `), env }).get('r'), 'INVALID_ARGUMENT', /line 1/);
  });

  test('a malformed auth entry is INVALID_ARGUMENT without the secret', async () => {
    const dir = configDir({ auths: { 'r.example.com': { auth: b64(`no-colon-${SECRET.replace(':', '')}`) } } });
    await rejectsWithout(dockerCredentialStore({ configDir: dir, env }).get('r.example.com'), 'INVALID_ARGUMENT', /"auth" of r\.example\.com/, [SECRET.replace(':', '')]);
  });

  test('a username with ":" is refused', async () => {
    await rejectsWithout(dockerCredentialStore({ configDir: configDir(), env }).store('r.example.com', { username: 'a:b', password: SECRET }), 'INVALID_ARGUMENT', /username/);
  });
});

describe('credential helpers', () => {
  test('credsStore keeps the secret in the helper and an empty entry in the file', async () => {
    resetHelper();
    const dir = configDir({ credsStore: 'berthtest', auths: { '127.0.0.1:5000': { auth: b64('stale:old') } } });
    const store = dockerCredentialStore({ configDir: dir, env });
    const { where, plaintext } = await store.store('127.0.0.1:5000', { username: 'alice', password: SECRET });
    assert.equal(where, 'docker-credential-berthtest');
    assert.equal(plaintext, false);
    assert.deepEqual(helperDb(), { '127.0.0.1:5000': { ServerURL: '127.0.0.1:5000', Username: 'alice', Secret: SECRET } });
    assert.deepEqual(readConfig(dir), { credsStore: 'berthtest', auths: { '127.0.0.1:5000': {} } });
    assert.ok(!readFileSync(join(dir, 'config.json'), 'utf8').includes(b64(`alice:${SECRET}`)));
    assert.equal(mode(join(dir, 'config.json')), 0o600);

    assert.deepEqual(await store.get('http://127.0.0.1:5000'), { username: 'alice', password: SECRET });
    const calls = readFileSync(join(binDir, 'berthtest-calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; input: string });
    assert.deepEqual(calls.at(-1), { action: 'get', input: '127.0.0.1:5000' });

    await store.store('docker.io', { username: 'hubber', password: 'hub-secret' });
    assert.equal(helperDb()[DOCKER_HUB_KEY]!.Username, 'hubber');
    assert.deepEqual(await store.list(), ['127.0.0.1:5000', DOCKER_HUB_KEY]);

    assert.equal(await store.get('not-there.example.com'), undefined);
    assert.equal(await store.erase('127.0.0.1:5000'), true);
    assert.equal(await store.get('127.0.0.1:5000'), undefined);
    assert.deepEqual(readConfig(dir).auths, { [DOCKER_HUB_KEY]: {} });
    assert.equal(await store.erase('127.0.0.1:5000'), false);
  });

  test('credHelpers choose a helper per registry; others use the file', async () => {
    resetHelper();
    const dir = configDir({ credHelpers: { 'https://ghcr.example.com': 'berthtest' }, auths: { 'plain.example.com': { auth: b64('p:1') } } });
    const store = dockerCredentialStore({ configDir: dir, env });
    assert.equal((await store.store('ghcr.example.com', { username: 'g', password: SECRET })).where, 'docker-credential-berthtest');
    assert.equal((await store.store('other.example.com', { username: 'o', password: '2' })).where, join(dir, 'config.json'));
    assert.deepEqual(await store.get('ghcr.example.com'), { username: 'g', password: SECRET });
    assert.deepEqual(await store.get('plain.example.com'), { username: 'p', password: '1' });
    assert.deepEqual(await store.list(), ['ghcr.example.com', 'other.example.com', 'plain.example.com']);
  });

  test('a helper entry with the username <token> is an identity token', async () => {
    writeFileSync(join(binDir, 'berthtest-store.json'), JSON.stringify({ 'r.example.com': { ServerURL: 'r.example.com', Username: '<token>', Secret: 'refresh-123' } }));
    const store = dockerCredentialStore({ configDir: configDir({ credsStore: 'berthtest' }), env });
    assert.deepEqual(await store.get('r.example.com'), { identityToken: 'refresh-123' });
  });

  test('a helper that is not on PATH is an IO error naming it', async () => {
    const store = dockerCredentialStore({ configDir: configDir({ credsStore: 'nosuchhelper' }), env });
    await rejectsWithout(store.get('r.example.com'), 'IO', /docker-credential-nosuchhelper is not on PATH/);
    await rejectsWithout(store.store('r.example.com', { username: 'u', password: SECRET }), 'IO', /docker-credential-nosuchhelper/);
  });

  test('a failing helper is an IO error naming it, and never shows the secret', async () => {
    const store = dockerCredentialStore({ configDir: configDir({ credsStore: 'berthbroken' }), env });
    await rejectsWithout(store.store('r.example.com', { username: 'u', password: SECRET }), 'IO', /docker-credential-berthbroken failed to store credentials for r\.example\.com: cannot store/);
    await rejectsWithout(store.get('r.example.com'), 'IO', /docker-credential-berthbroken answered "get" with something that is not JSON/);
    await rejectsWithout(store.erase('r.example.com'), 'IO', /docker-credential-berthbroken failed to erase credentials for r\.example\.com: the keychain is locked/);
    await rejectsWithout(store.list(), 'IO', /docker-credential-berthbroken failed to list credentials: list exploded/);
  });
});
