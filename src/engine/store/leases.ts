/**
 * Leases keep garbage collection from deleting blobs that a running writer relies on but has not yet
 * committed to the index. A writer pins a digest before it checks the blob exists or renames it into
 * place; GC moves an unreferenced blob to the trash first, reads the leases, and restores any blob
 * pinned meanwhile. Either order of the two steps leaves the pinned blob in place.
 */
import { appendFile, readdir, readFile, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../oci/digest';
import { isDigest } from '../oci/digest';
import { isProcessAlive } from './lock';
import { sysCode } from '../errors';

/** A running writer's claim on blobs it has not yet committed. */
export class Lease {
  private released = false;

  private constructor(readonly path: string) {}

  /** Opens a new lease file in `dir`. */
  static async create(dir: string): Promise<Lease> {
    await mkdir(dir, { recursive: true });
    const lease = new Lease(join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`));
    await appendFile(lease.path, '');
    return lease;
  }

  /** Records that this writer relies on these blobs; call before checking they exist. */
  async pin(...digests: Digest[]): Promise<void> {
    if (digests.length) await appendFile(this.path, digests.map((d) => d + '\n').join(''));
  }

  /** Ends the lease; call after the index references the blobs (or after giving up). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.path).catch(() => undefined);
  }
}

/** The digests pinned by live writers; removes the lease files of dead ones. */
export async function pinnedDigests(dir: string): Promise<Set<Digest>> {
  const out = new Set<Digest>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (sysCode(e) === 'ENOENT') return out;
    throw e;
  }
  for (const name of names) {
    const pid = Number.parseInt(name, 10);
    const path = join(dir, name);
    if (!isProcessAlive(pid)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (isDigest(line)) out.add(line);
  }
  return out;
}
