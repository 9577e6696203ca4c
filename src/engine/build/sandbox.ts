/**
 * RUN without a daemon: a command executed rootless over an image's unpacked root filesystem, its
 * changes caught in an overlayfs upper folder that {@link layerFromChange} turns into a layer.
 *
 * The command runs in new user, mount, PID, UTS and IPC namespaces (and a network namespace with only
 * loopback for `network: 'none'`), as PID 1, chrooted into the overlay with /proc, a minimal /dev and,
 * for the default network, the host's network with copies of its /etc/hosts and /etc/resolv.conf.
 * See sandbox-script.ts for the steps and id-map.ts for why root's files are owned by shifted IDs.
 * Nothing is mounted in Berth's own mount namespace, and killing the sandbox's PID 1 ends every
 * process in it, so after {@link RunResult.cleanup} (or a failure, or a cancel) nothing remains.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BerthError, isBerthError } from '../errors';
import { canChown, hostGid, hostUid, sandboxIdMap, type IdMap } from './id-map';
import { hostTools, toolPath, type HostTools } from './host-tools';
import { resolveInRoot } from './root-path';
import { makeRunFolder } from './sandbox-folder';
import { runSandboxProcesses, setupError } from './sandbox-process';
import { stage1Script, stage2Script, type ScriptPlan } from './sandbox-script';
import { resolveUser, type ExecUser } from './sandbox-user';

/** What to run, and where. */
export interface RunOptions {
  /** The unpacked root filesystem; it is not changed. */
  lower: string;
  /** The argv to execute: `['/bin/sh', '-c', 'make']` for the shell form, the array for the exec form. */
  command: string[];
  /** The environment, `NAME=value` each, exactly as the command gets it (PATH and HOME are added when missing). */
  env: string[];
  /** The working folder inside the image, created when missing. */
  workdir: string;
  /** `user`, `uid`, `user:group` or `uid:gid`, names looked up in the image; root when omitted. */
  user?: string;
  network: 'default' | 'none';
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Aborting kills the command; runInSandbox then rejects with CANCELLED. */
  signal?: AbortSignal;
  /** How container IDs are stored on the host; the sandbox's map by default (the one {@link unpackLayers} used). */
  ids?: IdMap;
}

/** A finished RUN. */
export interface RunResult {
  /** The command's exit code (128 + N when signal N ended it). */
  exitCode: number;
  /** The overlay upper folder: the command's change, for {@link layerFromChange}. */
  upper: string;
  /** Deletes the upper folder and the rest of the run folder. */
  cleanup(): Promise<void>;
}

