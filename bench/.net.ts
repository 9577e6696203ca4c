import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes, createHash } from 'node:crypto';
import { connect } from 'node:net';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  const p = await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(200e6)] });
  const [host, port] = r.host.split(':');
  for (let i = 0; i < 4; i++) {
    const t = Date.now();
    await new Promise<void>((resolve) => {
      let n = 0; const h = createHash('sha256');
      const buf = Buffer.allocUnsafe(4 << 20);
      const s = connect({ host, port: Number(port), onread: { buffer: buf, callback: (len: number, b: Buffer) => { n += len; h.update(b.subarray(0, len)); return true; } } } as any, () => {
        s.write(`GET /v2/b/big/blobs/${p.layerDigests[0]} HTTP/1.1\r\nHost: ${r.host}\r\nConnection: close\r\n\r\n`);
      });
      s.on('end', () => { console.log('net onread+hash', Date.now() - t, n); resolve(); });
    });
  }
  await r.stop();
})();
