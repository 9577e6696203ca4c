import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes, createHash } from 'node:crypto';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  const p = await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(200e6)] });
  const { request, Agent } = await import('undici');
  const http = await import('node:http');
  const d = p.layerDigests[0];
  for (let i = 0; i < 3; i++) {
    let t = Date.now(); let n = 0;
    const res = await request(`${r.url}/v2/b/big/blobs/${d}`);
    for await (const c of res.body) n += c.length;
    console.log('undici raw', Date.now() - t, n);
    t = Date.now(); n = 0;
    const h = createHash('sha256');
    const res2 = await request(`${r.url}/v2/b/big/blobs/${d}`);
    for await (const c of res2.body) { n += c.length; h.update(c); }
    console.log('undici+hash', Date.now() - t);
    t = Date.now();
    await new Promise<void>((ok) => http.get(`${r.url}/v2/b/big/blobs/${d}`, (res3) => { res3.on('data', () => {}); res3.on('end', ok); }));
    console.log('http raw', Date.now() - t);
  }
  await r.stop();
})();
