// What the Registries view asks of the engine, against the real registry: the tags of a repository and
// the digest a tag names (for Copy Digest), checked against what skopeo pushed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BundledEngine } from '../../src/engine/engine';
import { startRegistry, pushTestImage, type Registry, type PushedImage } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let engine: BundledEngine;
let pushed: PushedImage;

before(async () => {
  dir = tempDir('berth-browse-');
  registry = await startRegistry();
  pushed = await pushTestImage(registry, 'browse/app', 'v1');
  await pushTestImage(registry, 'browse/app', 'v2');
  engine = await BundledEngine.open(join(dir.path, 'store'), { env: { ...process.env, DOCKER_CONFIG: join(dir.path, 'docker') } });
});
after(async () => {
  await engine.close();
  await registry.stop();
  dir.cleanup();
});

test('the tags of a repository, and the digest a tag names', async () => {
  assert.deepEqual((await engine.listTags(`${registry.host}/browse/app`)).sort(), ['v1', 'v2']);
  assert.equal(await engine.remoteDigest(`${registry.host}/browse/app:v1`), pushed.manifestDigest);
  assert.equal(await engine.remoteDigest(`${registry.host}/browse/app@${pushed.manifestDigest}`), pushed.manifestDigest);
});

test('an unknown tag or repository is a clear error', async () => {
  await assert.rejects(engine.remoteDigest(`${registry.host}/browse/app:nope`), (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && /nope/.test(e.message));
  await assert.rejects(engine.listTags(`${registry.host}/browse/missing`), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
});
