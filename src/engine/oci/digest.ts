/**
 * Content digests (OCI image spec, descriptor.md#digests). Berth stores and verifies sha256 only,
 * the one algorithm every registry and tool supports.
 */
import { createHash, type Hash } from 'node:crypto';
import { BerthError } from '../errors';

/** A digest string such as `sha256:9f86d0...` (64 lowercase hex digits). */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** True when `s` is a well-formed sha256 digest. */
export function isDigest(s: unknown): s is Digest {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

/** Checks `s` is a sha256 digest and returns it typed; refuses anything else (so a digest is safe in a path). */
export function asDigest(s: unknown, what = 'digest'): Digest {
  if (!isDigest(s)) throw new BerthError('INVALID_MANIFEST', `invalid ${what} ${JSON.stringify(s)}: expected sha256: and 64 lowercase hex digits`);
  return s;
}

/** The 64 hex digits of a digest. */
export function hexOf(d: Digest): string {
  return d.slice(7);
}

/** The sha256 digest of some bytes. */
export function digestOf(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A running sha256 with a byte count, for streams. */
export class Digester {
  private hash: Hash = createHash('sha256');
  size = 0;

  /** Starts again from nothing. */
  reset(): void {
    this.hash = createHash('sha256');
    this.size = 0;
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** The 12-character short form Docker prints for an image ID. */
export function shortId(d: string): string {
  return (d.startsWith('sha256:') ? d.slice(7) : d).slice(0, 12);
}
