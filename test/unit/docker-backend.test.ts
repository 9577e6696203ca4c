// The pure parts of the Docker Engine backend: addresses, version negotiation, query strings, the
// engine's message streams and their mapping to Berth's events and records, and the auth headers
// (from a real credential store in a temporary DOCKER_CONFIG). The daemon itself is exercised in
// test/integration/docker-backend.test.ts; Docker Hub's search through the engine only here, by its
// answer's mapping, since the machine has no internet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseHost, resolveEngineAddress } from '../../src/engine/docker/address';
import { lowerVersion, namePath, queryString, unreachableMessage } from '../../src/engine/docker/client';
import { jsonMessages, throwIfError, type EngineMessage } from '../../src/engine/docker/messages';
import { pullEventOf, pushEventOf, registryAuthHeader } from '../../src/engine/docker/registry-ops';
import { buildLineEvents, registryConfigHeader } from '../../src/engine/docker/build';
import { recordOfSummary } from '../../src/engine/docker/images';
import { searchResultOf } from '../../src/engine/docker/registry-side';
import { parseEngineKind } from '../../src/engine/choose';
import { dockerCredentialStore } from '../../src/engine/remote/credentials';
import { isBerthError } from '../../src/engine/errors';
import { tempDir } from '../helpers/tmp';

test('DOCKER_HOST forms: unix, tcp (TLS on 2376 or with DOCKER_TLS_VERIFY), and refused schemes', () => {
  assert.deepEqual(parseHost('unix:///run/user/1000/docker.sock'), { kind: 'unix', socketPath: '/run/user/1000/docker.sock', display: 'unix:///run/user/1000/docker.sock' });
  assert.deepEqual(parseHost('tcp://10.0.0.5:2375'), { kind: 'tcp', origin: 'http://10.0.0.5:2375', display: 'tcp://10.0.0.5:2375' });
  const tls = parseHost('tcp://build.example:2376', { DOCKER_CERT_PATH: '/nonexistent' });
  assert.equal(tls.kind === 'tcp' && tls.origin, 'https://build.example:2376');
  assert.equal(tls.kind === 'tcp' && tls.tls?.verify, false);
  const verified = parseHost('tcp://build.example', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' });
  assert.equal(verified.kind === 'tcp' && verified.origin, 'https://build.example:2376');
  assert.equal(verified.kind === 'tcp' && verified.tls?.verify, true);
  assert.throws(() => parseHost('ssh://me@build'), (e: Error) => isBerthError(e, 'UNSUPPORTED') && /ssh -L/.test(e.message));
  assert.throws(() => parseHost('unix://'), (e: Error) => isBerthError(e, 'INVALID_ARGUMENT'));
});

test('without DOCKER_HOST: docker\'s socket, else Podman\'s, else docker\'s default for the message', () => {
  const exists = (paths: string[]) => (p: string): boolean => paths.includes(p);
  assert.equal(resolveEngineAddress({ env: { XDG_RUNTIME_DIR: '/run/user/7' }, exists: exists(['/var/run/docker.sock', '/run/user/7/podman/podman.sock']) }).display, 'unix:///var/run/docker.sock');
  assert.equal(resolveEngineAddress({ env: { XDG_RUNTIME_DIR: '/run/user/7' }, exists: exists(['/run/user/7/podman/podman.sock']) }).display, 'unix:///run/user/7/podman/podman.sock');
  assert.equal(resolveEngineAddress({ env: {}, exists: exists([]) }).display, 'unix:///var/run/docker.sock');
  assert.equal(resolveEngineAddress({ env: { DOCKER_HOST: 'tcp://a:1' }, host: 'unix:///x.sock', exists: exists([]) }).display, 'unix:///x.sock');
});

test('the API version is the lower of the server\'s and Berth\'s; query strings and name paths', () => {
  assert.equal(lowerVersion('1.43', '1.41'), '1.41');
  assert.equal(lowerVersion('1.40', '1.41'), '1.40');
  assert.equal(lowerVersion('1.9', '1.41'), '1.9');
  assert.equal(queryString({ t: ['a:1', 'b'], nocache: undefined, pull: 1, f: '{"x":1}' }), '?t=a%3A1&t=b&pull=1&f=%7B%22x%22%3A1%7D');
  assert.equal(queryString({}), '');
  assert.equal(namePath('127.0.0.1:5000/team/app:1'), '127.0.0.1:5000/team/app:1');
  assert.equal(namePath('a?b#c'), 'a%3Fb%23c');
});

test('an unreachable engine\'s message names the address and what to do', () => {
  const m = unreachableMessage('unix:///var/run/docker.sock', 'EACCES');
  assert.match(m, /^cannot reach the Docker engine at unix:\/\/\/var\/run\/docker\.sock: permission denied \(add your user to the "docker" group/);
  assert.match(m, /DOCKER_HOST/);
  assert.match(unreachableMessage('tcp://h:2375', 'ECONNREFUSED'), /tcp:\/\/h:2375: connection refused\./);
  assert.match(unreachableMessage('tcp://h:2376', 'SELF_SIGNED_CERT_IN_CHAIN', true), /tcp:\/\/h:2376: its TLS certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\); put the CA that signed it in DOCKER_CERT_PATH as ca\.pem\./);
});

test('message streams split anywhere are parsed whole; an error message throws with the engine\'s words', async () => {
  const text = '{"status":"Pulling fs layer","id":"abc"}\r\n{"status":"Down' + 'loading","id":"abc","progressDetail":{"current":5,"total":10}}\n{"error":"boom","errorDetail":{"message":"manifest unknown"}}';
  const chunks = [...Buffer.from(text)].map((b) => Buffer.from([b]));
  const messages: EngineMessage[] = [];
  for await (const m of jsonMessages(Readable.from(chunks))) messages.push(m);
  assert.equal(messages.length, 3);
  assert.deepEqual(pullEventOf(messages[1]!, 'r'), { type: 'layer', id: 'abc', status: 'Downloading', current: 5, total: 10 });
  assert.throws(() => throwIfError(messages[2]!, 'pulling "x"'), (e: Error) => isBerthError(e, 'NOT_FOUND') && e.message === 'pulling "x": manifest unknown');
  assert.throws(() => throwIfError({ error: 'unauthorized: authentication required' }, 'pushing'), (e: Error) => isBerthError(e, 'UNAUTHORIZED'));
});

test('pull and push messages become Berth\'s events', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(pullEventOf({ status: `Digest: ${d}` }, 'r'), { type: 'digest', digest: d });
  assert.deepEqual(pullEventOf({ status: 'Status: Image is up to date for busybox:1' }, 'docker.io/library/busybox:1'), { type: 'status', upToDate: true, reference: 'docker.io/library/busybox:1' });
  assert.equal(pullEventOf({ status: 'latest: Pulling from library/busybox', id: 'latest' }, 'r'), undefined);
  assert.deepEqual(pushEventOf({ status: 'Layer already exists', id: 'f00' }), { type: 'layer', id: 'f00', status: 'Layer already exists', current: undefined, total: undefined });
  assert.deepEqual(pushEventOf({ status: 'Mounted from team/base', id: 'f00' }), { type: 'layer', id: 'f00', status: 'Mounted from', from: 'team/base' });
  assert.deepEqual(pushEventOf({ aux: { Tag: '1', Digest: d, Size: 528 } }), { type: 'done', tag: '1', digest: d, size: 528 });
});

