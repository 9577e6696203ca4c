/**
 * Reads a saved image (a `docker save` style archive, or an OCI image layout in a tar) into what a
 * build must get right — the runtime config and the flattened root filesystem — and lists, in
 * words, how two such images differ. Used by the build fidelity test to hold Berth's builds against
 * buildah's.
 *
 * The layers are applied in order as the OCI image spec's "Applying changesets" says
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets): an entry
 * `DIR/.wh.NAME` removes NAME (and what is under it) from the lower layers, `DIR/.wh..wh..opq`
 * removes every child of DIR from the lower layers, and the layer's own entries are then applied;
 * a directory over a directory keeps the children, anything else replaces what was there. Times are
 * ignored; owners are the numeric ids (a runtime extracting as root uses those, not uname/gname).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

/** The kinds of filesystem object a layer can hold (tar-stream's type names). */
export type NodeType = 'file' | 'directory' | 'symlink' | 'fifo' | 'character-device' | 'block-device';

/** One path of a flattened filesystem. */
export interface FsNode {
  type: NodeType;
  /** Permission bits with setuid, setgid and sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files: the size and the sha256 of the content. */
  size?: number;
  sha256?: string;
  /** Regular files of up to 1 KiB: the content, to show in a difference. */
  text?: string;
  /** Symlinks: the target as stored. */
  linkTarget?: string;
  /** Devices: `major,minor`. */
  device?: string;
  /** Extended attributes (PAX `SCHILY.xattr.*`), name -> base64 value. */
  xattrs?: Record<string, string>;
  /** Paths that share an inode; hard links are identified by this number within one tree. */
  inode: number;
  /** True for a parent folder that no layer has an entry for: an extractor creates it (0755, root). */
  implicit?: true;
}

/**
 * The parts of an image config that a Dockerfile controls and that a builder must reproduce,
 * normalized: unset, `null`, `""`, `[]` and `{}` are all absent (Docker writes `null` for an unset
 * list or map, buildah writes `[]` and `{}`; a runtime treats them alike), port and volume sets are
 * sorted key lists, and healthcheck durations are numbers of nanoseconds with 0 meaning unset.
 *
 * Env is sorted by name: when ENV sets a variable the image already has, Docker's builders replace it
 * in place and buildah 1.28 (imagebuilder) removes it and appends it at the end. Names are unique and
 * a runtime gives the order no meaning, so only the set of NAME=value pairs is compared.
 */
export interface BuildConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: string[];
  Volumes?: string[];
  StopSignal?: string;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  OnBuild?: string[];
  /** Set by SHELL; Docker keeps it in the image config. */
  Shell?: string[];
  /** Set by MAINTAINER (the config's top-level `author`). */
  Author?: string;
  /** The platform (top-level `os` and `architecture`). */
  Platform?: string;
}

/** An image as the comparison sees it. */
export interface ImageTree {
  config: BuildConfig;
  /** Absolute path (`/etc/passwd`; the root folder itself is left out) -> node. */
  files: Map<string, FsNode>;
}

/** One entry of a layer, as {@link treeFromLayers} takes it. */
export interface LayerEntry {
  header: Partial<Omit<Header, 'pax'>> & { name: string; pax?: Record<string, string> | null };
  content?: Buffer;
}

/** Reads an image archive: `docker save` format (`manifest.json`) or an OCI layout (`index.json`, first manifest). */
export async function readImageArchive(file: string): Promise<ImageTree> {
  const members = await tarMembers(createReadStream(file));
  const read = (name: string): Buffer => {
    const b = members.get(normalPath(name).slice(1));
    if (!b) throw new Error(`${file}: no member ${name}`);
    return b;
  };
  const json = <T>(name: string): T => JSON.parse(read(name).toString('utf8')) as T;
  let configJson: unknown;
  let layerNames: string[];
  if (members.has('manifest.json')) {
    const manifests = json<{ Config: string; Layers: string[] }[]>('manifest.json');
    if (manifests.length !== 1) throw new Error(`${file}: expected one image in manifest.json, found ${manifests.length}`);
    configJson = json(manifests[0]!.Config);
    layerNames = manifests[0]!.Layers;
  } else if (members.has('index.json')) {
    const blob = (digest: string): string => `blobs/${digest.replace(':', '/')}`;
    const index = json<{ manifests: { digest: string }[] }>('index.json');
    const manifest = json<{ config: { digest: string }; layers: { digest: string }[] }>(blob(index.manifests[0]!.digest));
    configJson = json(blob(manifest.config.digest));
    layerNames = manifest.layers.map((l) => blob(l.digest));
  } else {
    throw new Error(`${file}: neither manifest.json nor index.json: not an image archive`);
  }
  const layers: LayerEntry[][] = [];
  for (const name of layerNames) layers.push(await layerEntries(decompress(read(name), `${file}: ${name}`)));
  return treeFromLayers(configJson, layers);
}

