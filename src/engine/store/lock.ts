/**
 * A lock file shared by every process that uses one store (the CLI, VS Code windows, the language
 * server). It is created with O_EXCL and holds the owner's PID; a lock whose owner is dead (killed
 * mid-operation) is broken by the next process that wants it; an empty one (its owner killed between
 * creating it and writing its PID) after a few seconds.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { BerthError, sysCode } from '../errors';

/** Options of {@link withFileLock}. */
export interface LockOptions {
  /** How long to wait for another process before giving up (ms). */
  timeoutMs?: number;
}

/** True when a process with this PID exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return sysCode(e) === 'EPERM';
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o644);
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if (sysCode(e) === 'EEXIST') return false;
    throw e;
  }
}

async function readOwner(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (sysCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function ownerPid(content: string): number {
  return Number.parseInt(content.split('\n')[0] ?? '', 10);
}

/** How long a lock file may stay without its owner's PID before it counts as abandoned. */
const UNWRITTEN_GRACE_MS = 5_000;

/**
 * True when the lock file's owner is gone. A file is created empty and its owner writes its PID right
 * after: an empty (or cut) file belongs to a live process still writing, unless it has stayed so for a
 * while (its owner was killed between the two steps).
 */
async function isAbandoned(path: string, content: string): Promise<boolean> {
  if (content.endsWith('\n') && Number.isInteger(ownerPid(content))) return !isProcessAlive(ownerPid(content));
  const mtime = (await stat(path).catch(() => undefined))?.mtimeMs;
  return mtime !== undefined && Date.now() - mtime > UNWRITTEN_GRACE_MS;
}

/** True when the lock file at `path` exists and its owner is alive (or still writing its PID). */
export async function isLockHeld(path: string): Promise<boolean> {
  const content = await readOwner(path);
  return content !== undefined && !(await isAbandoned(path, content));
}

/** True when the lock file at `path` exists and its owner is gone (see {@link withFileLock}). */
export async function isLockAbandoned(path: string): Promise<boolean> {
  const content = await readOwner(path);
  return content !== undefined && (await isAbandoned(path, content));
}

/** Removes `path` when its owner is dead; a second, short-lived lock keeps two breakers apart. */
async function breakIfStale(path: string, seen: string): Promise<void> {
  if (!(await isAbandoned(path, seen))) return;
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, `${process.pid}\n`))) {
    const other = await readOwner(breaker);
    if (other !== undefined && (await isAbandoned(breaker, other))) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    if ((await readOwner(path)) === seen) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/** Runs `fn` while holding the lock file at `path`, waiting for other holders. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const token = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  const start = Date.now();
  let wait = 2;
  for (;;) {
    if (await tryCreate(path, token)) break;
    const seen = await readOwner(path);
    if (seen !== undefined) await breakIfStale(path, seen);
    if (Date.now() - start > timeoutMs) {
      const pid = seen === undefined ? 'unknown' : String(ownerPid(seen));
      throw new BerthError('LOCK_TIMEOUT', `the store is locked by process ${pid} (${path}); waited ${Math.round(timeoutMs / 1000)}s. If that process is hung, stop it and try again.`);
    }
    await delay(wait);
    wait = Math.min(wait * 2, 50);
  }
  try {
    return await fn();
  } finally {
    if ((await readOwner(path)) === token) await unlink(path).catch(() => undefined);
  }
}
