// Concurrency (issue 8, section 2; docs/reliability.md): four workers share one store, each running the
// real CLI (a copy of dist/cli.js) in a loop, so four berth processes work on the store at any moment:
//
// - the puller pulls two images from a real registry on loopback and removes each again (so every pull
//   downloads and every removal deletes blobs);
// - the tagger tags busybox under new names, checks each new tag is listed at once, and removes every
//   other one;
// - the remover tags and removes its own names and runs `image prune -f` (the garbage collector) while
//   the others write;
// - the builder builds a small Dockerfile FROM busybox (COPY and RUN) with a new file each time, under
//   one of three tags that move from image to image.
//
// Every command must succeed. Afterwards: every tag a worker made and did not remove is there (and points
// at the image it was given), index.json parses and each entry is valid, `berth system check` passes,
// and every image `berth images -a` lists can be saved. Short mode: 60 s. Long mode: BERTH_LONG=1
// (600 s), or BERTH_CONCURRENCY_SECONDS=N.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';
import { pushTestImage, startRegistry, type Registry } from '../helpers/registry';
import { assertStoreWhole, copyCliBundle, describeRun, isolatedEnv, listAll, runCli, type CliRun } from '../helpers/cli-process';

const SECONDS = Number(process.env.BERTH_CONCURRENCY_SECONDS ?? (process.env.BERTH_LONG ? 600 : 60));
const MB = 1 << 20;

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let cli: string;
let root: string;
let env: NodeJS.ProcessEnv;
let busyboxId: string;
const pulled = new Map<string, string>();

before(async () => {
  dir = tempDir('berth-concurrency-');
  cli = copyCliBundle(join(dir.path, 'bin'));
  env = isolatedEnv(dir.path);
  root = join(dir.path, 'store');
  registry = await startRegistry({ auth: 'none' });
  for (const name of ['a', 'b']) {
    const pushed = await pushTestImage(registry, `conc/${name}`, '1', { layers: [randomBytes(2 * MB), randomBytes(MB)] });
    pulled.set(`${registry.host}/conc/${name}:1`, pushed.configDigest);
  }
  const r = await runCli(cli, root, ['import', '-c', 'CMD ["sh"]', makeBusyboxTarball(join(dir.path, 'busybox.tar')), 'busybox:latest'], env);
  assert.equal(r.code, 0, describeRun('import busybox', r));
  busyboxId = r.stdout.trim();
});

after(async () => {
  await registry?.stop();
  dir?.cleanup();
});

/** What the workers did: operations run, and the tags they left (name -> the image ID it must name). */
class Ledger {
  readonly ops = new Map<string, number>();
  readonly tags = new Map<string, string>();
  readonly failures: string[] = [];

  /** Runs one command; a failure is recorded with its output and ends the worker. */
  async run(op: string, args: string[], cwd?: string): Promise<CliRun> {
    const r = await runCli(cli, root, args, env, cwd);
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
    if (r.code !== 0) {
      this.failures.push(describeRun(`berth ${args.join(' ')}`, r));
      throw new Error(`berth ${args.join(' ')} failed`);
    }
    return r;
  }

  get total(): number {
    return [...this.ops.values()].reduce((a, b) => a + b, 0);
  }
}

type Worker = (ledger: Ledger, until: number) => Promise<void>;

const puller: Worker = async (ledger, until) => {
  const refs = [...pulled.keys()];
  for (let i = 0; Date.now() < until; i++) {
    const ref = refs[i % refs.length]!;
    await ledger.run('pull', ['pull', ref]);
    ledger.tags.set(ref, pulled.get(ref)!);
    if (i % 4 !== 3) {
      await ledger.run('rmi', ['rmi', ref]);
      ledger.tags.delete(ref);
    }
  }
};

const tagger: Worker = async (ledger, until) => {
  for (let i = 0; Date.now() < until; i++) {
    const name = `conc/tagger:${i}`;
    await ledger.run('tag', ['tag', 'busybox:latest', name]);
    ledger.tags.set(name, busyboxId);
    const listed = await ledger.run('images', ['images', '-q', '--no-trunc', name]);
    assert.equal(listed.stdout, `${busyboxId}\n`, `${name} is not listed right after "berth tag" succeeded`);
    if (i % 2 === 1) {
      await ledger.run('rmi', ['rmi', `conc/tagger:${i - 1}`]);
      ledger.tags.delete(`conc/tagger:${i - 1}`);
    }
  }
};

const remover: Worker = async (ledger, until) => {
  for (let i = 0; Date.now() < until; i++) {
    await ledger.run('tag', ['tag', 'busybox:latest', `conc/remover:${i}`]);
    await ledger.run('rmi', ['rmi', `conc/remover:${i}`]);
    await ledger.run('image prune', ['image', 'prune', '-f']);
  }
};