test('the legacy builder\'s lines become build events; the rest is output', () => {
  const id = `sha256:${'b'.repeat(64)}` as const;
  const events = buildLineEvents(() => id)('Step 2/3 : RUN echo hi\n ---> Running in 0123abcd\nhi\nRemoving intermediate container 0123abcd\n ---> 4567\n');
  assert.deepEqual(events.map((e) => (e.type === 'output' ? `output:${e.chunk.toString()}` : e.type)), ['step', 'run', 'output:hi\n', 'removed', 'output: ---> 4567\n']);
  assert.deepEqual(buildLineEvents(() => id)('Successfully built bbbbbbbbbbbb\nSuccessfully tagged app:1\n'), [{ type: 'built', id }, { type: 'tagged', name: 'docker.io/library/app:1' }]);
  assert.deepEqual(buildLineEvents(() => undefined)(' ---> Using cache\n'), [{ type: 'cache' }]);
});

test('engine summaries become Berth records: full names, <none> dropped, intermediate marked', () => {
  const id = `sha256:${'c'.repeat(64)}`;
  const r = recordOfSummary({ Id: id, RepoTags: ['busybox:1', '<none>:<none>'], RepoDigests: [`busybox@sha256:${'d'.repeat(64)}`], Created: 1_700_000_000, Size: 42 }, false);
  assert.deepEqual(r.tags, ['docker.io/library/busybox:1']);
  assert.deepEqual(r.repoDigests, [`docker.io/library/busybox@sha256:${'d'.repeat(64)}`]);
  assert.equal(r.created, '2023-11-14T22:13:20.000Z');
  assert.equal(r.manifest.digest, `sha256:${'d'.repeat(64)}`);
  assert.equal(recordOfSummary({ Id: id, RepoTags: null, Created: 0, Size: 1 }, true).intermediate, true);
  assert.equal(recordOfSummary({ Id: id, RepoTags: ['<none>:<none>'], Created: 0, Size: 1 }, false).intermediate, undefined);
});

test('X-Registry-Auth and X-Registry-Config carry the stored credentials as base64url JSON', async () => {
  const dir = tempDir('berth-docker-auth-');
  try {
    mkdirSync(join(dir.path, 'docker'));
    const credentials = dockerCredentialStore({ env: { DOCKER_CONFIG: join(dir.path, 'docker'), HOME: dir.path } });
    await credentials.store('registry.example:5000', { username: 'ann', password: 'p/w+=' });
    const decode = (h: string): unknown => JSON.parse(Buffer.from(h, 'base64url').toString());
    assert.deepEqual(decode(await registryAuthHeader(credentials, 'registry.example:5000')), { username: 'ann', password: 'p/w+=', serveraddress: 'registry.example:5000' });
    assert.deepEqual(decode(await registryAuthHeader(credentials, 'docker.io')), {});
    assert.deepEqual(decode(await registryConfigHeader(credentials)), { 'registry.example:5000': { username: 'ann', password: 'p/w+=', serveraddress: 'registry.example:5000' } });
  } finally {
    dir.cleanup();
  }
});

test('Docker Hub search answers map to results; engine names are checked', () => {
  assert.deepEqual(searchResultOf({ name: 'nginx', description: 'Official build of Nginx.', star_count: 20466, is_official: true, is_automated: false }), { name: 'nginx', description: 'Official build of Nginx.', starCount: 20466, isOfficial: true, isAutomated: false });
  assert.deepEqual(searchResultOf({ name: 'x/y' }), { name: 'x/y', description: '', starCount: 0, isOfficial: false, isAutomated: false });
  assert.equal(parseEngineKind(' Docker ', '--engine'), 'docker');
  assert.throws(() => parseEngineKind('podman', 'BERTH_ENGINE'), (e: Error) => isBerthError(e, 'INVALID_ARGUMENT') && e.message === 'BERTH_ENGINE "podman" is not an engine; use one of: bundled, docker');
});
