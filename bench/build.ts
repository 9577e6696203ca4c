// `berth build` against buildah (`bud --isolation chroot`, vfs storage) in the same run, both building FROM a
// busybox base pushed to a loopback registry without Berth and pulled into each store before the clock starts.
// - A context of 200 MB of incompressible bytes in 2,000 files, `COPY . /data` and one RUN: every run starts
//   from a fresh store holding only the base (no build cache for either). Target: Berth at most 0.7x buildah's time.
// - A no-change rebuild of a Dockerfile of ten steps after FROM (ENV, LABEL, WORKDIR, COPY, RUN), built once by
//   each (buildah with `--layers`); every timed rebuild must take all ten from the cache. Target: at most 0.5x.
// Buildah runs with `--pull=false` (pull only when missing, as `docker build` does) so neither asks the registry.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers/tmp';
import { startRegistry, pushTestImage } from '../test/helpers/registry';
import { makeBusyboxTarball } from '../test/helpers/rootfs';

const CLI = join(__dirname, '../dist/cli.js');
const MB = 1e6;
const CONTEXT_FILES = 2000;
const CONTEXT_BYTES = 200 * MB;
const REBUILD_STEPS = 10;

interface Ran {
  ms: number;
  output: string;
}

/** Runs a command to its end and times it; fails with its output when it exits non-zero. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve({ ms, output });
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code}):\n${output.slice(-4000)}`));
    });
  });
}

function median(values: number[]): number {
  const t = [...values].sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** 2,000 files of random bytes, 200 MB in all, in 20 folders of 100, and the Dockerfile. */
function makeContext(dir: string): void {
  const perFile = Math.floor(CONTEXT_BYTES / CONTEXT_FILES);
  for (let d = 0; d < 20; d++) {
    const folder = join(dir, `part${d}`, `sub${d % 4}`);
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < CONTEXT_FILES / 20; f++) writeFileSync(join(folder, `f${f}.bin`), randomBytes(perFile));
  }
  writeFileSync(join(dir, 'Dockerfile'), ['ARG BASE', 'FROM $BASE', 'COPY . /data', 'RUN echo built > /built.txt', ''].join('\n'));
}

