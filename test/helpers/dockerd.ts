/**
 * A real dockerd for tests, as TESTING.md describes: vfs storage, no iptables, no bridge, its own
 * data-root, exec-root and socket in a temporary folder. Ready when it logs that its API listens and
 * `docker info` answers; stopped by signalling its process group and waiting for it to exit.
 * Requires /usr/sbin/dockerd (Debian's docker.io) and root.
 */
import { stopGroup } from './process';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The dockerd binary and the client used against it. */
export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER = '/usr/bin/docker';

/** A running dockerd. */
export interface Dockerd {
  /** The unix socket it listens on. */
  socket: string;
  /** Runs the docker client against this daemon; resolves with its standard output. */
  docker(args: string[], options?: { input?: string }): Promise<string>;
  /** Stops the daemon (its whole process group) and removes its folders. */
  stop(): Promise<void>;
}

/** True when this machine can run the daemon (the binaries exist and we are root). */
export function canRunDockerd(): boolean {
  return existsSync(DOCKERD) && existsSync(DOCKER) && process.getuid?.() === 0;
}

/** Options of {@link startDockerd}. */
export interface DockerdOptions {
  timeoutMs?: number;
  /** Registries (`127.0.0.1:PORT`) that may be reached over plain HTTP, as a test registry needs. */
  insecureRegistries?: string[];
  /** Also listen on `tcp://127.0.0.1:PORT` with TLS, requiring client certificates signed by `ca`. */
  tcpTls?: { port: number; ca: string; cert: string; key: string };
}

/** Starts a dockerd and waits until it answers; fails after `timeoutMs` with its log. */
export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const config = {
    'storage-driver': 'vfs',
    iptables: false,
    'ip-masq': false,
    bridge: 'none',
    'data-root': join(dir, 'data'),
    'exec-root': join(dir, 'exec'),
    pidfile: join(dir, 'docker.pid'),
    hosts: [`unix://${socket}`, ...(options.tcpTls ? [`tcp://127.0.0.1:${options.tcpTls.port}`] : [])],
    ...(options.insecureRegistries?.length ? { 'insecure-registries': options.insecureRegistries } : {}),
    ...(options.tcpTls ? { tls: true, tlsverify: true, tlscacert: options.tcpTls.ca, tlscert: options.tcpTls.cert, tlskey: options.tcpTls.key } : {}),
  };
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify(config));
  const child = spawn(DOCKERD, ['--config-file', join(dir, 'daemon.json')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const docker = async (args: string[]): Promise<string> => (await run(DOCKER, ['-H', `unix://${socket}`, ...args], { maxBuffer: 64 << 20 })).stdout;
  const stop = async (): Promise<void> => {
    await stopGroup(child, 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForApi(child, (text) => (log += text), options.timeoutMs ?? 60_000);
    await docker(['info']);
  } catch (e) {
    await stop();
    throw new Error(`dockerd did not start: ${(e as Error).message}\n${log.slice(-4000)}`);
  }
  return { socket, docker, stop };
}

/** Resolves when dockerd logs "API listen on"; rejects when it exits first or time runs out. */
function waitForApi(child: ChildProcess, onLog: (text: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (b: Buffer): void => {
      const text = b.toString();
      onLog(text);
      if (text.includes('API listen on')) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`dockerd exited with code ${code}`));
    function finish(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.stdout?.resume();
      child.stderr?.resume();
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

