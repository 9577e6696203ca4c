/**
 * Writing a tar archive to a stream with tar-stream's pack: whole small files, streamed big ones,
 * folders. Entries are owned by root with a fixed time (1970-01-01), so the same images make the same
 * archive. Backpressure holds end to end; a failure of the destination stops the writer.
 */
import type { Writable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import { writeTo } from './streams';

const EPOCH = new Date(0);

/** A tar archive being written to `out`; call {@link TarWriter.finish} at the end, or {@link TarWriter.abort}. */
export class TarWriter {
  private readonly pack: Pack = tarPack({ highWaterMark: 4 << 20 } as never);
  private readonly pumping: Promise<void>;
  private outError: unknown;
  private written = 0;
  private readonly onOutError = (e: unknown): void => {
    this.outError ??= e;
    this.pack.destroy(e as Error);
  };

  constructor(private readonly out: Writable, private readonly onProgress?: (bytes: number) => void) {
    out.on('error', this.onOutError);
    // Failures reach the caller through the entry callbacks and the pump; a streamx stream destroyed
    // with an error also emits it, which must not go unheard.
    this.pack.on('error', () => undefined);
    this.pumping = this.pump();
    this.pumping.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      for await (const chunk of this.pack as AsyncIterable<Buffer>) {
        await writeTo(this.out, chunk);
        this.written += chunk.length;
        this.onProgress?.(this.written);
      }
    } catch (e) {
      this.onOutError(e);
      throw e;
    }
  }

  /** Adds a file whose content is in memory. */
  addFile(name: string, data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ name, size: data.length, mode: 0o644, mtime: EPOCH, uid: 0, gid: 0 }, Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => (err ? reject(this.failure(err)) : resolve()));
    });
  }

  /** Adds a folder entry. */
  addFolder(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ name, type: 'directory', mode: 0o755, mtime: EPOCH, uid: 0, gid: 0 }, (err) => (err ? reject(this.failure(err)) : resolve()));
    });
  }

  /** Adds a file of `size` bytes streamed from `chunks`; fails if the chunks are not exactly that size. */
  async addStream(name: string, size: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    let settle!: (err?: Error | null) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(this.failure(err)) : resolve());
    });
    done.catch(() => undefined);
    const sink = this.pack.entry({ name, size, mode: 0o644, mtime: EPOCH, uid: 0, gid: 0, type: 'file' }, (err) => settle(err));
    sink.on('error', () => undefined);
    try {
      for await (const chunk of chunks) await writeTo(sink as never, chunk);
    } catch (e) {
      sink.destroy(e as Error);
      throw this.outError ?? e;
    }
    sink.end(undefined);
    await done;
  }

  /** Ends the archive and waits until every byte is handed to `out` (which stays open). */
  async finish(): Promise<void> {
    this.pack.finalize();
    try {
      await this.pumping;
    } catch (e) {
      throw this.failure(e);
    } finally {
      this.out.off('error', this.onOutError);
    }
    if (this.outError) throw this.outError;
  }

  /** Stops writing after a failure; the archive is incomplete. */
  async abort(reason: unknown): Promise<void> {
    this.pack.destroy(reason as Error);
    await this.pumping.catch(() => undefined);
    this.out.off('error', this.onOutError);
  }

  private failure(e: unknown): unknown {
    return this.outError ?? e;
  }
}
