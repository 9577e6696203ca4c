// `berth images` on a store holding 5,000 tags (1,000 images, five tags each): prints the time of the
// real CLI process (median of 7 runs, Node's start-up included). Target: under 300 ms.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Store } from '../src/engine/store/store';
import { MediaType } from '../src/engine/oci/types';
import { digestOf } from '../src/engine/oci/digest';
import { Annotation, type Descriptor } from '../src/engine/oci/types';
import { entryFor } from '../src/engine/store/store';
import { tempDir } from '../test/helpers/tmp';

const IMAGES = 1000;
const TAGS_PER_IMAGE = 5;

export async function populate(root: string): Promise<void> {
  const store = await Store.open(root);
  const lease = await store.lease();
  const entries: Descriptor[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const layer = await store.blobs.put(randomBytes(64), lease);
    const config = { created: new Date(Date.now() - i * 3600_000).toISOString(), architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } };
    const c = await store.blobs.put(Buffer.from(JSON.stringify(config)), lease);
    const manifest = { schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: c.digest, size: c.size }, layers: [{ mediaType: MediaType.ociLayer, digest: layer.digest, size: layer.size }] };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const m = await store.blobs.put(bytes, lease);
    const facts = { id: c.digest, manifest: { mediaType: MediaType.ociManifest, digest: digestOf(bytes), size: m.size }, size: layer.size, created: config.created };
    for (let t = 0; t < TAGS_PER_IMAGE; t++) entries.push(entryFor(facts, { [Annotation.refName]: `docker.io/bench/app${i}:v${t}`, [Annotation.tagTime]: new Date().toISOString() }));
  }
  await store.update(() => ({ entries, result: undefined }));
  await lease.release();
}

function timeRun(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(__dirname, '../dist/cli.js'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`berth ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

export async function benchImages(): Promise<{ ms: number; lines: number }> {
  const dir = tempDir('berth-bench-images-');
  try {
    await populate(dir.path);
    const r = spawnSync(process.execPath, [join(__dirname, '../dist/cli.js'), '--root', dir.path, 'images'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const lines = r.stdout.trim().split('\n').length - 1;
    const times = Array.from({ length: 7 }, () => timeRun(['--root', dir.path, 'images']));
    times.sort((a, b) => a - b);
    return { ms: times[3]!, lines };
  } finally {
    dir.cleanup();
  }
}

if (require.main === module) {
  benchImages().then(({ ms, lines }) => {
    console.log(`berth images, ${lines} tags: ${ms.toFixed(0)} ms (median of 7; target < 300 ms) ${ms < 300 ? 'OK' : 'SLOW'}`);
  });
}
