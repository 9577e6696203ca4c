/**
 * Writing a big file front to back, as archives and layers are written. Data is gathered in 4 MiB
 * blocks, and one block is written while the next fills. On Linux the file is opened with O_DIRECT,
 * so the data goes to the disk without first being copied into fresh page-cache memory: on machines
 * where fresh memory is expensive (virtual machines that hand freed memory back to their host), that
 * copy costs more than the disk write itself. Where O_DIRECT is not available (other systems, tmpfs)
 * or refused, the same blocks are written through the page cache.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { sysCode } from '../errors';

/** The part of the WebAssembly global used here (the compiler's ES library has no WebAssembly types). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };

const BLOCK = 4 << 20;
/** O_DIRECT needs buffers, offsets and lengths aligned to the device's logical block; 4 KiB covers them all. */
const ALIGN = 4096;
const WASM_PAGE = 65536;

/** Pairs of aligned 4 MiB buffers, kept for reuse so that writing a file touches no fresh memory. */
const pool: Buffer[][] = [];

function takeBuffers(): Buffer[] {
  const free = pool.pop();
  if (free) return free;
  // WebAssembly memory starts on a page boundary, which gives the alignment O_DIRECT needs.
  const memory = new WebAssembly.Memory({ initial: (2 * BLOCK) / WASM_PAGE });
  return [Buffer.from(memory.buffer, 0, BLOCK), Buffer.from(memory.buffer, BLOCK, BLOCK)];
}

/** A file being written sequentially; {@link SequentialFile.close} it, or {@link SequentialFile.abort} on failure. */
export class SequentialFile {
  private buffers: Buffer[] | undefined = takeBuffers();
  private current = 0;
  private fill = 0;
  private position = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(private fh: FileHandle, private direct: boolean, readonly path: string) {}

  /** Creates `path` (it must not exist) for writing. */
  static async create(path: string): Promise<SequentialFile> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    if (constants.O_DIRECT !== undefined) {
      try {
        return new SequentialFile(await open(path, flags | constants.O_DIRECT, 0o644), true, path);
      } catch (e) {
        if (sysCode(e) !== 'EINVAL') throw e;
      }
    }
    return new SequentialFile(await open(path, flags, 0o644), false, path);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.position + this.fill;
  }

  /** Appends `chunk` (copied; the caller may reuse it once this resolves). */
  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const buffer = this.buffers![this.current]!;
      const n = Math.min(chunk.length - offset, BLOCK - this.fill);
      buffer.set(chunk.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === BLOCK) await this.flushBlock();
    }
  }

  /** Writes what is left, sets the file's exact length and closes it. */
  async close(): Promise<void> {
    try {
      await this.inFlight;
      if (this.fill > 0) {
        const length = this.direct ? Math.ceil(this.fill / ALIGN) * ALIGN : this.fill;
        await this.writeAt(this.buffers![this.current]!, length, this.position);
        this.position += this.fill;
        // The last block was padded to the alignment: cut the file back to its real length.
        if (length !== this.fill) await this.fh.truncate(this.position);
        this.fill = 0;
      }
    } finally {
      await this.release();
    }
    if (this.failure) throw this.failure;
  }

  /** Stops writing and closes the file (the caller removes it). */
  async abort(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.release();
  }

  /** Starts writing the full block, after the previous write has finished (its buffer is the one to fill next). */
  private async flushBlock(): Promise<void> {
    const buffer = this.buffers![this.current]!;
    const at = this.position;
    await this.inFlight;
    if (this.failure) throw this.failure;
    this.inFlight = this.writeAt(buffer, BLOCK, at).catch((e: unknown) => {
      this.failure ??= e;
    });
    this.position += BLOCK;
    this.fill = 0;
    this.current = 1 - this.current;
  }

  private async writeAt(buffer: Buffer, length: number, at: number): Promise<void> {
    try {
      await this.writeFully(buffer, length, at);
    } catch (e) {
      if (!this.direct || sysCode(e) !== 'EINVAL') throw e;
      // The file system took O_DIRECT at open but refuses the write: go on through the page cache.
      const old = this.fh;
      this.fh = await open(this.path, constants.O_WRONLY, 0o644);
      this.direct = false;
      await old.close().catch(() => undefined);
      await this.writeFully(buffer, length, at);
    }
  }

  private async writeFully(buffer: Buffer, length: number, at: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.fh.write(buffer, done, length - done, at + done);
      done += bytesWritten;
    }
  }

  private async release(): Promise<void> {
    if (this.buffers) pool.push(this.buffers);
    this.buffers = undefined;
    await this.fh.close().catch(() => undefined);
  }
}