/** Builds an {@link ImageTree} from an image config (the whole config JSON) and layers, bottom first. */
export function treeFromLayers(configJson: unknown, layers: LayerEntry[][]): ImageTree {
  const files = new Map<string, FsNode>();
  const inodes = { next: 1 };
  for (const layer of layers) applyLayer(files, layer, inodes);
  return { config: normalizeConfig(configJson), files };
}

/** The entries of an uncompressed layer tar, with file contents. */
export async function layerEntries(tar: Buffer): Promise<LayerEntry[]> {
  const ex = extract();
  Readable.from([tar]).pipe(ex);
  const out: LayerEntry[] = [];
  for await (const entry of ex) {
    const parts: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) parts.push(c);
    out.push({ header: entry.header as unknown as LayerEntry['header'], content: Buffer.concat(parts) });
  }
  return out;
}

// --- applying layers -----------------------------------------------------------------------------

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** `./a/b/` -> `/a/b` (`..` resolved, never above the root); the root folder is `/`. */
function normalPath(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '' && p !== '.') parts.push(p);
  }
  return '/' + parts.join('/');
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function removeTree(files: Map<string, FsNode>, path: string, keepSelf = false): void {
  if (!keepSelf) files.delete(path);
  const prefix = path === '/' ? '/' : `${path}/`;
  for (const p of [...files.keys()]) if (p.startsWith(prefix)) files.delete(p);
}

function applyLayer(files: Map<string, FsNode>, entries: LayerEntry[], inodes: { next: number }): void {
  // Whiteouts hide only what lower layers hold, wherever they sit in this layer: apply them first.
  for (const { header } of entries) {
    const path = normalPath(header.name);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base === OPAQUE) removeTree(files, parentOf(path), true);
    else if (base.startsWith(WHITEOUT)) removeTree(files, `${parentOf(path) === '/' ? '' : parentOf(path)}/${base.slice(WHITEOUT.length)}`);
  }
  for (const entry of entries) {
    const path = normalPath(entry.header.name);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (path === '/' || base.startsWith(WHITEOUT)) continue;
    addEntry(files, path, entry, inodes);
  }
}

function addEntry(files: Map<string, FsNode>, path: string, { header, content }: LayerEntry, inodes: { next: number }): void {
  for (let p = parentOf(path); p !== '/' && !files.has(p); p = parentOf(p)) {
    files.set(p, { type: 'directory', mode: 0o755, uid: 0, gid: 0, inode: inodes.next++, implicit: true });
  }
  const existing = files.get(path);
  if (header.type === 'link') {
    const target = files.get(normalPath(header.linkname ?? ''));
    if (!target || target.type === 'directory') throw new Error(`layer entry ${header.name}: hard link to ${header.linkname}, which is ${target ? 'a folder' : 'not in this or a lower layer'}`);
    if (existing?.type === 'directory') removeTree(files, path);
    files.set(path, target);
    return;
  }
  const node = nodeOf(header, content ?? Buffer.alloc(0), inodes.next++);
  if (existing && !(existing.type === 'directory' && node.type === 'directory')) removeTree(files, path);
  files.set(path, node);
}

const TYPES: Record<string, NodeType> = {
  file: 'file', 'contiguous-file': 'file', directory: 'directory', symlink: 'symlink', fifo: 'fifo',
  'character-device': 'character-device', 'block-device': 'block-device',
};

function nodeOf(header: LayerEntry['header'], content: Buffer, inode: number): FsNode {
  const type = TYPES[header.type ?? 'file'];
  if (!type) throw new Error(`layer entry ${header.name}: unsupported type ${header.type}`);
  const pax: Record<string, string> = header.pax ?? {};
  const node: FsNode = {
    type,
    mode: (header.mode ?? 0) & 0o7777,
    uid: pax.uid !== undefined ? Number(pax.uid) : header.uid ?? 0,
    gid: pax.gid !== undefined ? Number(pax.gid) : header.gid ?? 0,
    inode,
  };
  if (type === 'file') {
    node.size = content.length;
    node.sha256 = createHash('sha256').update(content).digest('hex');
    if (content.length <= 1024) node.text = content.toString('latin1');
  }
  if (type === 'symlink') node.linkTarget = header.linkname ?? '';
  if (type === 'character-device' || type === 'block-device') node.device = `${header.devmajor ?? 0},${header.devminor ?? 0}`;
  const xattrs = Object.entries(pax).filter(([k]) => k.startsWith('SCHILY.xattr.'));
  if (xattrs.length) node.xattrs = Object.fromEntries(xattrs.map(([k, v]) => [k.slice('SCHILY.xattr.'.length), Buffer.from(v, 'latin1').toString('base64')]));
  return node;
}

