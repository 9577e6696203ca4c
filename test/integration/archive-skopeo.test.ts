// Interoperability with skopeo: what Berth imports and saves, skopeo reads; what skopeo writes, Berth loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importImage } from '../../src/engine/archive/import';
import { loadImages } from '../../src/engine/archive/load';
import { saveToFile } from '../../src/engine/archive/save';
import { digestOf } from '../../src/engine/oci/digest';
import type { ImageManifest } from '../../src/engine/oci/types';
import { listImages, resolveImage } from '../../src/engine/store/images';
import { Store } from '../../src/engine/store/store';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const SKOPEO = '/usr/bin/skopeo';

async function skopeo(...args: string[]): Promise<string> {
  return (await run(SKOPEO, args, { maxBuffer: 16 << 20 })).stdout;
}

let dir: { path: string; cleanup: () => void };
let store: Store;
let id: string;

before(async () => {
  assert.ok(existsSync(SKOPEO) && existsSync('/usr/bin/busybox'), 'these tests need skopeo and busybox-static: run .ci/run, or apt-get install skopeo busybox-static');
  dir = tempDir('berth-skopeo-');
  store = await Store.open(join(dir.path, 'store'));
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar.gz'), { gzip: true });
  id = (await importImage(store, createReadStream(tarball), { sourceName: tarball, tag: 'docker.io/library/bb:latest', changes: ['CMD ["/bin/sh"]'] })).id;
});
after(() => dir?.cleanup());

test('skopeo reads an imported image straight from the store', async () => {
  const info = JSON.parse(await skopeo('inspect', `oci:${store.root}:docker.io/library/bb:latest`)) as { Layers: string[]; Os: string };
  assert.equal(info.Os, 'linux');
  assert.equal(info.Layers.length, 1);
  const config = await skopeo('inspect', '--raw', '--config', `oci:${store.root}:docker.io/library/bb:latest`);
  assert.equal(digestOf(config), id);
});

test('skopeo copies Berth\'s docker-format save; the layer it stores is the uncompressed rootfs', async () => {
  const file = join(dir.path, 'bb-docker.tar');
  await saveToFile(store, ['bb:latest'], file, { format: 'docker' });
  const out = join(dir.path, 'from-docker-archive');
  await skopeo('copy', '-q', `docker-archive:${file}`, `oci:${out}:x`);
  const info = JSON.parse(await skopeo('inspect', `docker-archive:${file}`)) as { RepoTags: string[]; Layers: string[] };
  const config = JSON.parse(readFileSync(store.blobs.path(id as never), 'utf8')) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(info.Layers, config.rootfs.diff_ids);
  assert.ok(existsSync(join(out, 'index.json')));
});

test('skopeo copies Berth\'s OCI-format save by its full reference, keeping the image ID', async () => {
  const file = join(dir.path, 'bb-oci.tar');
  await saveToFile(store, ['bb:latest'], file, { format: 'oci' });
  const out = join(dir.path, 'from-oci-archive');
  await skopeo('copy', '-q', `oci-archive:${file}:docker.io/library/bb:latest`, `oci:${out}:y`);
  const config = await skopeo('inspect', '--raw', '--config', `oci:${out}:y`);
  assert.equal(digestOf(config), id);
});

test('Berth loads what skopeo writes as docker-archive: and oci-archive:', async () => {
  const other = await Store.open(join(dir.path, 'other'));
  const dockerFile = join(dir.path, 'sk-docker.tar');
  await skopeo('copy', '-q', `oci:${store.root}:docker.io/library/bb:latest`, `docker-archive:${dockerFile}:example.com/team/bb:v1`);
  const fromDocker = await loadImages(other, createReadStream(dockerFile), { sourceName: dockerFile });
  // skopeo keeps the config bytes (and links the layer file from a v1 folder), so the ID survives.
  assert.deepEqual(fromDocker.loaded, [{ tag: 'example.com/team/bb:v1', id }]);
  const ociFile = join(dir.path, 'sk-oci.tar');
  await skopeo('copy', '-q', `oci:${store.root}:docker.io/library/bb:latest`, `oci-archive:${ociFile}:docker.io/library/bb:oci`);
  const fromOci = await loadImages(other, createReadStream(ociFile), { sourceName: ociFile });
  assert.deepEqual(fromOci.loaded, [{ tag: 'bb:oci', id }]);
  const image = (await resolveImage(other, 'bb:oci')).image;
  const manifest = await other.blobs.readJson<ImageManifest>(image.manifest.digest);
  assert.equal(manifest.layers.length, 1);
  await skopeo('inspect', `oci:${other.root}:docker.io/library/bb:oci`);
});

test('save then load keeps the image ID, in both formats', async () => {
  for (const format of ['docker', 'oci'] as const) {
    const file = join(dir.path, `round-${format}.tar`);
    await saveToFile(store, ['bb'], file, { format });
    const fresh = await Store.open(join(dir.path, `round-${format}`));
    const r = await loadImages(fresh, createReadStream(file), { sourceName: file });
    assert.deepEqual(r.loaded, [{ tag: 'bb:latest', id }]);
    assert.deepEqual((await listImages(fresh)).map((i) => i.id), [id]);
    await skopeo('inspect', `oci:${fresh.root}:docker.io/library/bb:latest`);
  }
});
