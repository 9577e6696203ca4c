import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, pushTestImage } from '../test/helpers/registry';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  const root = '/tmp/pp'; rmSync(root, { recursive: true, force: true }); mkdirSync(join(root, 'layer/data'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(root, 'layer/data', `f${i}`), randomBytes(10e6));
  const tar = execFileSync('tar', ['-C', join(root, 'layer'), '-cf', '-', '.'], { maxBuffer: 1 << 30 });
  await pushTestImage(r, 'b/big', '1', { layers: [tar] });
  for (let i = 0; i < 6; i++) {
    rmSync('/tmp/pp/s', { recursive: true, force: true });
    const t = Date.now();
    const res = spawnSync(process.execPath, [...(i === 99 ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pprof'] : []), 'dist/cli.js', '--root', '/tmp/pp/s', 'pull', '-q', `${r.host}/b/big:1`], { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: '/tmp/pp/d' } });
    console.log('pull', Date.now() - t, 'ms', res.status, res.stderr);
  }
  await r.stop();
})();
