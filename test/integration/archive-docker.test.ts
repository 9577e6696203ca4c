// Interoperability with a real dockerd 20.10: `docker load` reads Berth's save with the same image
// ID (and the image runs), and Berth loads what `docker save` writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { importImage } from '../../src/engine/archive/import';
import { loadImages } from '../../src/engine/archive/load';
import { saveToFile } from '../../src/engine/archive/save';
import { listImages } from '../../src/engine/store/images';
import { Store } from '../../src/engine/store/store';
import { canRunDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';


let dir: { path: string; cleanup: () => void };
let store: Store;
let dockerd: Dockerd | undefined;
let id: string;
let idGz: string;

before(async () => {
  assert.ok(canRunDockerd(), 'these tests need root and dockerd from Debian docker.io: run .ci/run, or apt-get install docker.io');
  dir = tempDir('berth-docker-');
  store = await Store.open(join(dir.path, 'store'));
  const plain = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));
  const gz = makeBusyboxTarball(join(dir.path, 'rootfs.tar.gz'), { gzip: true });
  id = (await importImage(store, createReadStream(plain), { sourceName: plain, tag: 'docker.io/library/bb:latest', changes: ['CMD ["/bin/sh"]'] })).id;
  idGz = (await importImage(store, createReadStream(gz), { sourceName: gz, tag: 'localhost:5000/team/bb:gz', changes: ['ENV GREETING=hello'] })).id;
  dockerd = await startDockerd();
});

after(async () => {
  await dockerd?.stop();
  dir?.cleanup();
});

test('docker load reads Berth\'s save with the same image IDs, and the image runs', async () => {
  const file = join(dir.path, 'berth-save.tar');
  await saveToFile(store, ['bb:latest', 'localhost:5000/team/bb:gz'], file, { format: 'docker' });
  const out = await dockerd!.docker(['load', '-i', file]);
  assert.match(out, /Loaded image: bb:latest/);
  assert.match(out, /Loaded image: localhost:5000\/team\/bb:gz/);
  assert.equal((await dockerd!.docker(['image', 'inspect', '--format', '{{.Id}}', 'bb:latest'])).trim(), id);
  assert.equal((await dockerd!.docker(['image', 'inspect', '--format', '{{.Id}}', 'localhost:5000/team/bb:gz'])).trim(), idGz);
  const echo = await dockerd!.docker(['run', '--rm', '--network', 'none', 'localhost:5000/team/bb:gz', '/bin/sh', '-c', 'echo $GREETING from $(cat /etc/passwd | cut -d: -f1)']);
  assert.equal(echo.trim(), 'hello from root');
});

test('Berth loads what docker save writes, with the same image IDs', async () => {
  const file = join(dir.path, 'docker-save.tar');
  await dockerd!.docker(['tag', 'bb:latest', 'bb:second']);
  await dockerd!.docker(['save', '-o', file, 'bb:latest', 'bb:second', 'localhost:5000/team/bb:gz']);
  const fresh = await Store.open(join(dir.path, 'fresh'));
  const r = await loadImages(fresh, createReadStream(file), { sourceName: file });
  assert.deepEqual(
    [...r.loaded].sort((a, b) => a.tag!.localeCompare(b.tag!)),
    [
      { tag: 'bb:latest', id },
      { tag: 'bb:second', id },
      { tag: 'localhost:5000/team/bb:gz', id: idGz },
    ],
  );
  const images = await listImages(fresh);
  assert.deepEqual(images.map((i) => i.id).sort(), [id, idGz].sort());
});