const builder: Worker = async (ledger, until) => {
  const ctx = join(dir.path, 'context');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'data.bin'), randomBytes(MB));
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox:latest\nCOPY data.bin /data.bin\nCOPY seed.txt /seed.txt\nRUN md5sum /data.bin /seed.txt > /sums\nCMD ["cat", "/sums"]\n');
  for (let i = 0; Date.now() < until; i++) {
    writeFileSync(join(ctx, 'seed.txt'), `${i} ${randomBytes(8).toString('hex')}`);
    const name = `conc/build:${i % 3}`;
    const r = await ledger.run('build', ['build', '-q', '-t', name, ctx]);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/, describeRun('build -q', r));
    ledger.tags.set(name, r.stdout.trim());
  }
};

/** Checks index.json as a reader would: valid JSON, an OCI index, every entry a valid descriptor, a tag named once. */
function assertIndexValid(): number {
  const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { schemaVersion: number; manifests: Record<string, any>[] };
  assert.equal(index.schemaVersion, 2);
  assert.ok(Array.isArray(index.manifests));
  const names = new Set<string>();
  for (const e of index.manifests) {
    assert.match(e.digest, /^sha256:[0-9a-f]{64}$/, JSON.stringify(e));
    assert.ok(Number.isInteger(e.size) && e.size > 0, JSON.stringify(e));
    assert.match(e.mediaType, /^application\/vnd\.(oci|docker)\./, JSON.stringify(e));
    assert.match(e.annotations?.['dev.berth.image.id'] ?? '', /^sha256:[0-9a-f]{64}$/, JSON.stringify(e));
    const name = e.annotations?.['org.opencontainers.image.ref.name'];
    if (name) {
      assert.ok(!names.has(name), `the tag ${name} has two entries`);
      names.add(name);
    }
  }
  return index.manifests.length;
}

test(`four processes pull, tag, remove and build on one store for ${SECONDS} s: no tag is lost, the index is valid, the store is whole`, { timeout: (SECONDS + 240) * 1000 }, async (t) => {
  const until = Date.now() + SECONDS * 1000;
  const workers: [string, Worker][] = [['puller', puller], ['tagger', tagger], ['remover', remover], ['builder', builder]];
  const ledgers = workers.map(() => new Ledger());
  const results = await Promise.allSettled(workers.map(([, work], i) => work(ledgers[i]!, until)));
  const failures = ledgers.flatMap((l) => l.failures);
  results.forEach((r, i) => {
    if (r.status === 'rejected' && !ledgers[i]!.failures.length) failures.push(`${workers[i]![0]}: ${(r.reason as Error).stack}`);
  });
  assert.deepEqual(failures, []);

  const counts = new Map<string, number>();
  for (const l of ledgers) for (const [op, n] of l.ops) counts.set(op, (counts.get(op) ?? 0) + n);
  const total = ledgers.reduce((n, l) => n + l.total, 0);
  t.diagnostic(`operations: ${total} (${[...counts].map(([op, n]) => `${op} ${n}`).join(', ')}); by worker: ${workers.map(([w], i) => `${w} ${ledgers[i]!.total}`).join(', ')}`);
  for (const [op] of [['pull'], ['tag'], ['rmi'], ['build'], ['image prune']]) assert.ok((counts.get(op!) ?? 0) > 0, `no ${op} ran`);

  const entries = assertIndexValid();
  const listed = await assertStoreWhole(cli, root, env, join(dir.path, 'tmp'));
  const expected = new Map<string, string>([['busybox:latest', busyboxId]]);
  for (const l of ledgers) for (const [name, id] of l.tags) expected.set(name.replace(/^docker\.io\/library\//, ''), id);
  for (const [name, id] of expected) {
    assert.equal(listed.find((i) => i.name === name)?.id, id, `the tag ${name} is lost or names another image`);
  }
  t.diagnostic(`at the end: ${entries} index entries, ${new Set(listed.map((i) => i.id)).size} images, ${expected.size} tags checked, all saved`);
});

test('after the run, every tag listed is one a worker made and kept (nothing removed comes back)', async () => {
  const names = (await listAll(cli, root, env)).map((i) => i.name).filter((n) => n !== '<none>:<none>');
  for (const n of names) assert.match(n, /^(busybox:latest|conc\/tagger:\d+|conc\/build:[012]|127\.0\.0\.1:\d+\/conc\/[ab]:1)$/);
  assert.ok(!names.some((n) => n.startsWith('conc/remover:')), `a removed tag is listed: ${names.join(', ')}`);
});
