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
  /** The write of each buffer, while it runs; a buffer is refilled only after its own write is done. */
  private readonly pending: (Promise<void> | undefined)[] = [undefined, undefined];
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

  /**
   * Copies as much of `chunk` as fits without waiting and returns how many bytes it took: all of them,
   * unless the next buffer is still being written (then call {@link ready}). Full blocks start writing.
   */
  writeSome(chunk: Uint8Array): number {
    if (this.failure) throw this.failure;
    let offset = 0;
    while (offset < chunk.length && !this.pending[this.current]) {
      const n = Math.min(chunk.length - offset, BLOCK - this.fill);
      this.buffers![this.current]!.set(chunk.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === BLOCK) this.startBlock();
    }
    return offset;
  }

  /** Resolves when {@link writeSome} can take bytes again. */
  async ready(): Promise<void> {
    await this.pending[this.current];
    if (this.failure) throw this.failure;
  }

  /** Appends `chunk` (copied; the caller may reuse it once this resolves). */
  async write(chunk: Uint8Array): Promise<void> {
    let offset = this.writeSome(chunk);
    while (offset < chunk.length) {
      await this.ready();
      offset += this.writeSome(chunk.subarray(offset));
    }
  }

  /** Writes what is left, sets the file's exact length and closes it. */
  async close(): Promise<void> {
    try {
      await Promise.all(this.pending);
      if (this.failure) throw this.failure;
      if (this.fill > 0) {
        const length = this.direct ? Math.ceil(this.fill / ALIGN) * ALIGN : this.fill;
        const block = this.buffers![this.current]!;
        await this.writeAt(block, length, this.position);
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
    await Promise.all(this.pending);
    await this.release();
  }

  /** Starts writing the full current block and moves on to the other buffer. */
  private startBlock(): void {
    const index = this.current;
    const buffer = this.buffers![index]!;
    const done = this.writeAt(buffer, BLOCK, this.position).then(() => undefined, (e: unknown) => {
      this.failure ??= e;
    }).finally(() => {
      this.pending[index] = undefined;
    });
    this.pending[index] = done;
    this.position += BLOCK;
    this.fill = 0;
    this.current = 1 - index;
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
