import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { randomBytes } from 'node:crypto';
(async () => {
  const r = await startRegistry({ auth: 'none' });
  await pushTestImage(r, 'b/big', '1', { layers: [randomBytes(20e6)] });
  rmSync('/tmp/dd', { recursive: true, force: true });
  const env = { ...process.env, DOCKER_CONFIG: '/tmp/dd/d' };
  for (const args of [['pull', '-q', `${r.host}/b/big:1`], ['images'], ['system', 'check']]) {
    const x = spawnSync(process.execPath, ['dist/cli.js', '--root', '/tmp/dd/s', ...args], { encoding: 'utf8', env });
    console.log(args.join(' '), x.status, x.stdout, x.stderr);
  }
  await r.stop();
})();
