import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes } from 'node:crypto';
import { execSync } from 'node:child_process';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  const p = await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(200e6)] });
  for (let i = 0; i < 4; i++) {
    console.log(execSync(`curl -s -o /dev/null -w '%{time_total} %{speed_download}\\n' ${r.url}/v2/b/big/blobs/${p.layerDigests[0]}`).toString().trim());
  }
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    execSync(`skopeo copy -q --src-tls-verify=false docker://${r.host}/b/big:1 oci:/tmp/sk${i}:x`);
    console.log('skopeo', Date.now() - t);
    execSync(`rm -rf /tmp/sk${i}`);
  }
  await r.stop();
})();
