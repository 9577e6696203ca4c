// `berth pull` and `berth push` of a 200 MB image of incompressible files against skopeo, in the same run,
// with a real registry on loopback. Targets: pull at least 2x faster than `skopeo copy docker://... oci:DIR`,
// push at least 1.5x faster than `skopeo copy oci:DIR docker://...`. Each push goes to an empty registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
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

/** The biggest blob of an OCI layout (the 200 MB layer). */
function largestBlob(layout: string): { path: string; digest: string; size: number } {
  const dir = join(layout, 'blobs', 'sha256');
  const best = readdirSync(dir).map((name) => ({ path: join(dir, name), digest: `sha256:${name}`, size: statSync(join(dir, name)).size })).sort((a, b) => b.size - a.size)[0]!;
  return best;
}

/**
 * The registry's own floor for a push: one bare monolithic upload (POST, then PUT of the file with its
 * digest) with Node's http client, no checks, no manifest. No push of that blob can be faster.
 */
async function bareUpload(host: string, blob: { path: string; digest: string; size: number }): Promise<number> {
  const start = process.hrtime.bigint();
  const location = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(`http://${host}/v2/floor/probe/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(new URL(res.headers.location!, `http://${host}`).toString()));
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise<void>((resolve, reject) => {
    const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(blob.digest)}`;
    const req = httpRequest(url, { method: 'PUT', headers: { 'content-length': String(blob.size), 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`bare upload: ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(blob.path, { highWaterMark: 1 << 20 }).pipe(req);
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchRegistry(runs = 3): Promise<{ size: number; pull: [number, number]; push: [number, number]; ingest: number }> {
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
    const floor: number[] = [];
    const blob = largestBlob(layout);
    for (let i = 0; i < runs; i++) {
      const target = await startRegistry({ auth: 'none' });
      try {
        floor.push(await bareUpload(target.host, blob));
        run(process.execPath, [CLI, '--root', store, 'tag', ref, `${target.host}/bench/big:1`], env);
        berthPush.push(run(process.execPath, [CLI, '--root', store, 'push', '-q', `${target.host}/bench/big:1`], env));
        skopeoPush.push(run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:big`, `docker://${target.host}/other/big:1`]));
        run(process.execPath, [CLI, '--root', store, 'rmi', `${target.host}/bench/big:1`], env);
      } finally {
        await target.stop();
      }
    }
    return { size, pull: [median(berthPull), median(skopeoPull)], push: [median(berthPush), median(skopeoPush)], ingest: median(floor) };
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
    console.log(ingestLine(r.ingest, r.push[1]));
  })();
}

/** What the registry alone needs to take the blob, against what 1.5x skopeo's push would require. */
export function ingestLine(ingest: number, skopeoPush: number): string {
  return `registry ingest floor (one bare PUT of the 200 MB blob): ${ingest.toFixed(0)} ms; a push 1.5x faster than skopeo would need ${(skopeoPush / 1.5).toFixed(0)} ms`;
}
