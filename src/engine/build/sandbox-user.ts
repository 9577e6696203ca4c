/**
 * The user a RUN executes as, found in the image's /etc/passwd and /etc/group as runc does
 * (libcontainer/user `GetExecUser`): `name`, `uid`, `name:group`, `uid:gid` and mixtures. A name must
 * exist in the files; a number need not. Without an explicit group, the user's groups in /etc/group
 * become its supplementary groups. https://docs.docker.com/reference/dockerfile/#user
 */
import { lstat, readFile } from 'node:fs/promises';
import { BerthError } from '../errors';
import { resolveInRoot } from './root-path';

/** Who a command runs as, in container IDs. */
export interface ExecUser {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
  /** The home folder from /etc/passwd (`/` when the user has no entry), for HOME. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NUMBER = /^[0-9]+$/;

/** Resolves `spec` (`user[:group]`; empty means 0, root) against the passwd and group files of `rootfs`. */
export async function resolveUser(rootfs: string, spec: string | undefined): Promise<ExecUser> {
  const text = (spec ?? '').trim();
  const [userPart = '', groupPart] = splitOnce(text === '' ? '0' : text);
  const passwd = (await imageFile(rootfs, 'etc/passwd')).map(parsePasswd).filter((e): e is PasswdEntry => e !== undefined);
  const numericUser = NUMBER.test(userPart);
  const entry = passwd.find((e) => (numericUser ? e.uid === Number(userPart) : e.name === userPart));
  if (!entry && !numericUser) {
    throw new BerthError('INVALID_ARGUMENT', `unable to find user ${userPart}: no matching entries in passwd file`);
  }
  const user = { uid: entry?.uid ?? Number(userPart), gid: entry?.gid ?? 0, home: entry?.home || '/' };
  if (groupPart === undefined && !entry) return { ...user, groups: [] };
  const groups = (await imageFile(rootfs, 'etc/group')).map(parseGroup).filter((g): g is GroupEntry => g !== undefined);
  if (groupPart === undefined) {
    return { ...user, groups: groups.filter((g) => g.members.includes(entry!.name)).map((g) => g.gid) };
  }
  if (NUMBER.test(groupPart)) return { ...user, gid: Number(groupPart), groups: [] };
  const group = groups.find((g) => g.name === groupPart);
  if (!group) throw new BerthError('INVALID_ARGUMENT', `unable to find group ${groupPart}: no matching entries in group file`);
  return { ...user, gid: group.gid, groups: [] };
}

function splitOnce(spec: string): [string, string?] {
  const i = spec.indexOf(':');
  return i < 0 ? [spec] : [spec.slice(0, i), spec.slice(i + 1)];
}

/** The lines of a file of the image (none when it is missing or not a regular file). */
async function imageFile(rootfs: string, path: string): Promise<string[]> {
  const { host } = resolveInRoot(rootfs, path, { followLast: true });
  const st = await lstat(host).catch(() => undefined);
  if (!st?.isFile()) return [];
  return (await readFile(host, 'utf8')).split('\n');
}

function parsePasswd(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 4 || line.startsWith('#') || !NUMBER.test(f[2]!) || !NUMBER.test(f[3]!)) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' };
}

function parseGroup(line: string): GroupEntry | undefined {
  const f = line.split(':');
  if (f.length < 3 || line.startsWith('#') || !NUMBER.test(f[2]!)) return undefined;
  return { name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) };
}
