// A multi-platform image (an OCI index of linux/amd64 and linux/arm64) pushed by `skopeo copy --all`:
// Berth pulls this machine's platform by default, another with --platform, and records the index digest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startRegistry, type Registry } from '../helpers/registry';
import { hostPlatform } from '../../src/engine/oci/platform';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let env: NodeJS.ProcessEnv;
const configs: Record<string, string> = {};
let indexDigest: string;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

/** An OCI layout holding one image per architecture and an index over them, tagged `multi`. */
function buildMultiPlatformLayout(layout: string): void {
  sh('umoci', ['init', '--layout', layout]);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const children = [];
  for (const arch of ['amd64', 'arm64']) {
    sh('umoci', ['new', '--image', `${layout}:${arch}`]);
    sh('umoci', ['config', '--image', `${layout}:${arch}`, '--architecture', arch, '--os', 'linux', '--config.cmd', `echo-${arch}`]);
  }
  const after = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  for (const m of after.manifests) {
    const arch = m.annotations['org.opencontainers.image.ref.name'];
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', m.digest.slice(7)), 'utf8'));
    configs[arch] = manifest.config.digest;
    children.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: arch } });
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children }));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  writeFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)), bytes);
  index.manifests = [...after.manifests, { mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: bytes.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }];
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
}

before(async () => {
  dir = tempDir('berth-multi-');
  registry = await startRegistry({ auth: 'none' });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
  const layout = join(dir.path, 'layout');
  buildMultiPlatformLayout(layout);
  sh('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout}:multi`, `docker://${registry.host}/multi/app:1`]);
  const raw = sh('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/multi/app:1`]);
  assert.equal(JSON.parse(raw).manifests.length, 2);
  indexDigest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
});

after(async () => {
  await registry?.stop();
  dir?.cleanup();
});

test('pull picks this machine\'s platform and records the index digest', async () => {
  const root = join(dir.path, 'host');
  const r = await berth(root, ['pull', `${registry.host}/multi/app:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Digest: ${indexDigest}\n`));
  const [j] = JSON.parse((await berth(root, ['inspect', `${registry.host}/multi/app:1`], { env })).stdout);
  const arch = hostPlatform().architecture;
  assert.equal(j.Architecture, arch);
  assert.equal(j.Id, configs[arch]);
  assert.deepEqual(j.RepoDigests, [`${registry.host}/multi/app@${indexDigest}`]);
});

test('--platform pulls another platform; an absent one is named in the error', async () => {
  const root = join(dir.path, 'arm');
  const r = await berth(root, ['pull', '--platform', 'linux/arm64', `${registry.host}/multi/app:1`], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await berth(root, ['inspect', '-f', '{{.Architecture}} {{.Id}}', `${registry.host}/multi/app:1`], { env })).stdout, `arm64 ${configs.arm64}\n`);
  const none = await berth(root, ['pull', '--platform', 'linux/s390x', `${registry.host}/multi/app:1`], { env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no matching manifest for linux\/s390x in the manifest list entries \(the image has: linux\/amd64, linux\/arm64\)/);
});
