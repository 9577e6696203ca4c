/**
 * Reading a tar stream entry by entry with tar-stream, with the archive's name in every error. The
 * caller must read (or drain) each entry before asking for the next one.
 */
import { extract, type Header } from 'tar-stream';
import { BerthError } from '../errors';
import { writeTo } from './streams';

/** One entry of a tar stream: its header and its content. */
export interface TarEntry extends AsyncIterable<Buffer> {
  header: Header;
}

/**
 * The entries of the tar carried by `chunks`. A malformed or truncated tar ends the iteration with
 * INVALID_ARCHIVE ("SOURCE is not a valid tar archive: unexpected end of file"); an error of the
 * chunks themselves is passed on unchanged.
 */
export async function* tarEntries(chunks: AsyncIterable<Buffer>, source: string): AsyncGenerator<TarEntry> {
  // allowUnknownFormat: old v7 tars (no ustar magic) are still tars; every header keeps its checksum check.
  const ex = extract({ highWaterMark: 4 << 20, allowUnknownFormat: true } as never);
  let feedError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) await writeTo(ex as never, chunk);
      ex.end(undefined);
    } catch (e) {
      feedError ??= e;
      ex.destroy(e as Error);
    }
  })();
  const failure = (e: unknown): unknown => {
    if (feedError !== undefined && (e === feedError || isDestroyedError(e))) return feedError;
    if (e instanceof BerthError) return e;
    return new BerthError('INVALID_ARCHIVE', `${source} is not a valid tar archive: ${tarProblem(e)}`, { cause: e });
  };
  let done = false;
  try {
    for await (const entry of ex) {
      const { size, name } = (entry as unknown as TarEntry).header;
      // tar-stream takes a size field that is not a number as null and then waits for ever for that entry's content.
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw new BerthError('INVALID_ARCHIVE', `${source} is not a valid tar archive: entry "${name}" has an invalid size field`);
      }
      yield withErrors(entry as unknown as TarEntry, failure);
    }
    done = true;
  } catch (e) {
    throw failure(e);
  } finally {
    if (!done) ex.destroy(null as never);
    else await feeding;
  }
}

/** The entry, with errors of its content (a truncated archive ends inside an entry) described as the archive's. */
function withErrors(entry: TarEntry, failure: (e: unknown) => unknown): TarEntry {
  return {
    header: entry.header,
    async *[Symbol.asyncIterator]() {
      // A folder has no content whatever its size field says (as in Go's archive/tar); tar-stream never ends the
      // stream of a folder whose size is not 0, so reading it would wait for ever.
      if (entry.header.type === 'directory') return;
      try {
        for await (const chunk of entry) yield chunk;
      } catch (e) {
        throw failure(e);
      }
    },
  };
}

function isDestroyedError(e: unknown): boolean {
  return e instanceof Error && /destroyed|premature close/i.test(e.message);
}

function tarProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // An entry's stream destroyed while the feed went on: the tar ended inside that entry.
  if (/unexpected end of data|stream was destroyed|premature close/i.test(m)) return 'unexpected end of file';
  if (/invalid tar header\. maybe/i.test(m)) return 'bad header checksum (the file is corrupt, or is not a tar)';
  if (/unknown format/i.test(m)) return 'unknown header format (the file is not a tar)';
  return m.replace(/\.$/, '').toLowerCase();
}
