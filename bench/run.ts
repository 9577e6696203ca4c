// Every benchmark, in one run: prints each figure with its ratio against the peer measured here.
import { benchImages } from './images';
import { benchSaveLoad, report } from './save-load';
import { benchRegistry, ingestLine } from './registry';
import { benchBuild, reportTime } from './build';
import { benchLsp, reportLsp } from './lsp';

async function main(): Promise<void> {
  const r = await benchSaveLoad();
  console.log(report('save 200 MB', r.size, r.save, 2));
  console.log(report('load 200 MB', r.size, r.load, 2));
  const g = await benchRegistry();
  console.log(report('pull 200 MB', g.size, g.pull, 2));
  console.log(report('push 200 MB', g.size, g.push, 1.5));
  console.log(ingestLine(g.ingest, g.push[1]));
  const i = await benchImages();
  console.log(`berth images, ${i.lines} tags: ${i.ms.toFixed(0)} ms (median of 7; target < 300 ms) ${i.ms < 300 ? 'OK' : 'SLOW'}`);
  const b = await benchBuild();
  console.log(reportTime('build 200 MB context', b.context, 0.7));
  console.log(reportTime('no-change rebuild, 10 steps', b.rebuild, 0.5));
  for (const line of reportLsp(await benchLsp())) console.log(line);
}

void main();
