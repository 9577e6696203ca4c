// Crash safety (issue 8, section 1; docs/reliability.md): the real CLI (a copy of dist/cli.js) is killed
// with SIGKILL at a random moment of `pull`, `push`, `load`, `import`, `build`, `tag`, `rmi` and
// `image prune`, all on one store, against a real registry on loopback. After each kill: `berth system
// check` passes, every image `berth images -a` lists can be saved (no partial image is listed), no tag
// that existed before is lost, and the same command run again completes with the expected result.
//
// Each kill is aimed at one of three moments: a random time between 70% of the CLI's start-up (`berth
// --version`) and the end of the command (an unkilled run of each verb measures its duration first), or
// 0-5 ms after the command begins writing a blob (a file appears in ingest/), or after it takes the
// store lock (index.lock appears); both seen with fs.watch. The verbs' order, the moments and the delays
// come from a seed printed at the start (BERTH_KILL_SEED=N repeats the choices; the timing of the machine
// still varies). Short mode: 24 kills (3 per verb). Long mode: BERTH_LONG=1 (300 kills), or BERTH_KILLS=N.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';
import { pushTestImage, startRegistry, type Registry } from '../helpers/registry';
import {
  assertStoreWhole, checkStoreWhole, copyCliBundle, describeRun, isolatedEnv, killGroup, listAll, runCli, seededRandom, startCli, testSeed, writeRandomTar,
  type CliChild, type CliRun, type ListedImage,
} from '../helpers/cli-process';

const KILLS = Number(process.env.BERTH_KILLS ?? (process.env.BERTH_LONG ? 300 : 24));
const SEED = testSeed('BERTH_KILL_SEED');
const random = seededRandom(SEED);
const MB = 1 << 20;

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let cli: string;
let root: string;
let env: NodeJS.ProcessEnv;
let scratch: string;
let pullRef: string;
let pulledId: string;
let importTar: string;
let loadTar: string;
let loadedId: string;
let buildContext: string;
let busyboxId: string;
/** How long the CLI takes to start and do nothing (`berth --version`): the kills aim past most of it. */
let startup: number;
/** Tags that must survive every kill: name -> image ID (set by completed runs, dropped when a test removes them). */
const kept = new Map<string, string>();

/** Runs a command that must succeed (the preparation of a trial, never killed). */
async function must(args: string[]): Promise<CliRun> {
  const r = await runCli(cli, root, args, env);
  assert.equal(r.code, 0, describeRun(`berth ${args.join(' ')}`, r));
  return r;
}

function idOf(images: ListedImage[], name: string): string | undefined {
  return images.find((i) => i.name === name)?.id;
}

/** Imports a tar of random bytes (a new image with a layer of its own) under `name`, or untagged. */
async function importFresh(size: number, name?: string): Promise<string> {
  const tar = await writeRandomTar(join(scratch, `fresh-${randomBytes(4).toString('hex')}.tar`), size);
  return (await must(['import', tar, ...(name ? [name] : [])])).stdout.trim();
}

/** One verb of the test: how to set up a trial, the command to kill, and what its rerun must show. */
interface Verb {
  name: string;
  /** The moments a kill can aim at (a verb that writes no blob, or takes no lock, has no such milestone). */
  moments: Moment[];
  prepare(trial: number): Promise<void>;
  args(trial: number): string[];
  verify(rerun: CliRun, trial: number, afterKill: ListedImage[]): Promise<void>;
}

