/**
 * The Linux programs the RUN sandbox uses, found once on the host. They come from util-linux
 * (unshare, nsenter, setpriv, mount, umount, pivot_root), coreutils (env, mkdir, ln) and GNU tar, all
 * part of every Debian and Ubuntu system; `ip` (iproute2) and `hostname` are optional.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The programs a RUN needs; a missing one is named in the error that says RUN cannot execute. */
export const REQUIRED_TOOLS = ['sh', 'unshare', 'nsenter', 'setpriv', 'mount', 'umount', 'pivot_root', 'env', 'mkdir', 'ln', 'tar'] as const;

/** Programs the sandbox uses when they are there: `ip` brings loopback up without a network, `hostname` names the sandbox. */
export const OPTIONAL_TOOLS = ['ip', 'hostname'] as const;

/** Absolute paths of the sandbox's programs. */
export type HostTools = Record<(typeof REQUIRED_TOOLS)[number], string> & Partial<Record<(typeof OPTIONAL_TOOLS)[number], string>>;

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable, searched in PATH and then the system folders. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/')), ...SYSTEM_PATH];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

let cached: { tools?: HostTools; missing: string[] } | undefined;

/** The sandbox's programs, or the names of those that are missing. */
export function hostTools(): { tools?: HostTools; missing: string[] } {
  if (cached) return cached;
  const found: Partial<HostTools> = {};
  const missing: string[] = [];
  for (const name of REQUIRED_TOOLS) {
    const path = findTool(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  for (const name of OPTIONAL_TOOLS) {
    const path = findTool(name);
    if (path) found[name] = path;
  }
  cached = missing.length ? { missing } : { tools: found as HostTools, missing };
  return cached;
}

/** The PATH the sandbox's setup script runs with: the folders of the programs it uses. */
export function toolPath(tools: HostTools): string {
  const dirs = new Set(Object.values(tools).filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, p.lastIndexOf('/'))));
  return [...dirs, ...SYSTEM_PATH.filter((d) => !dirs.has(d))].join(':');
}
