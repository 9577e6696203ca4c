/**
 * Starting the sandbox's processes and following them to the end.
 *
 * As root, the build's user namespace is made first by a small holder process (`unshare --user`), whose
 * ID maps Berth writes itself (the shifted range of {@link IdMap}; util-linux would need newuidmap and
 * /etc/subuid for that); stage 1 then enters it with nsenter, which makes it the namespace's root. As an
 * ordinary user, stage 1 makes its own namespace with `unshare --map-root-user`.
 *
 * The control channel (fd 3) reports each setup step, the host PID of the sandbox's PID 1 (to kill it,
 * which ends every process of the sandbox), and `@ready` just before the command is executed: an exit
 * before that is a setup failure, explained from the step it happened in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { BerthError } from '../errors';
import type { IdMap } from './id-map';
import type { HostTools } from './host-tools';

/** What {@link startSandbox} needs. */
export interface SandboxLaunch {
  tools: HostTools;
  ids: IdMap;
  /** True to make the user namespace with the holder and nsenter (root runs). */
  privileged: boolean;
  runFolder: string;
  stage1: string;
  /** Extra environment of the setup scripts (BERTH_*). */
  env: Record<string, string>;
  /** The command line stage 2 execs (env -i ... -- command). */
  argv: string[];
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
}

/** How a sandbox ended. */
export type SandboxEnd =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'cancelled' }
  | { kind: 'setup-failed'; step: string | undefined; message: string };

/** Runs the sandbox to its end; never leaves a process behind. */
export async function runSandboxProcesses(launch: SandboxLaunch): Promise<SandboxEnd> {
  const holder = launch.privileged ? await startHolder(launch) : undefined;
  if (typeof holder === 'string') return { kind: 'setup-failed', step: undefined, message: holder };
  try {
    return await follow(launch, holder);
  } finally {
    if (holder && holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
  }
}

/** The holder of the build's user namespace, with its ID maps written; or why it could not be made. */
async function startHolder(launch: SandboxLaunch): Promise<ChildProcess | string> {
  const { tools, ids } = launch;
  const holder = spawn(tools.unshare, ['--user', '--', tools.sh, '-c', 'echo ready; read _'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const errors = collect(holder.stderr!);
  holder.stdin!.on('error', () => undefined);
  const started = await new Promise<boolean>((resolve) => {
    holder.stdout!.once('data', () => resolve(true));
    holder.once('close', () => resolve(false));
    holder.once('error', () => resolve(false));
  });
  if (!started) return errors().trim() || 'unshare --user failed';
  try {
    writeFileSync(`/proc/${holder.pid}/uid_map`, `0 ${ids.uid} ${ids.size}\n`);
    writeFileSync(`/proc/${holder.pid}/gid_map`, `0 ${ids.gid} ${ids.size}\n`);
  } catch (e) {
    holder.kill('SIGKILL');
    return `writing the ID map of the build's user namespace: ${(e as Error).message}`;
  }
  return holder;
}

async function follow(launch: SandboxLaunch, holder: ChildProcess | undefined): Promise<SandboxEnd> {
  const { tools } = launch;
  const userns = launch.privileged ? [] : ['--user', '--map-root-user'];
  const argv = [tools.setpriv, '--pdeathsig', 'KILL', '--', tools.unshare, ...userns, '--mount', '--propagation', 'private', '--', tools.sh, '-c', launch.stage1, 'berth-sandbox', ...launch.argv];
  const env = { ...launch.env, ...(holder ? { BERTH_HOLDER: String(holder.pid) } : {}) };
  const child = spawn(argv[0]!, argv.slice(1), { cwd: launch.runFolder, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const control = new ControlChannel(child.stdio[3] as Readable);
  child.stdout!.on('data', (c: Buffer) => launch.onOutput?.(c, 'stdout'));
  child.stderr!.on('data', (c: Buffer) => launch.onOutput?.(c, 'stderr'));
  let pid1: number | undefined;
  control.onPid = () => {
    pid1 = childPid(child.pid!);
    holder?.stdin!.end();
  };
  let cancelled = false;
  const kill = (): void => {
    cancelled = true;
    const target = pid1 ?? child.pid;
    try {
      if (target !== undefined) process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  if (launch.signal?.aborted) kill();
  launch.signal?.addEventListener('abort', kill, { once: true });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (e) => {
      control.messages.push(e.message);
      resolve([null, null]);
    });
    child.once('close', (c, s) => resolve([c, s]));
  });
  launch.signal?.removeEventListener('abort', kill);
  if (cancelled) return { kind: 'cancelled' };
  if (!control.ready) return { kind: 'setup-failed', step: control.step, message: control.messages.join('\n').trim() || `exit code ${code ?? signal}` };
  return { kind: 'exited', exitCode: code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0) };
}

/** The first child of a process (the sandbox's PID 1 is the only child of unshare --fork). */
function childPid(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** Lines from the setup scripts: `@step NAME`, `@pid`, `@ready`, or error text. */
class ControlChannel {
  step: string | undefined;
  ready = false;
  readonly messages: string[] = [];
  onPid: () => void = () => undefined;
  private rest = '';

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => this.take(text));
    stream.on('error', () => undefined);
  }

  private take(text: string): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('@step ')) this.step = line.slice(6);
      else if (line === '@pid') this.onPid();
      else if (line === '@ready') this.ready = true;
      else if (line.trim() !== '') this.messages.push(line);
    }
  }
}

function collect(stream: Readable): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

/** The error for a sandbox that could not be set up. */
export function setupError(step: string | undefined, message: string, hint: string): BerthError {
  const detail = message.replace(/\s+/g, ' ').trim();
  if (step === undefined || step === 'lower' || step === 'namespaces') {
    return new BerthError('UNSUPPORTED', `RUN needs Linux user namespaces, which this machine does not allow (${detail || 'unshare failed'}). ${hint}`);
  }
  if (step === 'overlay') {
    return new BerthError('UNSUPPORTED', `RUN needs overlayfs mounted in a user namespace (Linux 5.11 or newer), which this machine does not allow (${detail}). ${hint}`);
  }
  return new BerthError('IO', `setting up the RUN sandbox failed at its "${step}" step: ${detail || 'no message'}`);
}