// --- the config ----------------------------------------------------------------------------------

interface RawConfig {
  os?: string;
  architecture?: string;
  author?: string;
  config?: Record<string, unknown> | null;
}

function normalizeConfig(json: unknown): BuildConfig {
  const raw = (json ?? {}) as RawConfig;
  const c = raw.config ?? {};
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) && v.length ? v.map(String) : undefined);
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const keys = (v: unknown): string[] | undefined => (v && typeof v === 'object' && Object.keys(v).length ? Object.keys(v).sort() : undefined);
  const labels = c.Labels && typeof c.Labels === 'object' && Object.keys(c.Labels).length ? (c.Labels as Record<string, string>) : undefined;
  const out: BuildConfig = {
    Env: list(c.Env)?.sort((a, b) => compareNames(a.split('=')[0]!, b.split('=')[0]!)),
    Cmd: list(c.Cmd),
    Entrypoint: list(c.Entrypoint),
    WorkingDir: text(c.WorkingDir),
    User: text(c.User),
    Labels: labels && Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareNames(a, b))),
    ExposedPorts: keys(c.ExposedPorts),
    Volumes: keys(c.Volumes),
    StopSignal: text(c.StopSignal),
    Healthcheck: normalizeHealthcheck(c.Healthcheck),
    OnBuild: list(c.OnBuild),
    Shell: list(c.Shell),
    Author: text(raw.author),
    Platform: raw.os || raw.architecture ? `${raw.os ?? ''}/${raw.architecture ?? ''}` : undefined,
  };
  for (const k of Object.keys(out) as (keyof BuildConfig)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalizeHealthcheck(v: unknown): BuildConfig['Healthcheck'] {
  if (!v || typeof v !== 'object') return undefined;
  const h = v as Record<string, unknown>;
  const out: NonNullable<BuildConfig['Healthcheck']> = {};
  if (Array.isArray(h.Test) && h.Test.length) out.Test = h.Test.map(String);
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'Retries'] as const) if (typeof h[k] === 'number' && h[k] !== 0) out[k] = h[k];
  return Object.keys(out).length ? out : undefined;
}

// --- comparing -----------------------------------------------------------------------------------

/** Options of {@link compareImages}. */
export interface CompareOptions {
  /** How the two sides are called in the messages. Default `['expected', 'actual']`. */
  names?: [string, string];
  /**
   * Paths the expected side may have and the actual side may lack, when they are an empty folder
   * or an empty file there: mount points a peer builder's RUN leaves behind (see
   * {@link BUILDAH_MOUNT_POINTS}). Present on both sides, they are compared like any path.
   */
  expectedOnlyMountPoints?: readonly string[];
}

/**
 * What buildah 1.28 (`bud --isolation chroot`) leaves in an image after a RUN that Docker's builders
 * do not: the mount points it creates for the container's /dev, /proc, /sys and /run, and the empty
 * /etc/hostname it bind-mounts over (observed: all empty, mode 0755; the test also runs buildah with
 * `--no-hosts` and `--dns=none`, so it leaves no /etc/hosts or /etc/resolv.conf). Docker's classic
 * builder keeps them in the container's init layer, which a commit leaves out, and BuildKit removes
 * its mount stubs, so an image without them is right; an image with them is not wrong either, so
 * both sides are compared when both have them.
 */
export const BUILDAH_MOUNT_POINTS: readonly string[] = ['/dev', '/proc', '/sys', '/run', '/etc/hostname'];

/** The differences between two images, one human-readable line each; empty when they agree. */
export function compareImages(expected: ImageTree, actual: ImageTree, options: CompareOptions = {}): string[] {
  const names = options.names ?? ['expected', 'actual'];
  return [...compareConfigs(expected.config, actual.config, names), ...compareFiles(expected, actual, names, options.expectedOnlyMountPoints ?? [])];
}

function compareConfigs(a: BuildConfig, b: BuildConfig, [na, nb]: [string, string]): string[] {
  const out: string[] = [];
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof BuildConfig)[];
  for (const f of fields) {
    const [va, vb] = [JSON.stringify(a[f]), JSON.stringify(b[f])];
    if (va !== vb) out.push(`config ${f}: ${va ?? 'unset'} (${na}) vs ${vb ?? 'unset'} (${nb})`);
  }
  return out;
}

