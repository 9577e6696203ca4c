// `berth pull` and `berth push` of a 200 MB image of incompressible files against skopeo, in the same run,
// with a real registry on loopback. Targets: pull at least 2x faster than `skopeo copy docker://... oci:DIR`,
// push at least 1.5x faster than `skopeo copy oci:DIR docker://...`. Each push goes to an empty registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers/tmp';
import { startRegistry, pushTestImage } from '../test/helpers/registry';

const CLI = join(__dirname, '../dist/cli.js');
const MB = 1e6;

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20, env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const t = [...values].sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** A layer tar of `total` bytes of random data in 20 files. */
function layerTar(dir: string, total: number): Buffer {
  const root = join(dir, 'layer');
  mkdirSync(join(root, 'data'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(root, 'data', `f${i}.bin`), randomBytes(Math.floor(total / 20)));
  const tar = execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', '-', '.'], { maxBuffer: 1 << 30 });
  rmSync(root, { recursive: true });
  return tar;
}

export async function benchRegistry(runs = 3): Promise<{ size: number; pull: [number, number]; push: [number, number] }> {
  const dir = tempDir('berth-bench-registry-');
  const registry = await startRegistry({ auth: 'none' });
  const env = { ...process.env, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  try {
    const layer = layerTar(dir.path, 200 * MB);
    await pushTestImage(registry, 'bench/big', '1', { layers: [layer] });
    const ref = `${registry.host}/bench/big:1`;
    const berthPull: number[] = [];
    const skopeoPull: number[] = [];
    for (let i = 0; i < runs; i++) {
      const store = join(dir.path, `pull-berth-${i}`);
      berthPull.push(run(process.execPath, [CLI, '--root', store, 'pull', '-q', ref], env));
      if (i < runs - 1) rmSync(store, { recursive: true });
      const layout = join(dir.path, `pull-skopeo-${i}`);
      skopeoPull.push(run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${layout}:big`]));
      if (i < runs - 1) rmSync(layout, { recursive: true });
    }
    const store = join(dir.path, `pull-berth-${runs - 1}`);
    const layout = join(dir.path, `pull-skopeo-${runs - 1}`);
    const size = layer.length;
    const berthPush: number[] = [];
    const skopeoPush: number[] = [];
    for (let i = 0; i < runs; i++) {
      const target = await startRegistry({ auth: 'none' });
      try {
        run(process.execPath, [CLI, '--root', store, 'tag', ref, `${target.host}/bench/big:1`], env);
        berthPush.push(run(process.execPath, [CLI, '--root', store, 'push', '-q', `${target.host}/bench/big:1`], env));
        skopeoPush.push(run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:big`, `docker://${target.host}/other/big:1`]));
        run(process.execPath, [CLI, '--root', store, 'rmi', `${target.host}/bench/big:1`], env);
      } finally {
        await target.stop();
      }
    }
    return { size, pull: [median(berthPull), median(skopeoPull)], push: [median(berthPush), median(skopeoPush)] };
  } finally {
    await registry.stop();
    dir.cleanup();
  }
}

if (require.main === module) {
  void (async () => {
    const { report } = await import('./save-load.js');
    const r = await benchRegistry();
    console.log(report('pull 200 MB', r.size, r.pull, 2));
    console.log(report('push 200 MB', r.size, r.push, 1.5));
  })();
}
