/**
 * Unpacking an image's layers into a folder: the root filesystem a RUN step executes over.
 *
 * Layers are applied in order as the OCI image spec describes (layer.md, "Applying Changesets"): an
 * entry replaces what is at its path, `.wh.NAME` deletes NAME from the layers below, and
 * `.wh..wh..opq` empties its folder of what the layers below put there. Entries that a later entry of
 * the same layer whites out survive, as the spec requires. Every entry is checked by {@link RootfsRules}
 * first, and paths are resolved inside the folder ({@link resolveInRoot}), so neither a crafted name
 * nor a link planted by an earlier layer can make the unpacker write outside it.
 *
 * Modes, numeric owners (through the build's {@link IdMap}), links and modification times are kept.
 * Device files are skipped: the sandbox provides /dev, and a device node in a folder the sandbox can
 * write would open the host's hardware to it. Extended attributes (file capabilities) are not restored.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeSync, type Stats } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { basename, join } from 'node:path';
import type { Header } from 'tar-stream';
import { BerthError, isBerthError, sysCode } from '../errors';
import type { Descriptor } from '../oci/types';
import type { Store } from '../store/store';
import { MAGIC_BYTES, detectCompression, gunzipStream } from '../archive/compression';
import { entryPath, parentOf } from '../archive/entry-path';
import { storedBlob } from '../archive/layer-streams';
import { RootfsRules } from '../archive/rootfs-rules';
import { peekStream } from '../archive/streams';
import { tarEntries, type TarEntry } from '../archive/tar-entries';
import { canChown, containerGid, containerUid, hostGid, hostUid, sandboxIdMap, type IdMap } from './id-map';
import { resolveInRoot, type RootPath } from './root-path';

/** Options of {@link unpackLayers}. */
export interface UnpackOptions {
  /** How container IDs are stored on the host; the sandbox's map by default. */
  ids?: IdMap;
  /** Called before each layer is applied. */
  onLayer?: (index: number, layer: Descriptor) => void;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Applies `layers` (plain or gzip tars in the store), bottom first, into `dir`. A missing `dir`, or
 * one whose owner the ID map does not cover (a fresh temporary folder), becomes the image's root
 * folder: mode 0755, owned by the container's root, until a layer's `./` entry says otherwise.
 */
export async function unpackLayers(store: Store, layers: Descriptor[], dir: string, options: UnpackOptions = {}): Promise<void> {
  for (const [index, layer] of layers.entries()) {
    options.onLayer?.(index, layer);
    await unpackLayer(storedBlob(store, layer), dir, { source: `layer ${layer.digest}`, ids: options.ids });
  }
}

/** Applies one layer tar (plain or gzip, detected from its first bytes) on top of what `dir` holds; `dir` as for {@link unpackLayers}. */
export async function unpackLayer(chunks: AsyncIterable<Buffer>, dir: string, options: { source: string; ids?: IdMap }): Promise<void> {
  const ids = options.ids ?? sandboxIdMap();
  const applier = new LayerApplier(dir, ids, options.source);
  try {
    adoptRoot(dir, ids);
    for await (const entry of tarEntries(await uncompressed(chunks, options.source), options.source)) await applier.apply(entry);
    applier.finish();
  } catch (e) {
    if (isBerthError(e)) throw e;
    throw new BerthError('IO', `applying ${options.source} to ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/** Makes `dir` the image's root folder when it is missing or its owner lies outside the map. */
function adoptRoot(dir: string, ids: IdMap): void {
  const st = lstatOrNone(dir);
  if (st && (!canChown(ids) || (containerUid(ids, st.uid) !== undefined && containerGid(ids, st.gid) !== undefined))) return;
  if (!st) mkdirSync(dir, { recursive: true });
  if (canChown(ids)) lchownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o755);
}

/** The tar inside `chunks`, inflated when it is gzip. */
async function uncompressed(chunks: AsyncIterable<Buffer>, source: string): Promise<AsyncIterable<Buffer>> {
  const { head, chunks: all } = await peekStream(chunks, MAGIC_BYTES);
  const kind = detectCompression(head);
  if (kind === 'none') return all;
  if (kind !== 'gzip') throw new BerthError('UNSUPPORTED', `${source} is ${kind}-compressed; Berth can unpack plain and gzip layers`);
  const gz = gunzipStream();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  pipeline(all, gz, out).catch((e: unknown) => out.destroy(sysCode(e)?.startsWith('Z_') ? new BerthError('INVALID_ARCHIVE', `${source} is not valid gzip: ${(e as Error).message}`, { cause: e }) : (e as Error)));
  return out;
}

/**
 * Applies the entries of one layer, in order. File system calls are synchronous: an entry needs a
 * handful of them, each a few microseconds, while an asynchronous call costs a thread-pool round trip
 * that made unpacking many small files thirty times slower. The event loop still turns between entries.
 */
class LayerApplier {
  private readonly rules: RootfsRules;
  /** Paths (inside the root) this layer has written: its own whiteouts must not remove them. */
  private readonly written = new Set<string>();
  /** Folder times are set last, once nothing more is added to them. */
  private readonly folderTimes: [string, Date][] = [];
  /** Resolved parent folders by their name in the tar; forgotten whenever a folder or link is removed. */
  private readonly parents = new Map<string, RootPath>();
  private readonly chown: boolean;

  constructor(private readonly root: string, private readonly ids: IdMap, private readonly source: string) {
    this.rules = new RootfsRules(source);
    this.chown = canChown(ids);
  }

  async apply(entry: TarEntry): Promise<void> {
    const h = entry.header;
    const type = h.type ?? 'file';
    if (type === 'character-device' || type === 'block-device' || !KNOWN.has(type)) {
      await drain(entry);
      return;
    }
    this.rules.check(h);
    const path = (entryPath(h.name) as { path: string }).path;
    if (path === '' && type !== 'directory') throw new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing entry "${h.name}": it names the root folder but is not a folder`);
    const name = basename(path);
    if (type !== 'file' && type !== 'contiguous-file') await drain(entry);
    if (name.startsWith(WHITEOUT)) {
      await drain(entry);
      this.whiteout(parentOf(path), name);
      return;
    }
    const parent = path === '' ? undefined : this.parentFolder(parentOf(path));
    const target: RootPath = parent ? { inside: join(parent.inside, name), host: join(parent.host, name) } : { inside: '', host: this.root };
    if (type === 'directory') this.folder(target, h);
    else await this.nonFolder(target, h, entry);
    this.written.add(target.inside);
  }

  /** Sets the times of the folders this layer touched. */
  finish(): void {
    for (const [host, mtime] of this.folderTimes) utimesSync(host, mtime, mtime);
  }

  private whiteout(parent: string, name: string): void {
    const folder = resolveInRoot(this.root, parent, { followLast: true });
    if (name === OPAQUE) {
      for (const child of readdirOrNone(folder.host)) {
        if (!this.written.has(join(folder.inside, child))) this.remove(join(folder.host, child));
      }
      return;
    }
    if (name.startsWith(WHITEOUT + WHITEOUT)) return; // other AUFS metadata (.wh..wh.plnk, ...): nothing to apply
    const victim = name.slice(WHITEOUT.length);
    if (!this.written.has(join(folder.inside, victim))) this.remove(join(folder.host, victim));
  }

  /** The folder an entry goes into, resolved inside the root and created (0755, root) when missing. */
  private parentFolder(parent: string): RootPath {
    const known = this.parents.get(parent);
    if (known) return known;
    const folder = resolveInRoot(this.root, parent, { followLast: true });
    const st = lstatOrNone(folder.host);
    if (st && !st.isDirectory()) throw new BerthError('INVALID_ARCHIVE', `${this.source}: "/${folder.inside}" is not a folder in the layers below, so entries cannot be put into it`);
    if (!st) {
      const made = mkdirSync(folder.host, { recursive: true, mode: 0o755 });
      if (made !== undefined && this.chown) {
        for (let p = folder.host; p.length >= made.length; p = join(p, '..')) lchownSync(p, this.ids.uid, this.ids.gid);
      }
    }
    this.parents.set(parent, folder);
    return folder;
  }

  private folder(target: RootPath, h: Header): void {
    const st = lstatOrNone(target.host);
    if (st && !st.isDirectory()) this.remove(target.host);
    if (!st?.isDirectory()) mkdirSync(target.host, { mode: 0o700 });
    this.owner(target, h);
    chmodSync(target.host, modeOf(h));
    this.folderTimes.push([target.host, mtimeOf(h)]);
  }

  private async nonFolder(target: RootPath, h: Header, entry: TarEntry): Promise<void> {
    if (lstatOrNone(target.host)) this.remove(target.host);
    switch (h.type) {
      case 'symlink':
        symlinkSync(h.linkname ?? '', target.host);
        break;
      case 'link':
        linkSync(resolveInRoot(this.root, (entryPath(h.linkname ?? '') as { path: string }).path).host, target.host);
        return; // the same inode as its target: its owner, mode and time are the target's
      case 'fifo':
        execFileSync('mkfifo', ['-m', '600', '--', target.host]);
        break;
      default:
        await writeFileFrom(target.host, entry);
    }
    this.owner(target, h);
    if (h.type !== 'symlink') chmodSync(target.host, modeOf(h));
    const mtime = mtimeOf(h);
    lutimesSync(target.host, mtime, mtime);
  }

  /** Removes what is at `host` (a folder with its content); resolved parents may have changed. */
  private remove(host: string): void {
    const st = lstatOrNone(host);
    if (!st) return;
    if (st.isDirectory() || st.isSymbolicLink()) this.parents.clear();
    if (st.isDirectory()) rmSync(host, { recursive: true, force: true });
    else unlinkSync(host);
  }

  private owner(target: RootPath, h: Header): void {
    if (!this.chown) return;
    const what = `${this.source}: "/${target.inside}"`;
    const uid = Number(paxOf(h).uid ?? h.uid ?? 0);
    const gid = Number(paxOf(h).gid ?? h.gid ?? 0);
    lchownSync(target.host, hostUid(this.ids, uid, what), hostGid(this.ids, gid, what));
  }
}

function lstatOrNone(host: string): Stats | undefined {
  try {
    return lstatSync(host);
  } catch (e) {
    if (sysCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function readdirOrNone(host: string): string[] {
  try {
    return readdirSync(host);
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return [];
    throw e;
  }
}

const KNOWN = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link', 'fifo', 'character-device', 'block-device']);

/** The PAX records of an entry (tar-stream keeps them apart from the fields it decodes). */
function paxOf(h: Header): Record<string, string | undefined> {
  return (h as { pax?: Record<string, string> }).pax ?? {};
}

function modeOf(h: Header): number {
  return (h.mode ?? 0o644) & 0o7777;
}

function mtimeOf(h: Header): Date {
  const pax = paxOf(h).mtime;
  if (pax !== undefined && Number.isFinite(Number(pax))) return new Date(Number(pax) * 1000);
  return h.mtime ?? new Date(0);
}

async function writeFileFrom(host: string, chunks: AsyncIterable<Buffer>): Promise<void> {
  const fd = openSync(host, 'wx', 0o600);
  try {
    for await (const chunk of chunks) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    }
  } finally {
    closeSync(fd);
  }
}

async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry) void _;
}
