import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes, createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { SequentialFile } from '../src/engine/store/sequential-file';
import { ParallelDigester } from '../src/engine/oci/parallel-hash';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  const p = await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(200e6)] });
  const { request } = await import('undici');
  const d = p.layerDigests[0];
  for (let i = 0; i < 3; i++) {
    let t = Date.now();
    let res = await request(`${r.url}/v2/b/big/blobs/${d}`);
    for await (const c of res.body) { void c; }
    console.log('raw', Date.now() - t);
    rmSync('/tmp/x1', { force: true }); t = Date.now();
    res = await request(`${r.url}/v2/b/big/blobs/${d}`);
    let f = await SequentialFile.create('/tmp/x1');
    for await (const c of res.body) await f.write(c);
    await f.close();
    console.log('seqfile', Date.now() - t);
    rmSync('/tmp/x1', { force: true }); t = Date.now();
    res = await request(`${r.url}/v2/b/big/blobs/${d}`);
    const h = createHash('sha256');
    f = await SequentialFile.create('/tmp/x1');
    for await (const c of res.body) { h.update(c); await f.write(c); }
    await f.close();
    console.log('seqfile+hash', Date.now() - t);
    rmSync('/tmp/x1', { force: true }); t = Date.now();
    res = await request(`${r.url}/v2/b/big/blobs/${d}`);
    const ph = new ParallelDigester();
    f = await SequentialFile.create('/tmp/x1', { onBlock: (b, l) => ph.update(b, l) });
    for await (const c of res.body) { await f.write(c); }
    await f.close(); await ph.digest(); await ph.close();
    console.log('seqfile+parallel', Date.now() - t);
  }
  await r.stop();
})();