/** A few small files and a Dockerfile of ten steps after FROM. */
function makeRebuildContext(dir: string): void {
  mkdirSync(join(dir, 'conf'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  writeFileSync(join(dir, 'b.txt'), 'b\n');
  writeFileSync(join(dir, 'conf', 'app.conf'), 'mode=bench\n');
  writeFileSync(join(dir, 'conf', 'extra.conf'), 'extra=1\n');
  const steps = [
    'ENV APP_HOME=/app MODE=bench',
    'LABEL org.example.bench=rebuild',
    'WORKDIR /app',
    'COPY a.txt ./',
    'RUN echo one > /app/one.txt',
    'COPY conf/ /etc/bench/',
    'ENV PATH=/app/bin:$PATH',
    'RUN mkdir -p /app/bin && echo two > /app/bin/two',
    'LABEL stage=final',
    'COPY b.txt /app/b.txt',
  ];
  if (steps.length !== REBUILD_STEPS) throw new Error('the rebuild Dockerfile must have ten steps after FROM');
  writeFileSync(join(dir, 'Dockerfile'), ['ARG BASE', 'FROM $BASE', ...steps, ''].join('\n'));
}

/** How many steps a build's output says it took from the cache (Berth: ` ---> Using cache`, buildah: `--> Using cache`). */
function cacheHits(output: string): number {
  return output.split('\n').filter((l) => /^\s*-+> Using cache\b/.test(l)).length;
}

/** One builder: pulls the base into a store, builds into it. */
interface Builder {
  name: string;
  pull(store: string): Promise<Ran>;
  build(store: string, tag: string, context: string, layers: boolean): Promise<Ran>;
}

export interface BuildFigures {
  /** [berth, buildah] medians in ms; berth is NaN when it was left out. */
  context: [number, number];
  rebuild: [number, number];
}

/**
 * Measures both figures. `berth: false` measures buildah alone (for when `berth build` is not there).
 * `runs` applies to the 200 MB build; the rebuild takes `rebuildRuns`.
 */
export async function benchBuild(options: { runs?: number; rebuildRuns?: number; berth?: boolean } = {}): Promise<BuildFigures> {
  const runs = options.runs ?? 3;
  const rebuildRuns = options.rebuildRuns ?? 5;
  const withBerth = options.berth ?? true;
  const dir = tempDir('berth-bench-build-');
  const registry = await startRegistry({ auth: 'none' });
  // Neither tool reads the user's own configuration or credentials.
  const env = { ...process.env, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), XDG_RUNTIME_DIR: join(dir.path, 'run'), DOCKER_CONFIG: join(dir.path, 'docker') };
  for (const d of [env.HOME, env.XDG_CONFIG_HOME, env.XDG_RUNTIME_DIR, env.DOCKER_CONFIG]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(join(env.DOCKER_CONFIG, 'config.json'), '{"auths":{}}\n'); // buildah fails when DOCKER_CONFIG names no config.json
  try {
    const base = `${registry.host}/bench/busybox:1`;
    const tarball = makeBusyboxTarball(join(dir.path, 'busybox', 'rootfs.tar'));
    await pushTestImage(registry, 'bench/busybox', '1', { layers: [readFileSync(tarball)] });

    const berth: Builder = {
      name: 'berth',
      pull: (store) => run(process.execPath, [CLI, '--root', store, 'pull', '-q', base], env),
      build: (store, tag, context) => run(process.execPath, [CLI, '--root', store, 'build', '-t', tag, '--build-arg', `BASE=${base}`, context], env),
    };
    const buildahStore = (store: string): string[] => ['--root', join(store, 'root'), '--runroot', join(store, 'runroot'), '--storage-driver', 'vfs'];
    const buildah: Builder = {
      name: 'buildah',
      pull: (store) => run('buildah', [...buildahStore(store), 'pull', '-q', '--tls-verify=false', base], env),
      build: (store, tag, context, layers) =>
        run('buildah', [...buildahStore(store), 'bud', '--isolation', 'chroot', '--tls-verify=false', '--pull=false', ...(layers ? ['--layers'] : []), '-t', tag, '--build-arg', `BASE=${base}`, context], env),
    };
    const builders = withBerth ? [berth, buildah] : [buildah];
    const times = new Map<Builder, { context: number[]; rebuild: number[] }>(builders.map((b) => [b, { context: [], rebuild: [] }]));

    // 200 MB context: each run in a fresh store holding only the base, removed right after it is timed.
    const context = join(dir.path, 'context');
    makeContext(context);
    for (let i = 0; i < runs; i++) {
      for (const b of builders) {
        const store = join(dir.path, `ctx-${b.name}-${i}`);
        try {
          await b.pull(store);
          times.get(b)!.context.push((await b.build(store, 'bench/ctx:1', context, false)).ms);
        } finally {
          rmSync(store, { recursive: true, force: true });
        }
      }
    }
    rmSync(context, { recursive: true, force: true });

    // No-change rebuild: built once, then rebuilt with every step from the cache.
    const rebuild = join(dir.path, 'rebuild');
    makeRebuildContext(rebuild);
    for (const b of builders) {
      const store = join(dir.path, `rebuild-${b.name}`);
      await b.pull(store);
      const first = await b.build(store, 'bench/rebuild:1', rebuild, true);
      if (cacheHits(first.output) !== 0) throw new Error(`${b.name}'s first build of the rebuild Dockerfile took steps from a cache:\n${first.output}`);
    }
    for (let i = 0; i < rebuildRuns; i++) {
      for (const b of builders) {
        const r = await b.build(join(dir.path, `rebuild-${b.name}`), 'bench/rebuild:1', rebuild, true);
        const hits = cacheHits(r.output);
        if (hits !== REBUILD_STEPS) throw new Error(`${b.name}'s no-change rebuild took ${hits} of ${REBUILD_STEPS} steps from the cache:\n${r.output}`);
        times.get(b)!.rebuild.push(r.ms);
      }
    }
    const figure = (b: Builder, k: 'context' | 'rebuild'): number => (times.has(b) ? median(times.get(b)![k]) : NaN);
    return { context: [figure(berth, 'context'), figure(buildah, 'context')], rebuild: [figure(berth, 'rebuild'), figure(buildah, 'rebuild')] };
  } finally {
    await registry.stop();
    dir.cleanup();
  }
}

/** One line: Berth's time, buildah's, and Berth's as a fraction of buildah's against the most it may be. */
export function reportTime(what: string, [berth, buildah]: [number, number], target: number): string {
  const ratio = berth / buildah;
  return `${what}: berth ${berth.toFixed(0)} ms, buildah ${buildah.toFixed(0)} ms: ${ratio.toFixed(2)}x buildah's time (target <= ${target}x) ${ratio <= target ? 'OK' : 'SLOW'}`;
}

if (require.main === module) {
  void (async () => {
    if (process.argv.includes('--buildah-only')) {
      const r = await benchBuild({ berth: false });
      console.log(`build 200 MB context: buildah ${r.context[1].toFixed(0)} ms (median of 3)`);
      console.log(`no-change rebuild, ${REBUILD_STEPS} steps: buildah ${r.rebuild[1].toFixed(0)} ms (median of 5)`);
      return;
    }
    const r = await benchBuild();
    console.log(reportTime('build 200 MB context', r.context, 0.7));
    console.log(reportTime(`no-change rebuild, ${REBUILD_STEPS} steps`, r.rebuild, 0.5));
  })();
}
