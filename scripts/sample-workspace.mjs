// A workspace to try Berth on: a folder with a Dockerfile whose base image, busybox:latest, Berth makes
// locally (no registry needed) by importing a busybox-static root filesystem into the store.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './code-server.mjs';
import { ensureDebianPackages } from './debian.mjs';

/** The sample Dockerfile: a base image from the local store and a RUN step. */
export const SAMPLE_DOCKERFILE = `# A sample for Berth: hover an instruction or the image name, or build it (Berth: Build Image).
FROM busybox:latest
RUN echo "hello from Berth" > /hello.txt
CMD ["cat", "/hello.txt"]
`;

function cli(args, { storeRoot, env }) {
  const root = storeRoot ? ['--root', storeRoot] : [];
  return execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), ...root, ...args], { encoding: 'utf8', env });
}

/**
 * Makes sure `busybox:latest` is in the store (`storeRoot`, or the CLI's default: BERTH_ROOT or the
 * platform data folder), importing a busybox-static rootfs when it is not. Returns the image's short ID.
 */
export async function ensureBusyboxImage({ storeRoot, env = process.env, log = console.log } = {}) {
  const present = cli(['images', '-q', 'busybox:latest'], { storeRoot, env }).trim();
  if (present) return present.split('\n')[0];
  ensureDebianPackages(['busybox-static'], { purpose: 'making busybox:latest' });
  const { tsImport } = await import('tsx/esm/api');
  const { makeBusyboxTarball } = await tsImport(join(REPO_ROOT, 'test', 'helpers', 'rootfs.ts'), import.meta.url);
  const work = mkdtempSync(join(tmpdir(), 'berth-busybox-'));
  try {
    const tarball = makeBusyboxTarball(join(work, 'busybox.tar'));
    cli(['import', '-c', 'CMD ["sh"]', '-m', 'busybox-static root filesystem', tarball, 'busybox:latest'], { storeRoot, env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const id = cli(['images', '-q', 'busybox:latest'], { storeRoot, env }).trim();
  log(`imported busybox:latest (${id}) into ${storeRoot ?? 'the default store'}`);
  return id;
}

/** Creates `dir` with a Dockerfile (`dockerfile`), keeping one that is already there unless `overwrite`. */
export function writeWorkspace(dir, { dockerfile = SAMPLE_DOCKERFILE, overwrite = false } = {}) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'Dockerfile');
  if (overwrite || !existsSync(file)) writeFileSync(file, dockerfile);
  return file;
}
