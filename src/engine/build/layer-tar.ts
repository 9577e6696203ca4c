/**
 * Writing a layer tar from a list of entries with every header field chosen by the caller, for the
 * layers a build makes (RUN changes, COPY and ADD results). Headers are plain ustar (PAX only for long
 * names and large IDs), with numeric owners and empty user and group names, so the same entries always
 * give the same bytes. The generic {@link TarWriter} of archives fixes owners and times and cannot do this.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { pack as tarPack, type Pack } from 'tar-stream';
import { writeTo } from '../archive/streams';

/** One entry of a layer. */
export interface LayerEntry {
  /** The path inside the image (`etc/passwd`), without a leading or trailing slash. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
  /** A file's size; its bytes are read from `source`. */
  size?: number;
  /** The host file holding a file's content (none for an empty file). */
  source?: string;
  /** A symbolic link's target, or the earlier entry a hard link names. */
  linkname?: string;
}

/** The largest ID tar-stream writes in a ustar header (6 octal digits); larger ones go in PAX records. */
const MAX_USTAR_ID = 0o777777;

/** The `st_mode` type bits, so that a mode of 0 survives tar-stream (which replaces a zero mode with a default). */
const TYPE_BITS: Record<LayerEntry['type'], number> = { file: 0o100000, link: 0o100000, directory: 0o040000, symlink: 0o120000, fifo: 0o010000 };

/** Options of {@link layerTar}. */
export interface LayerTarOptions {
  /** Filled with the sha256 (hex) of each file's content, by its `source`, as the file is read. */
  digests?: Map<string, string>;
}

/** The bytes of a tar holding `entries`, in order, ended by the two zero blocks. */
export async function* layerTar(entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>, options: LayerTarOptions = {}): AsyncGenerator<Buffer> {
  const pack = tarPack({ highWaterMark: 1 << 20 } as never);
  let failure: unknown;
  let finished = false;
  const producing = (async () => {
    for await (const entry of entries) await addEntry(pack, entry, options.digests);
    pack.finalize();
  })().catch((e: unknown) => {
    failure ??= e;
    pack.destroy(e as Error);
  });
  try {
    for await (const chunk of pack as AsyncIterable<Buffer>) yield chunk;
    finished = true;
  } catch (e) {
    throw failure ?? e;
  } finally {
    if (!finished) pack.destroy();
    await producing;
  }
  if (failure) throw failure;
}

function headerOf(e: LayerEntry): Record<string, unknown> {
  const pax: Record<string, string> = {};
  if (e.uid > MAX_USTAR_ID) pax.uid = String(e.uid);
  if (e.gid > MAX_USTAR_ID) pax.gid = String(e.gid);
  const big = Object.keys(pax).length > 0;
  return {
    name: e.type === 'directory' ? `${e.name}/` : e.name,
    type: e.type,
    mode: TYPE_BITS[e.type] | (e.mode & 0o7777),
    uid: big ? Math.min(e.uid, MAX_USTAR_ID) : e.uid,
    gid: big ? Math.min(e.gid, MAX_USTAR_ID) : e.gid,
    uname: '',
    gname: '',
    mtime: new Date(e.mtime * 1000),
    size: e.type === 'file' ? e.size ?? 0 : 0,
    linkname: e.linkname,
    ...(big ? { pax } : {}),
  };
}

/** Files up to this size are read whole; bigger ones stream in chunks of this size. */
const CHUNK = 1 << 20;

async function addEntry(pack: Pack, e: LayerEntry, digests?: Map<string, string>): Promise<void> {
  const header = headerOf(e);
  let settle!: (err?: Error | null) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  if (e.type !== 'file' || !e.size) {
    if (e.type === 'file') pack.entry(header as never, Buffer.alloc(0), settle);
    else pack.entry(header as never, settle);
    return done;
  }
  if (e.size <= CHUNK) {
    const bytes = readFileSync(e.source!);
    if (bytes.length !== e.size) throw new Error(`${e.source} changed while it was being stored (${bytes.length} bytes, not ${e.size})`);
    digests?.set(e.source!, createHash('sha256').update(bytes).digest('hex'));
    pack.entry(header as never, bytes, settle);
    return done;
  }
  const sink = pack.entry(header as never, settle);
  sink.on('error', () => undefined);
  const hash = digests ? createHash('sha256') : undefined;
  try {
    for await (const chunk of createReadStream(e.source!, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      hash?.update(chunk);
      await writeTo(sink as never, chunk);
    }
    if (hash) digests!.set(e.source!, hash.digest('hex'));
  } catch (err) {
    sink.destroy(err as Error);
    throw err;
  }
  sink.end(undefined);
  return done;
}
