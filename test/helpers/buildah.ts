/**
 * buildah as a peer builder for tests (TESTING.md): `buildah bud` with the vfs storage driver and
 * chroot isolation, run by the test's own (root) user against a storage of its own in a temporary
 * folder, so nothing of the machine's /var/lib/containers is read or written. The storage, the
 * registries and the signature policy are all given explicitly (CONTAINERS_STORAGE_CONF,
 * CONTAINERS_REGISTRIES_CONF, `--signature-policy`), so the host's configuration cannot change what
 * a build does.
 *
 * Images are built in Docker format (`--format docker`): the OCI config has no Healthcheck, OnBuild
 * or Shell, and buildah drops them from an OCI image. They are read back with `buildah push` to a
 * `docker-archive:` file, the same format as `berth save`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The programs {@link startBuildah} needs that are missing on this machine (empty when all are there). */
export function missingBuildahTools(): string[] {
  const paths = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return ['buildah'].filter((t) => !paths.some((p) => existsSync(join(p, t))));
}

/** Options of {@link Buildah.build}. */
export interface BuildahBuildOptions {
  /** The build context folder. */
  context: string;
  /** The Dockerfile; default `CONTEXT/Dockerfile`. */
  dockerfile?: string;
  /** The name to tag the image with, e.g. `corpus/01-minimal:test` (buildah stores it as `localhost/...`). */
  tag: string;
  buildArgs?: Record<string, string>;
}

/** A buildah with a storage of its own. */
export interface Buildah {
  /** Builds an image; rejects with buildah's output when the build fails. Returns the build's output. */
  build(options: BuildahBuildOptions): Promise<string>;
  /** Writes the image `tag` to `file` as a `docker save` style archive (uncompressed layers). */
  saveArchive(tag: string, file: string): Promise<void>;
  /** Removes every image and container, and the storage folder. */
  cleanup(): Promise<void>;
}

/** Prepares a buildah storage in a new temporary folder under `parent` (default: the system's temporary folder). */
export async function startBuildah(parent: string = tmpdir()): Promise<Buildah> {
  const dir = await mkdtemp(join(parent, 'berth-buildah-'));
  const root = join(dir, 'root');
  const runroot = join(dir, 'runroot');
  await mkdir(root);
  await mkdir(runroot);
  const storageConf = join(dir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = ${JSON.stringify(root)}\nrunroot = ${JSON.stringify(runroot)}\n`);
  const registriesConf = join(dir, 'registries.conf');
  // No search registries: a short name resolves in local storage or not at all.
  await writeFile(registriesConf, 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n');
  const policy = join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const env = { ...process.env, CONTAINERS_STORAGE_CONF: storageConf, CONTAINERS_REGISTRIES_CONF: registriesConf, BUILDAH_ISOLATION: 'chroot', TMPDIR: dir };
  const global = ['--root', root, '--runroot', runroot, '--storage-driver', 'vfs'];
  const buildah = (args: string[]): Promise<string> => run('buildah', [...global, ...args], env);
  return {
    async build({ context, dockerfile, tag, buildArgs = {} }) {
      return buildah([
        'bud',
        '--isolation', 'chroot',
        '--format', 'docker',
        '--tls-verify=false',
        '--signature-policy', policy,
        // No io.buildah.version label, no /etc/hosts or /etc/resolv.conf mounted over the image's:
        // what is left is what the Dockerfile asks for (see BUILDAH_MOUNT_POINTS in image-tree.ts).
        '--identity-label=false',
        '--no-hosts',
        '--dns=none',
        '--pull=missing',
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '-f', dockerfile ?? join(context, 'Dockerfile'),
        '-t', tag,
        context,
      ]);
    },
    async saveArchive(tag, file) {
      await rm(file, { force: true });
      await buildah(['push', '--signature-policy', policy, '--quiet', tag, `docker-archive:${file}`]);
    },
    async cleanup() {
      await buildah(['rm', '--all']).catch(() => undefined);
      await buildah(['rmi', '--all', '--force']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(`${stdout}${stderr}`);
      reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${String(stdout).slice(-4000)}${String(stderr).slice(-4000)}`, { cause: err }));
    });
  });
}
