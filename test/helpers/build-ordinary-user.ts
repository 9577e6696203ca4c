// Run by build-sandbox.test.ts as an ordinary user (setpriv --reuid): unpacks the busybox image into
// the folder given as argument, runs a RUN over it and prints what happened as JSON on stdout.
import { join } from 'node:path';
import { changeTar } from '../../src/engine/build/diff';
import { sandboxIdMap } from '../../src/engine/build/id-map';
import { unpackLayer } from '../../src/engine/build/rootfs';
import { runInSandbox } from '../../src/engine/build/sandbox';
import { bytesOf, listTar, tarWith } from './build-rootfs';
import { makeBusyboxTarball } from './rootfs';
import { createReadStream, readdirSync } from 'node:fs';

async function main(work: string): Promise<void> {
  const lower = join(work, 'rootfs');
  await unpackLayer(createReadStream(makeBusyboxTarball(join(work, 'busybox.tar'))), lower, { source: 'busybox' });
  // a layer whose files belong to another user cannot be unpacked by an ordinary user
  const foreign = await unpackLayer((async function* () {
    yield await tarWith([{ name: 'owned', content: 'x', uid: 1000 }]);
  })(), join(work, 'other'), { source: 'foreign' }).then(() => 'unpacked', (e: { code?: string }) => e.code);
  let stdout = '';
  const result = await runInSandbox({
    lower, command: ['/bin/sh', '-c', 'id -u; cat /proc/self/uid_map; rm -rf /etc && mkdir /etc && echo x > /etc/new && mkdir -m 0 /locked'], env: [], workdir: '/', network: 'none',
    onOutput: (c) => (stdout += c),
  });
  const entries = (await listTar(await bytesOf(changeTar({ upper: result.upper, lower })))).map((e) => `${e.name} ${e.uid}:${e.gid} ${e.mode.toString(8)}`);
  await result.cleanup();
  const left = readdirSync(work).sort();
  process.stdout.write(JSON.stringify({ ids: sandboxIdMap(), exitCode: result.exitCode, stdout, entries, foreign, left }));
}

main(process.argv[2]!).catch((e: Error) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
