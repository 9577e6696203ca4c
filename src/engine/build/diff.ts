/**
 * The layers a build makes: the change a RUN left in its overlay upper folder, and a folder of files
 * for COPY and ADD, written as OCI layer tars (image-spec layer.md) into the store.
 *
 * A change holds what the command added or modified (overlayfs copies a file up whole, with its
 * folders, before changing it) and what it deleted: overlayfs leaves a 0/0 character device where a
 * file or folder of the image was removed, which becomes the whiteout `.wh.NAME`, and marks a folder
 * that was deleted and made again opaque, which becomes `.wh..wh..opq` right after the folder's entry
 * ({@link opaqueFolders}). This is Docker's overlay2 differ (daemon/graphdriver/overlay2) in Node.
 *
 * The tar is deterministic: entries in depth-first order with the names of each folder sorted, numeric
 * owners mapped back to container IDs, no user or group names, and with `sourceDateEpoch` (the
 * SOURCE_DATE_EPOCH of reproducible-builds.org) every time later than it clamped to it.
 */
import { chmodSync, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { BerthError, isBerthError } from '../errors';
import { MediaType } from '../oci/types';
import type { StoredLayer } from '../archive/rootfs-layer';
import type { Lease } from '../store/leases';
import type { Store } from '../store/store';
import { IDENTITY, containerGid, containerUid, sandboxIdMap, type IdMap } from './id-map';
import { hostTools } from './host-tools';
import { layerTar, type LayerEntry } from './layer-tar';
import { opaqueFolders, type TarCommand } from './opaque';

/** Options of {@link changeTar} and {@link layerFromChange}. */
export interface ChangeOptions {
  /** The overlay upper folder the RUN wrote ({@link RunResult.upper}). */
  upper: string;
  /** The root filesystem the RUN ran over. */
  lower: string;
  /** Clamp every modification time to this (seconds since the epoch). */
  sourceDateEpoch?: number;
  /** How container IDs are stored on the host; the sandbox's map by default. */
  ids?: IdMap;
}

/** Options of {@link directoryTar} and {@link layerFromDirectory}. */
export interface DirectoryOptions {
  /** Clamp every modification time to this (seconds since the epoch). */
  sourceDateEpoch?: number;
  /** How the folder's owners map to container IDs; host IDs are container IDs by default. */
  ids?: IdMap;
  /** Give every entry this owner instead (COPY --chown, or Docker's default 0:0 for COPY). */
  owner?: { uid: number; gid: number };
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** One file of a walked tree, under the name it gets in the layer. */
interface Node {
  /** The name in the layer (a whiteout already carries its `.wh.` prefix). */
  name: string;
  host: string;
  st: Stats;
  whiteout: boolean;
}

/** The change in `upper` as a layer tar. */
export async function* changeTar(options: ChangeOptions): AsyncGenerator<Buffer> {
  const ids = options.ids ?? sandboxIdMap();
  const nodes = walk(options.upper, true);
  const candidates: string[] = [];
  for (const n of nodes) {
    if (n.st.isDirectory() && isFolder(join(options.lower, n.name))) candidates.push(n.name);
  }
  const opaque = await opaqueFolders(options.upper, candidates, tarCommand());
  const owners = (st: Stats, name: string): { uid: number; gid: number } => ownerIn(ids, st, name);
  yield* layerTar(entries(nodes, { epoch: options.sourceDateEpoch, owners, opaque }));
}

/** The files under `dir` (not `dir` itself) as a layer tar. */
export async function* directoryTar(dir: string, options: DirectoryOptions = {}): AsyncGenerator<Buffer> {
  const ids = options.ids ?? IDENTITY;
  const nodes = walk(dir, false);
  const owners = (st: Stats, name: string): { uid: number; gid: number } => options.owner ?? ownerIn(ids, st, name);
  yield* layerTar(entries(nodes, { epoch: options.sourceDateEpoch, owners, opaque: new Set() }));
}

/** Stores the change in `upper` as an uncompressed layer under `lease`. */
export function layerFromChange(store: Store, lease: Lease, options: ChangeOptions): Promise<StoredLayer> {
  return storeLayer(store, lease, changeTar(options), `the change of a RUN in ${options.upper}`);
}

/** Stores the files under `dir` as an uncompressed layer under `lease`. */
export function layerFromDirectory(store: Store, lease: Lease, dir: string, options: DirectoryOptions = {}): Promise<StoredLayer> {
  return storeLayer(store, lease, directoryTar(dir, options), `the files in ${dir}`);
}

async function storeLayer(store: Store, lease: Lease, tar: AsyncIterable<Buffer>, what: string): Promise<StoredLayer> {
  try {
    const blob = await store.blobs.putStream(tar, lease);
    return { descriptor: { mediaType: MediaType.ociLayer, digest: blob.digest, size: blob.size }, diffId: blob.digest };
  } catch (e) {
    if (isBerthError(e)) throw e;
    throw new BerthError('IO', `writing a layer of ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** GNU tar, run where it can read every folder of the upper: directly as root, else as root of a user namespace. */
function tarCommand(): TarCommand {
  const { tools, missing } = hostTools();
  if (!tools) throw new BerthError('UNSUPPORTED', `reading a RUN's change needs ${missing.join(', ')}, which this machine does not have`);
  return { tar: tools.tar, prefix: process.geteuid?.() === 0 ? [] : [tools.unshare, '--user', '--map-root-user'] };
}

/** The tree under `root` in layer order: depth first, the names of each folder sorted. Synchronous, like unpacking (rootfs.ts). */
function walk(root: string, overlay: boolean): Node[] {
  const out: Node[] = [];
  const visit = (dir: string, prefix: string): void => {
    const children: Node[] = [];
    for (const name of readdirSync(dir)) {
      const host = join(dir, name);
      const st = lstatSync(host);
      const whiteout = overlay && st.isCharacterDevice() && st.rdev === 0;
      children.push({ name: prefix + (whiteout ? WHITEOUT + name : name), host, st, whiteout });
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      out.push(child);
      if (child.st.isDirectory()) {
        readable(child);
        visit(child.host, `${child.name}/`);
      }
    }
  };
  visit(root, '');
  return out;
}

/** Lets this process read a folder or file its owner may not (a RUN may chmod 000); root reads anyway. */
function readable(node: Node): void {
  if (process.geteuid?.() === 0) return;
  const need = node.st.isDirectory() ? 0o500 : 0o400;
  if ((node.st.mode & need) !== need) chmodSync(node.host, (node.st.mode & 0o7777) | need);
}

interface EntryOptions {
  epoch?: number;
  owners: (st: Stats, name: string) => { uid: number; gid: number };
  opaque: Set<string>;
}

/** The layer entries of walked nodes: files, folders (with their opaque mark), links, fifos and whiteouts. */
async function* entries(nodes: Node[], options: EntryOptions): AsyncGenerator<LayerEntry> {
  const firstOfInode = new Map<string, string>();
  const time = (st: Stats): number => {
    const t = Math.floor(st.mtimeMs / 1000);
    return options.epoch !== undefined && t > options.epoch ? options.epoch : t;
  };
  for (const n of nodes) {
    const { st } = n;
    if (n.whiteout) {
      yield { name: n.name, type: 'file', mode: 0, uid: 0, gid: 0, mtime: time(st) };
      continue;
    }
    const base = { name: n.name, mode: st.mode & 0o7777, ...options.owners(st, n.name), mtime: time(st) };
    if (st.isDirectory()) {
      yield { ...base, type: 'directory' };
      if (options.opaque.has(n.name)) yield { name: `${n.name}/${OPAQUE}`, type: 'file', mode: 0, uid: 0, gid: 0, mtime: time(st) };
    } else if (st.isSymbolicLink()) {
      yield { ...base, type: 'symlink', linkname: readlinkSync(n.host) };
    } else if (st.isFIFO()) {
      yield { ...base, type: 'fifo' };
    } else if (st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? firstOfInode.get(inode) : undefined;
      if (first !== undefined) {
        yield { ...base, type: 'link', linkname: first };
        continue;
      }
      if (st.nlink > 1) firstOfInode.set(inode, n.name);
      readable(n);
      yield { ...base, type: 'file', size: st.size, source: n.host };
    }
    // sockets and device files cannot be part of a layer (the runtime makes /dev): left out, as Docker does
  }
}

function isFolder(host: string): boolean {
  try {
    return lstatSync(host).isDirectory();
  } catch {
    return false;
  }
}

/** The container owner of a host file. */
function ownerIn(ids: IdMap, st: Stats, name: string): { uid: number; gid: number } {
  const uid = containerUid(ids, st.uid);
  const gid = containerGid(ids, st.gid);
  if (uid === undefined || gid === undefined) {
    throw new BerthError('IO', `"/${name}" belongs to host user ${st.uid}:${st.gid}, which the build's ID map (host ${ids.uid}-${ids.uid + ids.size - 1}) does not cover; the change cannot be stored`);
  }
  return { uid, gid };
}