/** Docker's default PATH, which a RUN gets when the image sets none (moby oci.DefaultPathEnv). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const HINT = 'Use the Docker Engine backend: berth --engine docker build …';

/** Runs a command in a sandbox over `options.lower`; see the module comment. */
export async function runInSandbox(options: RunOptions): Promise<RunResult> {
  const tools = sandboxTools();
  if (options.signal?.aborted) throw cancelled();
  if (options.command.length === 0) throw new BerthError('INVALID_ARGUMENT', 'RUN needs a command');
  const bad = options.env.find((e) => e.indexOf('=') <= 0);
  if (bad !== undefined) throw new BerthError('INVALID_ARGUMENT', `RUN environment entry "${bad}" is not NAME=value`);
  const lower = resolve(options.lower);
  if (!(await lstat(lower).catch(() => undefined))?.isDirectory()) throw new BerthError('NOT_FOUND', `the root filesystem ${lower} is not a folder`);
  const ids = options.ids ?? sandboxIdMap();
  const user = await resolveUser(lower, options.user);
  const privileged = canChown(ids);
  // The user's own group comes first among its groups, as Docker (moby's getUser) and buildah set them.
  // An ordinary user's namespace holds one ID, and setgroups(2) is denied in it: no supplementary groups.
  const groups = privileged ? [user.gid, ...user.groups.filter((g) => g !== user.gid)] : undefined;
  for (const g of [user.gid, ...(groups ?? [])]) hostGid(ids, g, `USER ${options.user ?? 'root'}`);
  hostUid(ids, user.uid, `USER ${options.user ?? 'root'}`);
  const workdir = resolveInRoot(lower, options.workdir || '/', { followLast: true });
  const makeWorkdir = !workdirExists(lower, workdir.inside, options.workdir);

  const plan: ScriptPlan = { enterUserNamespace: privileged, network: options.network, tools, hostRoot: hostRootPlan(tools), ldCache: existsSync('/etc/ld.so.cache'), makeWorkdir };
  const folder = await makeRunFolder(lower, ids, options.network, tools.unshare);
  const argv = commandLine(tools, options, { ...user, groups }, workdir.inside);
  try {
    const end = await runSandboxProcesses({
      tools, ids, privileged, runFolder: folder.path, stage1: stage1Script(plan), argv,
      env: { PATH: toolPath(tools), BERTH_LOWER: lower, BERTH_STAGE2: stage2Script(plan), BERTH_WORKDIR: workdir.inside },
      onOutput: options.onOutput, signal: options.signal,
    });
    if (end.kind === 'cancelled') throw cancelled();
    if (end.kind === 'setup-failed') throw setupError(end.step, [end.message, restriction()].filter(Boolean).join('; '), HINT);
    let removed: Promise<void> | undefined;
    return { exitCode: end.exitCode, upper: folder.upper, cleanup: () => (removed ??= folder.remove()) };
  } catch (e) {
    await folder.remove();
    if (isBerthError(e)) throw e;
    throw new BerthError('IO', `running ${JSON.stringify(options.command)}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * What stage 2 execs once the sandbox is ready: `env -i` sets exactly the command's environment,
 * setpriv its group and supplementary groups (kept as they are without a privileged map, where
 * setgroups is denied), and unshare chroots into the overlay, changes to the working folder, drops to
 * the user and execs the command.
 */
function commandLine(tools: HostTools, options: RunOptions, user: Omit<ExecUser, 'groups'> & { groups?: number[] }, workdir: string): string[] {
  const groups = user.groups === undefined ? '--keep-groups' : user.groups.length ? `--groups=${user.groups.join(',')}` : '--clear-groups';
  return [
    tools.env, '-i', '--', ...withDefaults(options.env, user.home),
    tools.setpriv, `--regid=${user.gid}`, groups, '--',
    tools.unshare, '--root=/m', `--wd=/${workdir}`, ...(user.uid !== 0 ? [`--setuid=${user.uid}`] : []), '--',
    ...options.command,
  ];
}

/** True when the working folder exists; throws when a file stands where it or one of its parents must be. */
function workdirExists(lower: string, inside: string, asGiven: string): boolean {
  const parts = inside === '' ? [] : inside.split('/');
  for (let i = parts.length; i >= 0; i--) {
    const st = (() => {
      try {
        return lstatSync(join(lower, ...parts.slice(0, i)));
      } catch {
        return undefined;
      }
    })();
    if (!st) continue;
    if (st.isDirectory()) return i === parts.length;
    throw new BerthError('INVALID_ARGUMENT', `the working folder ${asGiven} cannot be made: /${parts.slice(0, i).join('/')} is not a folder in the image`);
  }
  return false;
}

/** The host programs, after checking that this machine can run a sandbox at all. */
function sandboxTools(): HostTools {
  if (process.platform !== 'linux') {
    throw new BerthError('UNSUPPORTED', `RUN needs Linux user namespaces, which this machine does not have (it runs ${process.platform}). ${HINT}`);
  }
  const { tools, missing } = hostTools();
  if (!tools) throw new BerthError('UNSUPPORTED', `RUN needs the Linux programs ${missing.join(', ')} (util-linux, coreutils, tar), which this machine does not have. ${HINT}`);
  const max = readNumber('/proc/sys/user/max_user_namespaces');
  if (max === 0) throw new BerthError('UNSUPPORTED', `RUN needs Linux user namespaces, which this machine does not allow (user.max_user_namespaces is 0). ${HINT}`);
  if (process.geteuid?.() !== 0 && readNumber('/proc/sys/kernel/unprivileged_userns_clone') === 0) {
    throw new BerthError('UNSUPPORTED', `RUN needs Linux user namespaces, which this machine does not allow for ordinary users (kernel.unprivileged_userns_clone is 0). ${HINT}`);
  }
  return tools;
}

/** Ubuntu's AppArmor lets ordinary users make user namespaces but takes their capabilities away. */
function restriction(): string | undefined {
  if (process.geteuid?.() === 0 || readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') !== 1) return undefined;
  return 'kernel.apparmor_restrict_unprivileged_userns is 1';
}

function readNumber(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The environment with Docker's defaults: PATH when the image sets none, HOME from /etc/passwd. */
function withDefaults(env: string[], home: string): string[] {
  const names = new Set(env.map((e) => e.slice(0, e.indexOf('='))));
  return [...env, ...(names.has('PATH') ? [] : [`PATH=${DEFAULT_PATH}`]), ...(names.has('HOME') ? [] : [`HOME=${home}`])];
}

/** What the sandbox's tmpfs root takes from the host: the program folders (as folders or links). */
function hostRootPlan(tools: HostTools): ScriptPlan['hostRoot'] {
  const names = new Set(['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']);
  for (const path of Object.values(tools)) if (typeof path === 'string') names.add(path.split('/')[1]!);
  const plan: ScriptPlan['hostRoot'] = [];
  for (const name of [...names].sort()) {
    const st = (() => {
      try {
        return lstatSync(`/${name}`);
      } catch {
        return undefined;
      }
    })();
    if (st?.isSymbolicLink()) plan.push({ name, link: readlinkSync(`/${name}`) });
    else if (st?.isDirectory()) plan.push({ name });
  }
  return plan;
}

function cancelled(): BerthError {
  return new BerthError('CANCELLED', 'the RUN command was cancelled');
}
