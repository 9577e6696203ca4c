/**
 * Recognizing how a stream is compressed, by its first bytes (the same magic numbers Docker's
 * `archive.DetectCompression` reads), and the one gunzip setting every archive reader uses.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import { BerthError } from '../errors';

/** How a byte stream is compressed. */
export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** How many leading bytes {@link detectCompression} needs to decide. */
export const MAGIC_BYTES = 6;

/** The chunk size for reading, writing and inflating: big chunks keep per-chunk costs small. */
export const CHUNK = 1 << 20;

const MAGIC: [Compression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The compression that `head` (the first bytes of a stream) starts with. */
export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

/**
 * A gunzip stream with 1 MiB output chunks (about three times faster than zlib's default 16 KiB).
 * Concatenated gzip members are read as one stream, as Go's gzip reader does, so diff IDs match Docker's.
 */
export function gunzipStream(): Gunzip {
  return createGunzip({ chunkSize: CHUNK });
}

/**
 * How far a gzip stream may inflate: past {@link EXPANSION_FLOOR} inflated bytes, at most this many
 * times the compressed bytes read. Real archives and layers stay far below (text and binaries inflate
 * 2 to 10 times); a gzip bomb (deflate reaches about 1,000 times on zeros) is stopped before it fills
 * the disk or the hours.
 */
export const MAX_EXPANSION = 100;

/** Inflated bytes allowed whatever the ratio: small archives of very compressible files are fine. */
export const EXPANSION_FLOOR = 64 << 20;

/** Counts the bytes that go into an inflater and come out of it, and stops a gzip bomb (UNSAFE_ARCHIVE). */
export class ExpansionGuard {
  private compressed = 0;
  private inflated = 0;
  /** The error thrown, once the limit was passed (a pipeline may report its own abort instead). */
  tripped: BerthError | undefined;

  /** `source` names the archive in the message. */
  constructor(private readonly source: string) {}

  /** Notes `n` compressed bytes given to the inflater. */
  took(n: number): void {
    this.compressed += n;
  }

  /** Notes `n` inflated bytes; throws when the stream inflates past the limit. */
  gave(n: number): void {
    this.inflated += n;
    if (this.inflated > EXPANSION_FLOOR && this.inflated > MAX_EXPANSION * this.compressed) {
      const mb = (b: number): string => `${Math.round(b / (1 << 20))} MB`;
      const kb = (b: number): string => `${Math.ceil(b / 1024)} KB`;
      this.tripped ??= new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing a gzip bomb: ${kb(this.compressed)} of gzip already inflated to ${mb(this.inflated)}, more than ${MAX_EXPANSION} times; if you trust it, decompress it yourself first (gunzip) and give Berth the plain tar`);
      throw this.tripped;
    }
  }
}
