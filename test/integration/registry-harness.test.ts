// The test registry itself: each auth mode answers /v2/ as a registry of that kind does, the token
// endpoint tells good credentials from bad, and pushTestImage puts images that skopeo reads back.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { missingRegistryTools, pushTestImage, startRegistry, TOKEN_SERVICE, type Registry } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const missing = missingRegistryTools();

test('the programs the registry tests need are installed', () => {
  assert.deepEqual(missing, [], `install them (run .ci/run): ${missing.join(', ')}`);
});

const basicHeader = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** `skopeo inspect` of an image, isolated from the user's own credentials. */
async function skopeoDigest(registry: Registry, ref: string, creds?: string): Promise<string> {
  const dir = tempDir('berth-inspect-');
  try {
    const authFile = join(dir.path, 'auth.json');
    writeFileSync(authFile, '{"auths":{}}');
    const args = ['inspect', '--tls-verify=false', '--authfile', authFile, ...(creds ? ['--creds', creds] : []), `docker://${registry.host}/${ref}`];
    return (JSON.parse((await run('skopeo', args)).stdout) as { Digest: string }).Digest;
  } finally {
    dir.cleanup();
  }
}

describe('registry without auth', () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry({ auth: 'none' });
  });
  after(() => registry?.stop());

  test('/v2/ answers 200 on a loopback address', async () => {
    assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
    assert.equal(registry.url, `http://${registry.host}`);
    assert.equal((await get(`${registry.url}/v2/`)).status, 200);
  });

  test('pushTestImage puts an image that skopeo inspects', async () => {
    const pushed = await pushTestImage(registry, 'harness/plain', 'v1', { layers: [Buffer.from('one'), Buffer.from('two')] });
    assert.match(pushed.manifestDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(pushed.layerDigests.length, 2);
    assert.equal(await skopeoDigest(registry, 'harness/plain:v1'), pushed.manifestDigest);
    const manifest = JSON.parse((await get(`${registry.url}/v2/harness/plain/manifests/v1`, { accept: 'application/vnd.oci.image.manifest.v1+json' })).body) as { config: { digest: string } };
    assert.equal(manifest.config.digest, pushed.configDigest);
    assert.equal(registry.tokenRequests, 0);
  });

  test('stop ends the registry and keeps its log readable', async () => {
    const other = await startRegistry();
    await other.stop();
    await assert.rejects(get(`${other.url}/v2/`), /ECONNREFUSED|connect/);
    assert.match(other.log(), /listening on 127\.0\.0\.1/);
    await other.stop(); // twice is harmless
  });
});

describe('registry with basic auth', () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry({ auth: 'basic', users: { alice: 'wonder-1', bob: 'builder-2' } });
  });
  after(() => registry?.stop());

  test('/v2/ asks for basic credentials and checks them', async () => {
    const anonymous = await get(`${registry.url}/v2/`);
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic realm="berth-test"/);
    assert.equal((await get(`${registry.url}/v2/`, { authorization: basicHeader('alice', 'wrong') })).status, 401);
    assert.equal((await get(`${registry.url}/v2/`, { authorization: basicHeader('alice', 'wonder-1') })).status, 200);
    assert.equal((await get(`${registry.url}/v2/`, { authorization: basicHeader('bob', 'builder-2') })).status, 200);
  });

  test('pushTestImage pushes with credentials that skopeo needs to read it back', async () => {
    const pushed = await pushTestImage(registry, 'harness/basic', 'v1', { creds: { username: 'bob', password: 'builder-2' } });
    assert.equal(await skopeoDigest(registry, 'harness/basic:v1', 'alice:wonder-1'), pushed.manifestDigest);
    await assert.rejects(skopeoDigest(registry, 'harness/basic:v1'), /unauthorized|authentication required/i);
  });
});

describe('registry with token auth', () => {
  let registry: Registry;
  let pushed: { manifestDigest: string };
  before(async () => {
    registry = await startRegistry({ auth: 'token', users: { carol: 'token-pass-3' } });
    pushed = await pushTestImage(registry, 'harness/token', 'v1');
  });
  after(() => registry?.stop());

  async function token(query: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await get(`${registry.tokenRealm}?service=${TOKEN_SERVICE}${query}`, headers);
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  }

  test('/v2/ challenges with a bearer realm served by the harness', async () => {
    const res = await get(`${registry.url}/v2/`);
    assert.equal(res.status, 401);
    const challenge = String(res.headers['www-authenticate']);
    assert.match(challenge, /^Bearer /);
    assert.ok(challenge.includes(`realm="${registry.tokenRealm}"`), challenge);
    assert.ok(challenge.includes(`service="${TOKEN_SERVICE}"`), challenge);
  });

  test('the token endpoint rejects a bad password and accepts a good one', async () => {
    const before = registry.tokenRequests;
    const bad = await token('&scope=repository:harness/token:pull', { authorization: basicHeader('carol', 'nope') });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.token, undefined);
    const good = await token('&scope=repository:harness/token:pull', { authorization: basicHeader('carol', 'token-pass-3') });
    assert.equal(good.status, 200);
    assert.equal(typeof good.json.token, 'string');
    assert.equal(good.json.access_token, good.json.token);
    assert.equal(good.json.expires_in, 300);
    assert.ok(!Number.isNaN(Date.parse(String(good.json.issued_at))));
    assert.equal(registry.tokenRequests, before + 2);

    const tags = await get(`${registry.url}/v2/harness/token/tags/list`, { authorization: `Bearer ${good.json.token}` });
    assert.equal(tags.status, 200);
    assert.deepEqual(JSON.parse(tags.body), { name: 'harness/token', tags: ['v1'] });
  });

  test('an anonymous token opens /v2/ but no repository', async () => {
    const anonymous = await token('&scope=repository:harness/token:pull');
    assert.equal(anonymous.status, 200);
    const auth = { authorization: `Bearer ${anonymous.json.token}` };
    assert.equal((await get(`${registry.url}/v2/`, auth)).status, 200);
    assert.equal((await get(`${registry.url}/v2/harness/token/tags/list`, auth)).status, 401);
  });

  test('the OAuth2 form: a password grant gives a refresh token that the refresh grant accepts', async () => {
    const post = async (form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await request(registry.tokenRealm!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
    };
    const scope = 'repository:harness/token:pull';
    assert.equal((await post({ grant_type: 'password', username: 'carol', password: 'bad', service: TOKEN_SERVICE, scope })).status, 401);
    const first = await post({ grant_type: 'password', username: 'carol', password: 'token-pass-3', service: TOKEN_SERVICE, scope, access_type: 'offline', client_id: 'berth' });
    assert.equal(first.status, 200);
    assert.equal(typeof first.json.refresh_token, 'string');
    const second = await post({ grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token), service: TOKEN_SERVICE, scope, client_id: 'berth' });
    assert.equal(second.status, 200);
    const tags = await get(`${registry.url}/v2/harness/token/tags/list`, { authorization: `Bearer ${second.json.access_token}` });
    assert.equal(tags.status, 200);
    assert.equal((await post({ grant_type: 'refresh_token', refresh_token: 'forged', service: TOKEN_SERVICE, scope })).status, 401);
  });

  test('pushTestImage pushed through the token flow, and skopeo reads it back', async () => {
    assert.equal(await skopeoDigest(registry, 'harness/token:v1', 'carol:token-pass-3'), pushed.manifestDigest);
    await assert.rejects(skopeoDigest(registry, 'harness/token:v1', 'carol:wrong'), /unauthorized|401|authentication required/i);
  });
});
