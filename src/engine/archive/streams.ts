/**
 * Small stream helpers shared by import, save and load: look at the first bytes of a stream without
 * losing them, and write with backpressure to Node or streamx writables.
 */
import { once } from 'node:events';

/** A stream whose first bytes have been read for sniffing; `chunks` still yields every byte. */
export interface PeekedStream {
  /** At least the requested number of bytes, unless the stream is shorter. */
  head: Buffer;
  chunks: AsyncIterable<Buffer>;
}

/** Reads the first `n` bytes of `source`; the returned `chunks` replays them and continues. */
export async function peekStream(source: AsyncIterable<Uint8Array>, n: number): Promise<PeekedStream> {
  const it = source[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let total = 0;
  let ended = false;
  while (total < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const chunk = toBuffer(r.value);
    first.push(chunk);
    total += chunk.length;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    let done = ended;
    try {
      yield* first;
      while (!done) {
        const r = await it.next();
        if (r.done) done = true;
        else yield toBuffer(r.value);
      }
    } finally {
      if (!done) await it.return?.();
    }
  }
  return { head: Buffer.concat(first), chunks: chunks() };
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The part of a Node or streamx writable that {@link writeTo} needs. */
export interface ChunkSink {
  write(chunk: Buffer): boolean;
  destroyed?: boolean;
  on(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off?(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

/** Writes a chunk and waits for the sink to drain when it asks to; fails when the sink errors or closes. */
export async function writeTo(sink: ChunkSink, chunk: Buffer): Promise<void> {
  if (sink.destroyed) throw new Error('the stream was closed before all data was written');
  if (sink.write(chunk)) return;
  await waitDrain(sink);
}

function waitDrain(sink: ChunkSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = (event: 'drain' | 'error' | 'close', fn: (...args: unknown[]) => void): void => {
      if (sink.off) sink.off(event, fn);
      else sink.removeListener?.(event, fn);
    };
    const done = (err?: unknown): void => {
      off('drain', onDrain);
      off('error', onError);
      off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (e: unknown): void => done(e ?? new Error('stream failed'));
    const onClose = (): void => done(new Error('the stream was closed before all data was written'));
    sink.on('drain', onDrain);
    sink.on('error', onError);
    sink.on('close', onClose);
  });
}

/** Resolves when a Node writable has flushed everything written so far; rejects on its error. */
export async function flushed(w: NodeJS.WritableStream & { writableNeedDrain?: boolean }): Promise<void> {
  if (w.writableNeedDrain) await once(w as never, 'drain');
  await new Promise<void>((resolve, reject) => {
    w.write(Buffer.alloc(0), (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}
