/**
 * Moves images from one engine to another: the `save` of one streamed straight into the `load` of the
 * other (a docker-format archive, which both backends write and read), with no temporary file. The
 * image IDs stay the same, since the config travels byte for byte.
 */
import { PassThrough } from 'node:stream';
import { BerthError, isBerthError } from './errors';
import type { ImageEngine, Progress } from './engine';
import type { LoadResult } from './archive/load';

/** Options of {@link copyBetweenEngines}. */
export interface CopyBetweenOptions {
  /** Bytes of the archive passed so far. */
  onProgress?: Progress;
  signal?: AbortSignal;
}

/** Copies `names` (tags or IDs) from `from` into `to`; resolves with what `to` loaded. */
export async function copyBetweenEngines(from: ImageEngine, to: ImageEngine, names: string[], options: CopyBetweenOptions = {}): Promise<LoadResult> {
  const pipe = new PassThrough({ highWaterMark: 1 << 20 });
  // The first failure is the one to report: the other side's ("archive ended early") only follows from it.
  let first: { side: 'save' | 'load'; error: unknown } | undefined;
  const stop = (side: 'save' | 'load', error: unknown): void => {
    first ??= { side, error };
    pipe.destroy();
  };
  const fail = (side: 'save' | 'load', error: unknown): never => {
    stop(side, error);
    throw error;
  };
  const abort = (): void => stop('save', new BerthError('CANCELLED', 'copying the images was cancelled'));
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  const saving = from.save(names, pipe, { format: 'docker', onProgress: options.onProgress }).then(() => void pipe.end(), (e: unknown) => fail('save', e));
  const loading = to.load(pipe, { sourceName: `the images of ${from.location}` }).catch((e: unknown) => fail('load', e));
  try {
    const [, loaded] = await Promise.all([saving, loading]);
    return loaded;
  } catch {
    // A failed save ends the load at once; a failed load may leave the save waiting on a pipe nobody reads.
    if (first!.side === 'save') await loading.catch(() => undefined);
    const error = first!.error;
    if (isBerthError(error)) throw error;
    throw new BerthError('IO', `copying ${names.join(', ')} from ${from.location} to ${to.location}: ${(error as Error).message}`, { cause: error });
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