function compareFiles(a: ImageTree, b: ImageTree, [na, nb]: [string, string], mountPoints: readonly string[]): string[] {
  const out: string[] = [];
  const linksA = hardLinkGroups(a.files);
  const linksB = hardLinkGroups(b.files);
  const paths = [...new Set([...a.files.keys(), ...b.files.keys()])].sort();
  for (const path of paths) {
    const [x, y] = [a.files.get(path), b.files.get(path)];
    if (x && !y) {
      if (!(mountPoints.includes(path) && isEmpty(a.files, path, x))) out.push(`${path}: only in ${na} (${describe(x)})`);
    } else if (!x && y) {
      out.push(`${path}: only in ${nb} (${describe(y)})`);
    } else if (x && y) {
      out.push(...compareNodes(path, x, y, linksA.get(x.inode), linksB.get(y.inode), [na, nb]));
    }
  }
  return out;
}

function compareNodes(path: string, x: FsNode, y: FsNode, linksX: string[] | undefined, linksY: string[] | undefined, [na, nb]: [string, string]): string[] {
  const vs = (what: string, u: string, v: string): string => `${path}: ${what} ${u} (${na}) vs ${v} (${nb})`;
  if (x.type !== y.type) return [vs('type', describe(x), describe(y))];
  const out: string[] = [];
  if (x.mode !== y.mode) out.push(vs('mode', octal(x.mode), octal(y.mode)));
  if (x.uid !== y.uid || x.gid !== y.gid) out.push(vs('owner', `${x.uid}:${x.gid}`, `${y.uid}:${y.gid}`));
  if (x.sha256 !== y.sha256) out.push(vs('content', contentOf(x), contentOf(y)));
  if (x.linkTarget !== y.linkTarget) out.push(vs('link target', JSON.stringify(x.linkTarget), JSON.stringify(y.linkTarget)));
  if (x.device !== y.device) out.push(vs('device', String(x.device), String(y.device)));
  if (JSON.stringify(x.xattrs ?? {}) !== JSON.stringify(y.xattrs ?? {})) out.push(vs('xattrs', JSON.stringify(x.xattrs ?? {}), JSON.stringify(y.xattrs ?? {})));
  const [gx, gy] = [(linksX ?? []).filter((p) => p !== path), (linksY ?? []).filter((p) => p !== path)];
  if (gx.join('\n') !== gy.join('\n')) out.push(vs('hard links to', `[${gx.join(', ')}]`, `[${gy.join(', ')}]`));
  if (x.implicit !== y.implicit) out.push(vs('layer entry', x.implicit ? 'none (implied parent)' : 'present', y.implicit ? 'none (implied parent)' : 'present'));
  return out;
}

/** inode -> the sorted paths of the regular files sharing it, for inodes with more than one path. */
function hardLinkGroups(files: Map<string, FsNode>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const [path, node] of files) if (node.type === 'file') groups.set(node.inode, [...(groups.get(node.inode) ?? []), path]);
  for (const [inode, paths] of groups) if (paths.length < 2) groups.delete(inode);
  for (const paths of groups.values()) paths.sort();
  return groups;
}

function isEmpty(files: Map<string, FsNode>, path: string, node: FsNode): boolean {
  if (node.type === 'file') return node.size === 0;
  if (node.type !== 'directory') return false;
  for (const p of files.keys()) if (p.startsWith(`${path}/`)) return false;
  return true;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function contentOf(n: FsNode): string {
  if (n.text !== undefined && /^[\x20-\x7e\n\t]*$/.test(n.text)) return JSON.stringify(n.text);
  return `${n.size} bytes sha256:${n.sha256?.slice(0, 12)}`;
}

function describe(n: FsNode): string {
  const what = n.type === 'file' ? `file, ${contentOf(n)}` : n.type === 'symlink' ? `symlink -> ${n.linkTarget}` : n.type;
  return `${what}, mode ${octal(n.mode)}, owner ${n.uid}:${n.gid}${n.implicit ? ', implied parent' : ''}`;
}

// --- archives ------------------------------------------------------------------------------------

/** Every regular member of a tar stream, by name (without `./`). */
async function tarMembers(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  const ex = extract();
  stream.pipe(ex);
  const out = new Map<string, Buffer>();
  const links = new Map<string, string>();
  for await (const entry of ex) {
    const parts: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) parts.push(c);
    const name = normalPath(entry.header.name).slice(1);
    if (entry.header.type === 'file') out.set(name, Buffer.concat(parts));
    // A docker-archive may hold a layer as a symlink to another member (skopeo's and buildah's v1 folders).
    if (entry.header.type === 'symlink') links.set(name, normalPath(`${parentOf(`/${name}`)}/${entry.header.linkname ?? ''}`).slice(1));
  }
  for (const [name, target] of links) {
    const b = out.get(target);
    if (b) out.set(name, b);
  }
  return out;
}

function decompress(b: Buffer, what: string): Buffer {
  if (b[0] === 0x1f && b[1] === 0x8b) return gunzipSync(b, { chunkSize: 1 << 20 });
  if (b.readUInt32LE(0) === 0xfd2fb528) throw new Error(`${what}: zstd layers are not supported by this reader`);
  return b;
}
