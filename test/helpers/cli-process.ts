/**
 * The bundled CLI as real processes, for the crash and concurrency tests: a private copy of
 * dist/cli.js (so that a rebuild of dist/ by someone else cannot change it mid-run), commands run to
 * completion or killed with SIGKILL, a seeded random source, and the checks that say a store is whole.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pack } from 'tar-stream';

const DIST_CLI = resolve(__dirname, '../../dist/cli.js');

/** What a finished CLI process did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** A started CLI process. */
export interface CliChild {
  child: ChildProcess;
  /** Settles when the process has exited, with what it printed. */
  done: Promise<CliRun>;
}

/** Copies dist/cli.js (built by `npm run build`) into `dir` and returns the copy's path. */
export function copyCliBundle(dir: string): string {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run "npm run build" first`);
  mkdirSync(dir, { recursive: true });
  const to = join(dir, 'cli.js');
  copyFileSync(DIST_CLI, to);
  return to;
}

/** An environment that keeps the CLI away from the user's own config, credentials and temp folder. */
export function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  for (const d of ['home', 'xdg-config', 'docker', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  return { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'xdg-config'), DOCKER_CONFIG: join(dir, 'docker'), TMPDIR: join(dir, 'tmp') };
}

/** Starts `node CLI --root ROOT ...args` in its own process group. */
export function startCli(cli: string, root: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliChild {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, '--root', root, ...args], { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliRun>((res, rej) => {
    child.once('error', rej);
    child.once('close', (code, signal) => res({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done };
}

/** Runs a CLI command to completion. */
export function runCli(cli: string, root: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return startCli(cli, root, args, env, cwd).done;
}

/** Sends SIGKILL to the process and its group (a RUN sandbox dies with it); true when it was still running. */
export function killGroup(c: CliChild): boolean {
  const { child } = c;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Describes a run for an assertion message. */
export function describeRun(what: string, r: CliRun): string {
  return `${what}: exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

export { seededRandom } from './random';

/** The seed given in the environment variable `name`, else a fresh one. */
export function testSeed(name: string): number {
  const given = process.env[name];
  return given ? Number.parseInt(given, 10) : randomBytes(4).readUInt32LE(0);
}

/** Writes a tar of one file of `size` random bytes (a rootfs for `berth import`) and returns its path. */
export async function writeRandomTar(file: string, size: number): Promise<string> {
  const p = pack();
  p.entry({ name: 'data.bin', size, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) }, randomBytes(size));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** One image as `berth images -a` lists it. */
export interface ListedImage {
  id: string;
  /** `repository:tag`, or `<none>:<none>`. */
  name: string;
}

/** Every row of `berth images -a` (full IDs). */
export async function listAll(cli: string, root: string, env: NodeJS.ProcessEnv): Promise<ListedImage[]> {
  const r = await runCli(cli, root, ['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'], env);
  if (r.code !== 0) throw new Error(describeRun('berth images -a', r));
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const [id, name] = line.split(' ');
    return { id: id!, name: name! };
  });
}

/**
 * What a whole store means to a user: `berth system check` passes, and every image `berth images -a`
 * lists can be saved (all its blobs are there and readable). Returns the images listed; throws with the
 * commands' output otherwise.
 */
export async function assertStoreWhole(cli: string, root: string, env: NodeJS.ProcessEnv, scratch: string): Promise<ListedImage[]> {
  return (await checkStoreWhole(cli, root, env, scratch)).images;
}

/** {@link assertStoreWhole}, with what `berth system check` printed. */
export async function checkStoreWhole(cli: string, root: string, env: NodeJS.ProcessEnv, scratch: string): Promise<{ images: ListedImage[]; check: string }> {
  const check = await runCli(cli, root, ['system', 'check'], env);
  if (check.code !== 0) throw new Error(describeRun('berth system check', check));
  const images = await listAll(cli, root, env);
  const ids = [...new Set(images.map((i) => i.id))];
  if (ids.length) {
    const save = await runCli(cli, root, ['save', '-o', join(scratch, 'whole.tar'), ...ids], env);
    if (save.code !== 0) throw new Error(describeRun(`berth save of the ${ids.length} images listed`, save));
  }
  return { images, check: check.stdout };
}
