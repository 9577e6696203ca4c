// `berth save` and `berth load` of a 200 MB image of incompressible files against skopeo copying the same
// image to and from docker-archive: in the same run. Target: Berth at least 2x faster each way.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers/tmp';

const CLI = join(__dirname, '../dist/cli.js');
const MB = 1e6;

function run(cmd: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function median(runs: number, fn: (i: number) => number): number {
  const t = Array.from({ length: runs }, (_, i) => fn(i)).sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** Makes a rootfs tarball of `total` bytes of random data in 20 files. */
function makeRootfs(dir: string, total: number): string {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'data'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(root, 'data', `f${i}.bin`), randomBytes(Math.floor(total / 20)));
  const tar = join(dir, 'rootfs.tar');
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.']);
  rmSync(root, { recursive: true });
  return tar;
}

export async function benchSaveLoad(runs = 5): Promise<{ size: number; save: [number, number]; load: [number, number] }> {
  const dir = tempDir('berth-bench-archive-');
  try {
    const tar = makeRootfs(dir.path, 200 * MB);
    const store = join(dir.path, 'store');
    run(process.execPath, [CLI, '--root', store, 'import', tar, 'bench/big:1']);
    const size = statSync(tar).size;
    // Each run's output is removed right after it is timed, so every run writes into the same amount of free memory.
    const timed = (output: string, cmd: string, args: string[]): number => {
      const ms = run(cmd, args);
      rmSync(output, { recursive: true, force: true });
      return ms;
    };
    const out = join(dir.path, 'out.tar');
    const berthSave = median(runs, () => timed(out, process.execPath, [CLI, '--root', store, 'save', '-o', out, 'bench/big:1']));
    const skopeoSave = median(runs, () => timed(out, 'skopeo', ['copy', '-q', `oci:${store}:docker.io/bench/big:1`, `docker-archive:${out}:bench/big:1`]));
    const archive = join(dir.path, 'skopeo.tar');
    run('skopeo', ['copy', '-q', `oci:${store}:docker.io/bench/big:1`, `docker-archive:${archive}:bench/big:1`]);
    const loaded = join(dir.path, 'loaded');
    const berthLoad = median(runs, () => timed(loaded, process.execPath, [CLI, '--root', loaded, 'load', '-i', archive]));
    const skopeoLoad = median(runs, () => timed(loaded, 'skopeo', ['copy', '-q', `docker-archive:${archive}`, `oci:${loaded}:bench/big:1`]));
    return { size, save: [berthSave, skopeoSave], load: [berthLoad, skopeoLoad] };
  } finally {
    dir.cleanup();
  }
}

/** One line: Berth's time and speed, the peer's, and the ratio. */
export function report(what: string, size: number, [berth, peer]: [number, number], target: number): string {
  const ratio = peer / berth;
  return `${what}: berth ${berth.toFixed(0)} ms (${(size / MB / (berth / 1000)).toFixed(0)} MB/s), skopeo ${peer.toFixed(0)} ms (${(size / MB / (peer / 1000)).toFixed(0)} MB/s): ${ratio.toFixed(2)}x faster (target ${target}x) ${ratio >= target ? 'OK' : 'BELOW TARGET'}`;
}

if (require.main === module) {
  benchSaveLoad().then((r) => {
    console.log(report('save 200 MB', r.size, r.save, 2));
    console.log(report('load 200 MB', r.size, r.load, 2));
  });
}
