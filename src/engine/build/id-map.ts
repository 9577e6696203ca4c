/**
 * How the user and group IDs of an image (0 = root, ...) are stored on the host while Berth builds.
 *
 * A RUN step executes in a user namespace (user_namespaces(7)). Its root must not be the host's root:
 * much of the kernel guards itself only by file ownership (sysctls, /proc/sysrq-trigger), so a process
 * whose host UID is 0 could change the host from inside the sandbox. When Berth runs as root, container
 * IDs therefore start at a high host ID ({@link SHIFTED_BASE}) that no account on the host owns; the
 * unpacked root filesystem is owned by the shifted IDs and the sandbox sees them as 0, 1, ... When
 * Berth runs as an ordinary user, only that user can be mapped, and it becomes the sandbox's root.
 *
 * One map is used for the three steps of a RUN: unpacking the rootfs, running, and reading the change.
 */
import { readFileSync } from 'node:fs';
import { BerthError } from '../errors';

/** Container ID `n` (0 <= n < size) is host UID `uid + n` and host GID `gid + n`. */
export interface IdMap {
  uid: number;
  gid: number;
  size: number;
}

/** The first host ID of the shifted range used when Berth runs as root (2^31, above every ordinary account and subordinate range). */
export const SHIFTED_BASE = 2 ** 31;
/** How many IDs the shifted range holds: all of 0..2^31-3, so that any ID an image uses fits. */
export const SHIFTED_SIZE = 2 ** 31 - 2;

/** Host IDs are container IDs, for trees that never enter the sandbox (COPY sources, exports). */
export const IDENTITY: IdMap = { uid: 0, gid: 0, size: 2 ** 32 - 1 };

/** True when the map gives the sandbox more than one ID (a root-run build), so files can be given any owner. */
export function canChown(map: IdMap): boolean {
  return map.size > 1;
}

/** The host UID of container UID `id`; throws when the map has no room for it. */
export function hostUid(map: IdMap, id: number, what: string): number {
  return map.uid + inRange(map, id, 'user', what);
}

/** The host GID of container GID `id`; throws when the map has no room for it. */
export function hostGid(map: IdMap, id: number, what: string): number {
  return map.gid + inRange(map, id, 'group', what);
}

/** The container UID of a host UID, or undefined when the host UID lies outside the map. */
export function containerUid(map: IdMap, host: number): number | undefined {
  const id = host - map.uid;
  return id >= 0 && id < map.size ? id : undefined;
}

/** The container GID of a host GID, or undefined when the host GID lies outside the map. */
export function containerGid(map: IdMap, host: number): number | undefined {
  const id = host - map.gid;
  return id >= 0 && id < map.size ? id : undefined;
}

function inRange(map: IdMap, id: number, kind: string, what: string): number {
  if (Number.isInteger(id) && id >= 0 && id < map.size) return id;
  const why = map.size === 1
    ? 'Berth runs as an ordinary user here, so a build can only use root (0); run the build as root for images whose files belong to other users'
    : `the sandbox maps ${kind} IDs 0 to ${map.size - 1}`;
  throw new BerthError('UNSUPPORTED', `${what}: ${kind} ID ${id} cannot be used: ${why}`);
}

let cached: IdMap | undefined;

/**
 * The map a build uses on this machine: the shifted range when this process is root and its own user
 * namespace holds that range (the initial namespace does), else the current user alone.
 */
export function sandboxIdMap(): IdMap {
  if (cached) return cached;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const privileged = process.geteuid?.() === 0 && covers('/proc/self/uid_map') && covers('/proc/self/gid_map');
  cached = privileged ? { uid: SHIFTED_BASE, gid: SHIFTED_BASE, size: SHIFTED_SIZE } : { uid, gid, size: 1 };
  return cached;
}

/** True when this process's ID map (uid_map or gid_map) contains the whole shifted range. */
function covers(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((line) => {
    const [inside, , count] = line.trim().split(/\s+/).map(Number);
    return inside !== undefined && count !== undefined && inside <= SHIFTED_BASE && inside + count >= SHIFTED_BASE + SHIFTED_SIZE;
  });
}
