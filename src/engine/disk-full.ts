/**
 * A full disk, in words a person can act on. Node reports it as `ENOSPC: no space left on device,
 * write`, which says neither which disk nor what to do; every operation that writes to the store turns
 * it into one IO error that names the store and the way out.
 */
import { BerthError, isBerthError, sysCode } from './errors';

/** True when `e` (or an error it wraps) is a full disk or an exhausted disk quota. */
export function isDiskFull(e: unknown): boolean {
  for (let cause = e, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = sysCode(cause);
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

/** The error for a write that found the store's disk full; `what` says what was being written, when known. */
export function diskFullError(root: string, e: unknown, what?: string): BerthError {
  return new BerthError('IO', `${what ? `${what}: ` : ''}no space left on the disk that holds the store (${root}); free some space (for example "berth image prune") and try again`, { cause: e });
}

/** Runs `work`; a full disk that it did not already describe becomes {@link diskFullError}. */
export async function describingDiskFull<T>(root: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!isBerthError(e, 'IO') && isDiskFull(e)) throw diskFullError(root, e);
    throw e;
  }
}
