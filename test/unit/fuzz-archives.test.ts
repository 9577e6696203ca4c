// Property tests of the archive readers (fast-check): archives that `berth save` wrote (Docker and OCI
// format, plain and gzip) and a root filesystem tarball, with bytes flipped, cut, inserted, blocks
// repeated and header fields overwritten (with the header checksums fixed or not, and for gzip archives
// inside the gzip or of the gzip bytes themselves), are given to `load` and `import` against a real store on
// disk. Each case ends in success or in one of the documented errors (a stable code and a message that
// names the archive), in bounded time; at the end the store is whole (its check finds no problem) and
// no temporary file is left behind.
//
// BERTH_FUZZ_CASES sets the number of cases per reader (default 2000 for CI; the long mode, BERTH_LONG=1, runs
// 100000). BERTH_FUZZ_SEED replays a run; a failure prints the seed, the path and the shrunk case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { importImage } from '../../src/engine/archive/import';
import { loadImages } from '../../src/engine/archive/load';
import { saveImages } from '../../src/engine/archive/save';
import { isBerthError, type ErrorCode } from '../../src/engine/errors';
import { checkStore } from '../../src/engine/store/check';
import { Store } from '../../src/engine/store/store';
import { tarOf } from '../helpers/archive-fixtures';
import { addImage } from '../helpers/images';
import { tempDir } from '../helpers/tmp';

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? (process.env.BERTH_LONG ? 100_000 : 2000));
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x5eed);
/** Milliseconds one case may take; generous for slow CI machines (a case takes about a millisecond). */
const CASE_BUDGET_MS = 5000;

/** The errors `load` and `import` document for a bad archive. */
const DOCUMENTED: ErrorCode[] = ['INVALID_ARCHIVE', 'UNSAFE_ARCHIVE', 'DIGEST_MISMATCH', 'SIZE_MISMATCH', 'INVALID_MANIFEST', 'UNSUPPORTED', 'NOT_FOUND'];

let dir: { path: string; cleanup: () => void };
let store: Store;
/** A real archive: its tar, and whether it is given gzip-compressed. */
interface Seed {
  name: string;
  tar: Buffer;
  gzip: boolean;
}
const loadSeeds: Seed[] = [];
const importSeeds: Seed[] = [];

before(async () => {
  dir = tempDir('berth-fuzz-archives-');
  const source = await Store.open(`${dir.path}/source`);
  await addImage(source, { tags: ['docker.io/library/app:1'], layers: [Buffer.from('layer one '.repeat(200)), Buffer.from('layer two '.repeat(50))] });
  await addImage(source, { tags: ['example.com/other:2'] });
  for (const format of ['docker', 'oci'] as const) {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await saveImages(source, ['docker.io/library/app:1', 'example.com/other:2'], out, { format });
    out.end();
    const bytes = Buffer.concat(chunks);
    loadSeeds.push({ name: `${format}.tar`, tar: bytes, gzip: false }, { name: `${format}.tar.gz`, tar: bytes, gzip: true });
  }
  const rootfs = await tarOf([
    { name: './' }, { name: './bin/' }, { name: './bin/sh', content: 'shell', mode: 0o755 }, { name: './bin/ls', type: 'link', linkname: './bin/sh' },
    { name: './etc/' }, { name: './etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }, { name: './usr/bin/env', type: 'symlink', linkname: '/bin/sh' },
  ]);
  importSeeds.push({ name: 'rootfs.tar', tar: rootfs, gzip: false }, { name: 'rootfs.tar.gz', tar: rootfs, gzip: true });
  store = await Store.open(`${dir.path}/store`);
});

after(() => dir.cleanup());

/** One change to an archive's bytes; positions are fractions of its length, so they fit any archive. */
type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'repeatBlock'; at: number }
  | { kind: 'header'; at: number; field: number; text: string };

/** A place in the archive, as a fraction of its length: uniform (fast-check otherwise favours the start). */
const position = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })).map((n) => n / 0x80000000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: position }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeatBlock' as const), at: position }) },
  // Overwrite a field of a tar header: name, mode, size, type flag, link name or magic.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('header' as const), at: position, field: fc.constantFrom(0, 100, 124, 156, 157, 257, 345), text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('../../x', '/etc/passwd', '77777777777', '\u0080\u00ff\u00ff\u00ff', '3', '4', '1', '2', 'x', 'g', 'L')) }) },
);

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const i = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(bytes);
      if (out.length) out[i] = out[i]! ^ m.xor;
      return out;
    }
    case 'cut':
      return bytes.subarray(0, i);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, i), m.bytes, bytes.subarray(i)]);
    case 'repeatBlock': {
      const start = Math.floor(i / 512) * 512;
      return Buffer.concat([bytes.subarray(0, start + 512), bytes.subarray(start, start + 512), bytes.subarray(start + 512)]);
    }
    case 'header': {
      const out = Buffer.from(bytes);
      const offset = Math.floor(i / 512) * 512 + m.field;
      if (offset < out.length) out.write(m.text, offset, 'latin1');
      return out;
    }
  }
}

