import { spawnSync } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes } from 'node:crypto';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(200e6)] });
  const env = { ...process.env, DOCKER_CONFIG: '/tmp/dd/d', NODE_DEBUG: '' };
  for (let i = 0; i < 3; i++) {
    rmSync('/tmp/dd', { recursive: true, force: true });
    const t = Date.now();
    const x = spawnSync(process.execPath, ['-r', './bench/.hook.js', 'dist/cli.js', '--root', '/tmp/dd/s', 'pull', '-q', `${r.host}/b/big:1`], { encoding: 'utf8', env });
    console.log('total', Date.now() - t, x.stderr.trim().split('\n').join(' | '));
  }
  await r.stop();
})();