const verbs: Verb[] = [
  {
    name: 'pull',
    moments: ['time', 'blob', 'lock'],
    async prepare() {
      kept.delete(pullRef);
      if (idOf(await listAll(cli, root, env), pullRef)) await must(['rmi', pullRef]);
    },
    args: () => ['pull', pullRef],
    async verify(r) {
      assert.equal(r.code, 0, describeRun('pull again', r));
      assert.equal(idOf(await listAll(cli, root, env), pullRef), pulledId);
      kept.set(pullRef, pulledId);
    },
  },
  {
    name: 'push',
    moments: ['time'],
    async prepare(trial) {
      await importFresh(MB, `${registry.host}/crash/push:${trial}`);
    },
    args: (trial) => ['push', `${registry.host}/crash/push:${trial}`],
    async verify(r, trial) {
      assert.equal(r.code, 0, describeRun('push again', r));
      const digest = new RegExp(`^${trial}: digest: (sha256:[0-9a-f]{64}) size: \\d+$`, 'm').exec(r.stdout)?.[1];
      assert.ok(digest, describeRun('push again printed no digest', r));
      const res = await fetch(`${registry.url}/v2/crash/push/manifests/${trial}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), digest);
      await must(['rmi', `${registry.host}/crash/push:${trial}`]);
    },
  },
  {
    name: 'load',
    moments: ['time', 'blob', 'lock'],
    async prepare() {
      kept.delete('crash/load:1');
      if (idOf(await listAll(cli, root, env), 'crash/load:1')) await must(['rmi', 'crash/load:1']);
    },
    args: () => ['load', '-i', loadTar],
    async verify(r) {
      assert.equal(r.code, 0, describeRun('load again', r));
      assert.equal(r.stdout, 'Loaded image: crash/load:1\n');
      assert.equal(idOf(await listAll(cli, root, env), 'crash/load:1'), loadedId);
      kept.set('crash/load:1', loadedId);
    },
  },
  {
    name: 'import',
    moments: ['time', 'blob', 'lock'],
    async prepare() {},
    args: () => ['import', importTar, 'crash/import:1'],
    async verify(r) {
      assert.equal(r.code, 0, describeRun('import again', r));
      const id = r.stdout.trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      assert.equal(idOf(await listAll(cli, root, env), 'crash/import:1'), id);
      kept.set('crash/import:1', id);
    },
  },
  {
    name: 'build',
    moments: ['time', 'blob', 'lock'],
    async prepare() {
      await must(['builder', 'prune', '-f']);
      writeFileSync(join(buildContext, 'seed.txt'), randomBytes(16).toString('hex'));
    },
    args: () => ['build', '-t', 'crash/build:1', buildContext],
    async verify(r) {
      assert.equal(r.code, 0, describeRun('build again', r));
      const short = /^Successfully built ([0-9a-f]{12})$/m.exec(r.stdout)?.[1];
      assert.ok(short, describeRun('build again printed no ID', r));
      assert.match(r.stdout, /^Successfully tagged crash\/build:1$/m);
      const id = idOf(await listAll(cli, root, env), 'crash/build:1');
      assert.ok(id?.startsWith(`sha256:${short}`), `crash/build:1 is ${id}, the build said ${short}`);
      kept.set('crash/build:1', id!);
    },
  },
  {
    name: 'tag',
    moments: ['time', 'lock'],
    async prepare() {},
    args: (trial) => ['tag', 'busybox:latest', `crash/tag:${trial % 4}`],
    async verify(r, trial) {
      assert.equal(r.code, 0, describeRun('tag again', r));
      assert.equal(idOf(await listAll(cli, root, env), `crash/tag:${trial % 4}`), busyboxId);
      kept.set(`crash/tag:${trial % 4}`, busyboxId);
    },
  },
  {
    name: 'rmi',
    moments: ['time', 'lock'],
    async prepare() {
      await importFresh(512 * 1024, 'crash/rmi:1');
    },
    args: () => ['rmi', 'crash/rmi:1'],
    async verify(r, _trial, afterKill) {
      if (idOf(afterKill, 'crash/rmi:1')) assert.equal(r.code, 0, describeRun('rmi again (the killed rmi had not removed the tag)', r));
      else assert.equal(r.stderr, 'Error: No such image: crash/rmi:1\n', describeRun('rmi again (the killed rmi had removed the tag)', r));
      assert.equal(idOf(await listAll(cli, root, env), 'crash/rmi:1'), undefined);
    },
  },
  {
    name: 'image prune',
    moments: ['time', 'lock'],
    async prepare() {
      await importFresh(256 * 1024);
      await importFresh(256 * 1024);
    },
    args: () => ['image', 'prune', '-f'],
    async verify(r) {
      assert.equal(r.code, 0, describeRun('image prune again', r));
      const dangling = await runCli(cli, root, ['images', '-q', '-f', 'dangling=true'], env);
      assert.equal(dangling.stdout, '', 'dangling images are left after image prune');
    },
  },
];

before(async () => {
  dir = tempDir('berth-crash-');
  cli = copyCliBundle(join(dir.path, 'bin'));
  env = isolatedEnv(dir.path);
  root = join(dir.path, 'store');
  scratch = join(dir.path, 'scratch');
  mkdirSync(scratch);
  registry = await startRegistry({ auth: 'none' });
  const pushed = await pushTestImage(registry, 'crash/pull', '1', { layers: [randomBytes(3 * MB), randomBytes(3 * MB), randomBytes(2 * MB)] });
  pullRef = `${registry.host}/crash/pull:1`;
  pulledId = pushed.configDigest;
  busyboxId = (await must(['import', '-c', 'CMD ["sh"]', makeBusyboxTarball(join(dir.path, 'busybox.tar')), 'busybox:latest'])).stdout.trim();
  kept.set('busybox:latest', busyboxId);
  importTar = await writeRandomTar(join(dir.path, 'import.tar'), 6 * MB);
  loadedId = await importFresh(4 * MB, 'crash/load:1');
  loadTar = join(dir.path, 'load.tar');
  await must(['save', '-o', loadTar, 'crash/load:1']);
  await must(['rmi', 'crash/load:1']);
  buildContext = join(dir.path, 'context');
  mkdirSync(buildContext);
  writeFileSync(join(buildContext, 'data.bin'), randomBytes(2 * MB));
  writeFileSync(join(buildContext, 'Dockerfile'), 'FROM busybox:latest\nCOPY data.bin /data.bin\nCOPY seed.txt /seed.txt\nRUN md5sum /data.bin /seed.txt > /sums && cat /sums\nCMD ["cat", "/sums"]\n');
});

after(async () => {
  await registry?.stop();
  dir?.cleanup();
});

/** Runs one verb unkilled and returns how long the command took. */
async function calibrate(verb: Verb, trial: number): Promise<number> {
  await verb.prepare(trial);
  const before = await listAll(cli, root, env);
  const r = await runCli(cli, root, verb.args(trial), env);
  await verb.verify(r, trial, before);
  return r.ms;
}

/** What one kill did: whether it hit a running process, changed what `images -a` lists, left temporary files. */
interface KillOutcome {
  hit: boolean;
  changed: boolean;
  leftovers: boolean;
}

function signature(images: ListedImage[]): string {
  return images.map((i) => `${i.id} ${i.name}`).sort().join('\n');
}

/** When a kill is aimed: a random time, or a random few milliseconds after the command starts writing a blob or takes the store lock. */
type Moment = 'time' | 'blob' | 'lock';
const MOMENTS: Moment[] = ['time', 'blob', 'lock'];

/**
 * Kills the started command at the chosen moment (resolves when the kill is sent or the command has ended).
 * The milestones are seen with fs.watch on ingest/ (a blob being written) and the store folder (index.lock).
 */
function killAt(run: CliChild, moment: Moment, at: number, jitter: number): Promise<void> {
  return new Promise<void>((res) => {
    let watcher: FSWatcher | undefined;
    const fire = (): void => {
      watcher?.close();
      watcher = undefined;
      killGroup(run);
      res();
    };
    void run.done.then(() => {
      watcher?.close();
      res();
    });
    if (moment === 'time') {
      setTimeout(fire, at);
      return;
    }
    let armed = true;
    watcher = watch(moment === 'blob' ? join(root, 'ingest') : root, (_event, name) => {
      if (!armed || (moment === 'lock' && name !== 'index.lock')) return;
      armed = false;
      setTimeout(fire, jitter);
    });
  });
}

/** Kills one run of `verb` at a random moment, checks the store, and runs the command again. */
async function killOnce(verb: Verb, trial: number, duration: number): Promise<KillOutcome & { moment: Moment }> {
  await verb.prepare(trial);
  const tagsBefore = await listAll(cli, root, env);
  const moment = verb.moments[Math.floor(random() * verb.moments.length)]!;
  const at = Math.round(startup * 0.7 + random() * Math.max(10, duration - startup * 0.7));
  const jitter = Math.floor(random() * 6);
  mkdirSync(join(root, 'ingest'), { recursive: true });
  const run = startCli(cli, root, verb.args(trial), env);
  await killAt(run, moment, at, jitter);
  const hit = (await run.done).signal === 'SIGKILL'; // a kill sent as the process exited does not count
  const label = `${verb.name} (trial ${trial}, seed ${SEED}) killed ${moment === 'time' ? `at ${at} ms` : `${jitter} ms after ${moment === 'blob' ? 'it began a blob' : 'it took the lock'}`}`;
  let afterKill: ListedImage[];
  let leftovers = false;
  try {
    const whole = await checkStoreWhole(cli, root, env, scratch);
    afterKill = whole.images;
    leftovers = /leftover temporary file/.test(whole.check);
  } catch (e) {
    assert.fail(`after ${label}: ${(e as Error).message}`);
  }
  for (const [name] of kept) {
    if (tagsBefore.some((i) => i.name === name)) assert.ok(idOf(afterKill, name), `after ${label}, the tag ${name} is lost`);
  }
  const rerun = await runCli(cli, root, verb.args(trial), env);
  await verb.verify(rerun, trial, afterKill);
  return { hit, moment, changed: signature(tagsBefore) !== signature(afterKill), leftovers };
}

test(`SIGKILL at random moments of pull, push, load, import, build, tag, rmi and image prune (${KILLS} kills): the store stays whole and each command completes when run again`, { timeout: Math.max(600_000, KILLS * 10_000) }, async (t) => {
  t.diagnostic(`seed ${SEED} (BERTH_KILL_SEED=${SEED} repeats these choices)`);
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) starts.push((await runCli(cli, root, ['--version'], env)).ms);
  startup = starts.sort((a, b) => a - b)[2]!;
  const durations = new Map<string, number>();
  let trial = 0;
  for (const verb of verbs) durations.set(verb.name, await calibrate(verb, trial++));
  t.diagnostic(`unkilled durations (ms): start-up ${startup}, ${[...durations].map(([v, ms]) => `${v} ${ms}`).join(', ')}`);
  const perVerb = Math.ceil(KILLS / verbs.length);
  const order = verbs.flatMap((v) => Array.from({ length: perVerb }, () => v));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const kills = new Map<string, number>(verbs.map((v) => [v.name, 0]));
  const byMoment = new Map<Moment, number>(MOMENTS.map((m) => [m, 0]));
  let missed = 0;
  let changed = 0;
  let leftovers = 0;
  for (const verb of order) {
    let duration = durations.get(verb.name)!;
    for (;;) {
      const outcome = await killOnce(verb, trial++, duration);
      if (outcome.hit) {
        if (outcome.changed) changed++;
        if (outcome.leftovers) leftovers++;
        byMoment.set(outcome.moment, byMoment.get(outcome.moment)! + 1);
        break;
      }
      missed++;
      if (outcome.moment === 'time') duration = Math.max(startup, duration * 0.8); // the command finished first: aim earlier
    }
    kills.set(verb.name, kills.get(verb.name)! + 1);
  }
  const total = [...kills.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`kills survived: ${total} (${[...kills].map(([v, n]) => `${v} ${n}`).join(', ')}); ${missed} runs finished before their kill`);
  t.diagnostic(`aimed at: a random time ${byMoment.get('time')}, a blob being written ${byMoment.get('blob')}, the store lock taken ${byMoment.get('lock')}`);
  t.diagnostic(`${changed} kills came after the command had changed the images listed; ${leftovers} left temporary files for the next prune`);
  assert.ok(total >= KILLS);
  const final = await assertStoreWhole(cli, root, env, scratch);
  for (const [name, id] of kept) assert.equal(idOf(final, name), id, `${name} at the end`);
});

test('after the kills, image prune clears what the killed writers left: no temporary file stays in the store', async () => {
  // A kill between writing the new index.json (or build-cache.json) and renaming it into place is rare at
  // random, so that state is also made by hand, with the PID of a process that has ended.
  const ended = startCli(cli, root, ['--version'], env);
  await ended.done;
  writeFileSync(join(root, `index.json.${ended.child.pid}-0badc0de0bad.tmp`), '{"schemaVersion":2,"manif');
  writeFileSync(join(root, `build-cache.json.${ended.child.pid}.tmp`), '{"version":1,');
  await must(['image', 'prune', '-f']);
  const strays = readdirSync(root).filter((n) => !['oci-layout', 'index.json', 'blobs', 'ingest', 'leases', 'trash', 'build-cache.json', 'build'].includes(n));
  assert.deepEqual(strays, []);
  assert.deepEqual(readdirSync(join(root, 'build')), [], 'a killed build\'s work folder is left (the next build removes them)');
  const ingest = readdirSync(join(root, 'ingest')).filter((n) => !n.startsWith('partial-'));
  assert.deepEqual(ingest, []);
  assert.deepEqual(readdirSync(join(root, 'leases')), []);
});

test('a store whose oci-layout was left empty (its first command killed while creating it) is repaired by the next command', async () => {
  writeFileSync(join(root, 'oci-layout'), '');
  await must(['images']);
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
});

// The two crash moments below are too narrow for a random kill to hit, so each test makes the state such a
// kill leaves by hand (and says so), then lets the real CLI meet it.

test('a lock file left empty (its owner killed between creating it and writing its PID) is respected for 5 s, then broken', async () => {
  const lock = join(root, 'index.lock');
  writeFileSync(lock, ''); // what a process killed right after open(O_EXCL) leaves; fresh, it may be a live writer's
  const started = Date.now();
  const r = await runCli(cli, root, ['tag', 'busybox:latest', 'crash/after-empty-lock:1'], env);
  assert.equal(r.code, 0, describeRun('tag over an empty lock', r));
  assert.ok(Date.now() - started >= 4_500, `the empty lock was broken after ${Date.now() - started} ms; a live writer may still be writing its PID`);
  assert.equal(idOf(await listAll(cli, root, env), 'crash/after-empty-lock:1'), busyboxId);
  await assertStoreWhole(cli, root, env, scratch);
});

test('a garbage collection killed with a blob in the trash: the next change of the index puts it back', async () => {
  const id = await importFresh(64 * 1024, 'crash/trash:1');
  const manifest = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')).manifests.find((e: { annotations?: Record<string, string> }) => e.annotations?.['org.opencontainers.image.ref.name'] === 'docker.io/crash/trash:1');
  const layer = (JSON.parse(readFileSync(join(root, 'blobs', manifest.digest.replace(':', '/')), 'utf8')) as { layers: { digest: string }[] }).layers[0]!.digest.slice(7);
  // A collection moves an unreferenced blob to the trash, reads the leases, and puts back the blobs a live
  // writer pinned; killed between the two steps, it leaves the blob in trash/ while the writer goes on to
  // reference it. Here the image already references it, as after that writer's commit.
  mkdirSync(join(root, 'trash'), { recursive: true });
  renameSync(join(root, 'blobs', 'sha256', layer), join(root, 'trash', `${layer}.0badc0de`));
  await must(['tag', 'crash/trash:1', 'crash/trash:2']);
  const images = await assertStoreWhole(cli, root, env, scratch);
  assert.equal(idOf(images, 'crash/trash:2'), id);
  assert.deepEqual(readdirSync(join(root, 'trash')), []);
});