/** How the cases ended: `ok` or an error code, with a count; printed as the test's diagnostic. */
type Outcomes = Map<string, number>;

/** Recomputes the checksum of every block that looks like a ustar header, as an attacker who edits headers would. */
function withChecksums(tar: Buffer): Buffer {
  const out = Buffer.from(tar);
  for (let at = 0; at + 512 <= out.length; at += 512) {
    if (out.toString('latin1', at + 257, at + 262) !== 'ustar') continue;
    out.write('        ', at + 148, 'latin1');
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += out[i]!;
    out.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
  }
  return out;
}

/** How a case changes its seed: mutations of the tar, checksums fixed or not, and for gzip seeds where the mutations go. */
interface Case {
  mutations: Mutation[];
  fixChecksums: boolean;
  /** For a gzip seed: mutate the compressed bytes instead of the tar inside them. */
  outer: boolean;
}

function bytesOf(seed: Seed, c: Case): Buffer {
  if (seed.gzip && c.outer) return c.mutations.reduce(applyMutation, gzipSync(seed.tar));
  const tar = c.mutations.reduce(applyMutation, seed.tar);
  const fixed = c.fixChecksums ? withChecksums(tar) : tar;
  return seed.gzip ? gzipSync(fixed) : fixed;
}

/** Runs one reader on one mutated archive; fails the property on an undocumented error or a slow case. */
async function readOnce(read: (bytes: Buffer, name: string) => Promise<unknown>, seed: Seed, c: Case, outcomes: Outcomes): Promise<void> {
  const bytes = bytesOf(seed, c);
  /** Names the case, and keeps its bytes in a file to replay it (the seeds hold timestamps, so a run's bytes differ). */
  const shown = (): string => {
    const file = join(tmpdir(), `berth-fuzz-failure-${seed.name}`);
    writeFileSync(file, bytes);
    return `${seed.name} with ${JSON.stringify(c)} (its bytes are in ${file})`;
  };
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  // A reader that hangs may leave nothing for the event loop to wait on; the timer keeps it alive to say so.
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${shown()} did not end within ${CASE_BUDGET_MS} ms`)), CASE_BUDGET_MS);
  });
  try {
    await Promise.race([read(bytes, seed.name), hang]);
    outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
  } catch (e) {
    if (!isBerthError(e, ...DOCUMENTED)) throw new Error(`${shown()}: ${String((e as Error)?.stack ?? e)}`, { cause: e });
    assert.ok((e as Error).message.includes(seed.name), `the message names the archive: ${(e as Error).message}`);
    outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
  } finally {
    clearTimeout(timer);
  }
  const took = performance.now() - started;
  if (took >= CASE_BUDGET_MS) assert.fail(`${shown()} took ${Math.round(took)} ms`);
  const left = leftovers();
  if (left.length) assert.fail(`${shown()} left temporary files: ${left.join(', ')}`);
}

/** The files in the store's ingest folder (temporary files), locks aside. */
function leftovers(): string[] {
  return existsSync(store.layout.ingestDir) ? readdirSync(store.layout.ingestDir).filter((n) => !n.endsWith('.lock')) : [];
}

async function storeIsWhole(): Promise<void> {
  assert.deepEqual((await checkStore(store)).problems, []);
  assert.deepEqual(leftovers(), [], 'no temporary file is left in ingest/');
}

/** Runs the property over the seeds (chosen by index, so that a failure prints the mutations, not the bytes). */
async function fuzz(seeds: Seed[], read: (bytes: Buffer, name: string) => Promise<unknown>): Promise<string> {
  const outcomes: Outcomes = new Map();
  const cases = fc.record({ mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }), fixChecksums: fc.boolean(), outer: fc.boolean() });
  try {
    await fc.assert(fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), cases, (i, c) =>
      readOnce(read, seeds[i]!, c, outcomes)), { numRuns: CASES, seed: SEED, endOnFailure: true, includeErrorInReport: true });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${String((e as Error).cause)}`);
  }
  return [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}

test(`load: ${CASES} mutated Docker and OCI archives, plain and gzip, end in success or a documented error (seed ${SEED})`, async (t) => {
  t.diagnostic(await fuzz(loadSeeds, (bytes, name) => loadImages(store, Readable.from([bytes]), { sourceName: name })));
  await storeIsWhole();
});

test(`import: ${CASES} mutated root filesystem tarballs, plain and gzip, end in success or a documented error (seed ${SEED})`, async (t) => {
  t.diagnostic(await fuzz(importSeeds, (bytes, name) => importImage(store, Readable.from([bytes]), { sourceName: name, tag: 'docker.io/library/fuzzed:latest' })));
  await storeIsWhole();
});

test('the unmutated seeds load and import (the mutations start from real archives)', async () => {
  const plain: Case = { mutations: [], fixChecksums: false, outer: false };
  for (const seed of loadSeeds) assert.equal((await loadImages(store, Readable.from([bytesOf(seed, plain)]), { sourceName: seed.name })).loaded.length, 2, seed.name);
  for (const seed of importSeeds) await importImage(store, Readable.from([bytesOf(seed, plain)]), { sourceName: seed.name });
  await storeIsWhole();
});
