/**
 * COPY and ADD: which files a step reads (from the build context, an earlier stage's root filesystem,
 * a here-document or a URL), the digest of what it reads (its cache key), and the layer entries it
 * adds. https://docs.docker.com/reference/dockerfile/#copy and #add
 *
 * The rules are the Dockerfile reference's: a folder's contents are copied, not the folder; several
 * sources (or a wildcard that matches several) need a destination folder; a destination that ends in
 * `/`, or names a folder of the image, receives sources under their own names; a relative destination
 * is under WORKDIR; missing parent folders are made (0755). Files keep their mode and modification time;
 * from the context they are owned by root, from another stage by their owner there, unless `--chown`
 * says otherwise; `--chmod` replaces the mode. ADD also unpacks a local tar archive (plain or gzip) into
 * the destination and downloads a URL (mode 0600).
 *
 * Nothing here writes into the image's tree: the builder turns the entries into a layer and applies it.
 * The destination is resolved inside the root filesystem ({@link resolveInRoot}), so a destination under
 * a symbolic link of the image (`/bin` -> `usr/bin`) lands where the link points, as it would for Docker.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { BerthError, isBerthError, sysCode } from '../errors';
import { detectCompression, gunzipStream, type Compression } from '../archive/compression';
import { findTool } from './host-tools';
import { spawn } from 'node:child_process';
import type { BuildContext, ContextEntry } from './context';
import { cleanPath, matchGlob } from './dockerignore';
import { containerGid, containerUid, type IdMap } from './id-map';
import type { LayerEntry } from './layer-tar';
import { resolveInRoot } from './root-path';
import { unpackLayer } from './rootfs';

/** A root filesystem another stage or image left, for `--from`. */
export interface SourceTree {
  root: string;
  ids: IdMap;
  /** What it is, for messages and the cache key: the image ID. */
  id: string;
}

/** One source a COPY/ADD step names, found. */
export type FoundSource =
  | { kind: 'context'; entry: ContextEntry; wildcard: boolean; /** It and what lies below it, not ignored. */ entries: ContextEntry[] }
  | { kind: 'tree'; inside: string; host: string; st: Stats; wildcard: boolean }
  | { kind: 'inline'; name: string; host: string; st: Stats }
  | { kind: 'url'; url: string; host: string; st: Stats; lastModified?: number };

/** Where a COPY/ADD reads from. */
export interface SourceSpec {
  add: boolean;
  /** The source words, expanded. */
  sources: string[];
  context: BuildContext;
  from?: SourceTree;
  /** Here-documents by name, expanded, for `COPY <<EOF /dest`. */
  heredocs?: Map<string, string>;
  /** A scratch folder for inline files and downloads. */
  scratch: string;
  /** Downloads a URL into `file` (ADD); returns the Last-Modified time in seconds when the server sent one. */
  download?: (url: string, file: string) => Promise<{ lastModified?: number }>;
}

const URL_RE = /^https?:\/\//i;
const WILDCARD = /[*?[]/;

/** Finds every source of a COPY/ADD. */
export async function findSources(spec: SourceSpec): Promise<FoundSource[]> {
  const word = spec.add ? 'ADD' : 'COPY';
  const found: FoundSource[] = [];
  let n = 0;
  for (const src of spec.sources) {
    const heredoc = /^<<-?(.+)$/.exec(src);
    if (heredoc && spec.heredocs?.has(heredoc[1]!)) {
      const name = heredoc[1]!;
      const host = join(spec.scratch, `inline-${n++}`);
      await writeFile(host, spec.heredocs.get(name)!, { mode: 0o644 });
      found.push({ kind: 'inline', name, host, st: lstatSync(host) });
      continue;
    }
    if (URL_RE.test(src) && !spec.from) {
      if (!spec.add) throw new BerthError('INVALID_ARGUMENT', `COPY cannot read a URL (${src}); use ADD, or RUN with curl or wget`);
      if (!spec.download) throw new BerthError('UNSUPPORTED', `ADD ${src}: downloading is not available here`);
      const host = join(spec.scratch, `download-${n++}`);
      const { lastModified } = await spec.download(src, host);
      found.push({ kind: 'url', url: src, host, st: lstatSync(host), lastModified });
      continue;
    }
    const wildcard = WILDCARD.test(src);
    if (spec.from) {
      const matches = treeGlob(spec.from.root, src);
      if (matches.length === 0) throw notFound(word, src, `in ${spec.from.id.slice(0, 19)}`);
      for (const inside of matches) {
        const r = resolveInRoot(spec.from.root, inside, { followLast: true });
        found.push({ kind: 'tree', inside: r.inside, host: r.host, st: lstatSync(r.host), wildcard });
      }
      continue;
    }
    const matches = await spec.context.glob(src);
    if (matches.length === 0) throw notFound(word, src, 'in the build context or excluded by .dockerignore');
    for (const m of matches) {
      const entry = await followContextLink(spec.context, m);
      found.push({ kind: 'context', entry, wildcard, entries: entry.type === 'directory' ? await spec.context.walk(entry.path) : [entry] });
    }
  }
  return found;
}

function notFound(word: string, src: string, where: string): BerthError {
  return new BerthError('NOT_FOUND', `${word} failed: "${src}" not found ${where}`);
}

/** A symbolic link named as a source is followed, inside the context, as Docker follows it. */
async function followContextLink(context: BuildContext, e: ContextEntry): Promise<ContextEntry> {
  let entry = e;
  for (let hops = 0; entry.type === 'symlink' && hops < 40; hops++) {
    const target = entry.linkTarget!;
    const next = cleanPath(target.startsWith('/') ? target : posix.join(posix.dirname(entry.path), target));
    if (next === '..' || next.startsWith('../')) throw new BerthError('INVALID_ARGUMENT', `"${e.path}" links outside the build context (${target}); COPY and ADD can only read files inside it`);
    const resolved = await context.stat(next);
    if (!resolved) throw new BerthError('NOT_FOUND', `"${e.path}" links to ${target}, which is not in the build context`);
    entry = resolved;
  }
  return entry;
}

/** Paths inside `root` matching `pattern` segment by segment (Go's filepath.Match), links followed on the way. */
function treeGlob(root: string, pattern: string): string[] {
  const clean = cleanPath(pattern.startsWith('/') ? pattern.slice(1) : pattern);
  if (clean === '.' || clean === '') return [''];
  if (!WILDCARD.test(clean)) {
    const r = resolveInRoot(root, clean, { followLast: true });
    try {
      lstatSync(r.host);
      return [clean];
    } catch {
      return [];
    }
  }
  let current = [''];
  for (const part of clean.split('/')) {
    const next: string[] = [];
    for (const dir of current) {
      if (!WILDCARD.test(part)) {
        next.push(dir === '' ? part : `${dir}/${part}`);
        continue;
      }
      const host = resolveInRoot(root, dir || '/', { followLast: true }).host;
      let names: string[];
      try {
        names = readdirSync(host).sort();
      } catch {
        continue;
      }
      for (const name of names) if (matchGlob(part, name)) next.push(dir === '' ? name : `${dir}/${name}`);
    }
    current = next;
  }
  return current.filter((p) => {
    try {
      lstatSync(resolveInRoot(root, p, { followLast: true }).host);
      return true;
    } catch {
      return false;
    }
  });
}

/** The sha256 (hex) of a file's content. */
export async function fileDigest(host: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(host, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The cache key of the sources: their names, types, modes, links and contents (not when they were
 * touched), or for `--from` the tree's image ID. `digestOf` gives a file's content digest: read now, or
 * taken from the pass that wrote the layer, so a step with no cached candidate reads its files once.
 */
export async function sourcesKey(found: FoundSource[], context: BuildContext, from: SourceTree | undefined, digestOf: (host: string) => Promise<string> = fileDigest): Promise<string> {
  const hash = createHash('sha256');
  for (const s of found) {
    switch (s.kind) {
      case 'context':
        hash.update(`context ${s.entry.path} ${s.wildcard}\n`);
        for (const e of s.entries) {
          hash.update(`${e.type} ${e.path} ${e.mode.toString(8)} ${e.linkTarget ?? ''} ${e.size}`);
          hash.update(e.type === 'file' ? ` ${await digestOf(join(context.dir, e.path))}\n` : '\n');
        }
        break;
      case 'tree':
        hash.update(`tree ${from!.id} ${s.inside} ${s.wildcard}\n`);
        break;
      case 'inline':
        hash.update(`inline ${s.name} ${s.st.size} ${await fileDigest(s.host)}\n`);
        break;
      case 'url':
        hash.update(`url ${s.url} ${s.st.size} ${s.lastModified ?? ''} ${await fileDigest(s.host)}\n`);
        break;
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Where a COPY/ADD writes, and how. */
export interface DestSpec {
  add: boolean;
  /** The destination word, expanded. */
  dest: string;
  /** The number of source words (several need a destination folder). */
  sourceWords: number;
  /** The stage's WORKDIR, for a relative destination. */
  workdir: string;
  /** The stage's root filesystem as it is before this step. */
  rootfs: string;
  ids: IdMap;
  owner?: { uid: number; gid: number };
  chmod?: number;
  context: BuildContext;
  from?: SourceTree;
  /** Clamp modification times to this (SOURCE_DATE_EPOCH). */
  epoch?: number;
  /** A scratch folder, for unpacking archives. */
  scratch: string;
}

/** The entries a COPY/ADD adds, parents before children, each path once. */
export async function planEntries(spec: DestSpec, found: FoundSource[]): Promise<LayerEntry[]> {
  const word = spec.add ? 'ADD' : 'COPY';
  const destAbs = spec.dest.startsWith('/') ? spec.dest : posix.join(spec.workdir || '/', spec.dest);
  const trailing = spec.dest.endsWith('/') || spec.dest.endsWith('/.') || spec.dest === '.';
  if (spec.sourceWords > 1 && !trailing && !isDirectory(spec.rootfs, destAbs)) {
    throw new BerthError('INVALID_ARGUMENT', `When using ${word} with more than one source file, the destination must be a directory and end with a /`);
  }
  const destIsDir = trailing || found.length > 1 || isDirectory(spec.rootfs, destAbs);
  const plan = new Plan(spec);
  const now = Math.floor(Date.now() / 1000);
  let kind: Compression | undefined;
  for (const s of found) {
    switch (s.kind) {
      case 'context': {
        const e = s.entry;
        if (e.type === 'directory') {
          plan.folder(destAbs);
          for (const c of s.entries) {
            if (c.path === e.path) continue;
            const rel = e.path === '.' ? c.path : c.path.slice(e.path.length + 1);
            plan.contextEntry(`${destAbs}/${rel}`, c);
          }
        } else if (spec.add && e.type === 'file' && (kind = await archiveKind(join(spec.context.dir, e.path), e.path)) !== undefined) {
          await plan.archive(destAbs, join(spec.context.dir, e.path), e.path, kind);
        } else {
          plan.contextEntry(destIsDir ? `${destAbs}/${basename(e.path)}` : destAbs, e);
        }
        break;
      }
      case 'tree': {
        if (s.st.isDirectory()) {
          plan.folder(destAbs);
          plan.treeContents(destAbs, s.host);
        } else {
          plan.treeEntry(destIsDir ? `${destAbs}/${basename(s.inside)}` : destAbs, s.host, s.st);
        }
        break;
      }
      case 'inline':
        plan.hostFile(destIsDir ? `${destAbs}/${s.name}` : destAbs, s.host, s.st.size, 0o644, now);
        break;
      case 'url': {
        const name = urlFileName(s.url);
        if (destIsDir && !name) throw new BerthError('INVALID_ARGUMENT', `cannot determine a file name from the URL ${s.url}; give a destination file name`);
        plan.hostFile(destIsDir ? `${destAbs}/${name}` : destAbs, s.host, s.st.size, 0o600, s.lastModified ?? now);
        break;
      }
    }
  }
  return plan.entries();
}

function urlFileName(url: string): string {
  try {
    return basename(decodeURIComponent(new URL(url).pathname));
  } catch {
    return '';
  }
}

function isDirectory(root: string, path: string): boolean {
  try {
    return statInRoot(root, path)?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function statInRoot(root: string, path: string): Stats | undefined {
  try {
    return lstatSync(resolveInRoot(root, path, { followLast: true }).host);
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The programs that decompress what Node cannot. */
const DECOMPRESSORS: Partial<Record<Compression, string>> = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' };

/** The file's bytes, decompressed when it is compressed (gzip in Node; bzip2, xz and zstd by their programs). */
function decompressed(host: string, kind: Compression, shown: string): { chunks: AsyncIterable<Buffer>; stop: () => void } {
  if (kind === 'none' || kind === 'gzip') {
    const stream = createReadStream(host, { highWaterMark: 1 << 20 });
    return { chunks: kind === 'gzip' ? stream.pipe(gunzipStream()) : stream, stop: () => stream.destroy() };
  }
  const program = DECOMPRESSORS[kind]!;
  const tool = findTool(program);
  if (!tool) throw new BerthError('UNSUPPORTED', `ADD ${shown}: unpacking a ${kind} archive needs the ${program} program, which this machine does not have`);
  const child = spawn(tool, ['-dc', host], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.on('error', () => undefined);
  return { chunks: child.stdout, stop: () => child.kill() };
}

/** True for a 512-byte tar header whose checksum holds (what `tar` itself checks). */
function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block.subarray(0, 512).every((b) => b === 0)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  const stored = Number.parseInt(block.subarray(148, 156).toString('latin1').replace(/[\0 ]+/g, ' ').trim(), 8);
  return stored === sum;
}

/**
 * How ADD should unpack a local file: the compression of a tar archive (plain, gzip, bzip2, xz, zstd), or
 * undefined when the file is not a tar archive and is copied as it is (a gzip file holding no tar, say).
 */
async function archiveKind(host: string, shown: string): Promise<Compression | undefined> {
  const fd = await open(host, 'r');
  let kind: Compression;
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fd.read(head, 0, 512, 0);
    kind = detectCompression(head.subarray(0, bytesRead));
    if (kind === 'none') return isTarHeader(head.subarray(0, bytesRead)) ? 'none' : undefined;
  } finally {
    await fd.close();
  }
  if (kind !== 'gzip' && !findTool(DECOMPRESSORS[kind]!)) return kind; // unpacking says what is missing
  const { chunks, stop } = decompressed(host, kind, shown);
  const got: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of chunks) {
      got.push(c);
      n += c.length;
      if (n >= 512) break;
    }
  } catch {
    return undefined; // not really compressed data: a plain file
  } finally {
    stop();
  }
  return isTarHeader(Buffer.concat(got)) ? kind : undefined;
}

/** The entries of one step under construction. */
class Plan {
  private readonly byName = new Map<string, LayerEntry>();
  /** Folders this step makes that the image lacks: nothing below them is in the image. */
  private readonly fresh = new Set<string>();
  private readonly resolved = new Map<string, string>();
  /** The first name of each multiply linked file, by device and inode. */
  private readonly inodes = new Map<string, string>();
  private archives = 0;

  constructor(private readonly spec: DestSpec) {}

  /** The name a destination path gets in the layer: its parent resolved inside the image. */
  private nameOf(path: string): string {
    const clean = cleanPath(path.replace(/^\/+/, ''));
    if (clean === '.' || clean === '') return '';
    const parent = posix.dirname(clean);
    const base = posix.basename(clean);
    if (parent === '.') return base;
    let inside = this.resolved.get(parent);
    if (inside === undefined) {
      inside = this.fresh.has(parent) ? parent : resolveInRoot(this.spec.rootfs, parent, { followLast: true }).inside;
      this.resolved.set(parent, inside);
    }
    return inside === '' ? base : `${inside}/${base}`;
  }

  /** What the image has at `name` (links not followed at the end), knowing what this step made. */
  private inImage(name: string): Stats | undefined {
    const parent = posix.dirname(name);
    if (parent !== '.' && this.fresh.has(parent)) return undefined;
    return statInRoot(this.spec.rootfs, name);
  }

  private time(t: number): number {
    return this.spec.epoch !== undefined && t > this.spec.epoch ? this.spec.epoch : t;
  }

  /** Parent folders that the image lacks and this step has not made yet. */
  private parents(name: string): void {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.byName.has(dir)) continue;
      const st = this.inImage(dir);
      if (st?.isDirectory()) continue;
      if (st) throw new BerthError('INVALID_ARGUMENT', `cannot copy to /${name}: /${dir} is not a folder in the image`);
      const owner = this.spec.owner ?? { uid: 0, gid: 0 };
      this.byName.set(dir, { name: dir, type: 'directory', mode: 0o755, ...owner, mtime: this.time(Math.floor(Date.now() / 1000)) });
      this.fresh.add(dir);
    }
  }

  private put(entry: LayerEntry): void {
    if (entry.name === '') return;
    this.parents(entry.name);
    const existing = this.byName.get(entry.name);
    if (existing?.type === 'directory' && entry.type === 'directory') return;
    const st = this.byName.has(entry.name) ? undefined : this.inImage(entry.name);
    if (st?.isDirectory() && entry.type !== 'directory') {
      throw new BerthError('INVALID_ARGUMENT', `cannot copy a file over the folder /${entry.name} of the image`);
    }
    if (entry.type === 'directory' && !st && !existing) this.fresh.add(entry.name);
    this.byName.set(entry.name, entry);
  }

  /** The mode an entry gets: `--chmod` when given, else the source's permission bits. */
  private mode(m: number): number {
    return this.spec.chmod ?? m & 0o7777;
  }

  /** The destination folder of a folder's contents: made when missing. */
  folder(path: string): void {
    const name = this.nameOf(path);
    if (name === '' || this.byName.has(name)) return;
    const st = this.inImage(name);
    if (st?.isDirectory()) return;
    const owner = this.spec.owner ?? { uid: 0, gid: 0 };
    this.put({ name, type: 'directory', mode: 0o755, ...owner, mtime: this.time(Math.floor(Date.now() / 1000)) });
  }

  contextEntry(path: string, e: ContextEntry): void {
    const name = this.nameOf(path);
    const owner = this.spec.owner ?? { uid: 0, gid: 0 };
    const base = { name, ...owner, mtime: this.time(Math.floor(e.mtimeMs / 1000)) };
    if (e.type === 'directory') this.put({ ...base, type: 'directory', mode: this.mode(e.mode) });
    else if (e.type === 'symlink') this.put({ ...base, type: 'symlink', mode: 0o777, linkname: e.linkTarget });
    else this.put({ ...base, type: 'file', mode: this.mode(e.mode), size: e.size, source: join(this.spec.context.dir, e.path) });
  }

  hostFile(path: string, host: string, size: number, mode: number, mtime: number): void {
    const owner = this.spec.owner ?? { uid: 0, gid: 0 };
    this.put({ name: this.nameOf(path), type: 'file', mode: this.mode(mode), ...owner, size, source: host, mtime: this.time(mtime) });
  }

  treeEntry(path: string, host: string, st: Stats): void {
    const tree = this.spec.from!;
    const owner = this.spec.owner ?? ownerOf(tree.ids, st, host);
    const base = { name: this.nameOf(path), ...owner, mtime: this.time(Math.floor(st.mtimeMs / 1000)) };
    if (st.isDirectory()) this.put({ ...base, type: 'directory', mode: this.mode(st.mode) });
    else if (st.isSymbolicLink()) this.put({ ...base, type: 'symlink', mode: 0o777, linkname: readLink(host) });
    else if (st.isFile()) this.putFile({ ...base, type: 'file', mode: this.mode(st.mode), size: st.size, source: host }, st);
    else if (st.isFIFO()) this.put({ ...base, type: 'fifo', mode: this.mode(st.mode) });
  }

  /** A file; another name of a file this step already holds becomes a hard link to it, as Docker keeps them. */
  private putFile(entry: LayerEntry, st: Stats): void {
    if (st.nlink > 1) {
      const inode = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(inode);
      if (first !== undefined && this.byName.has(first)) {
        this.put({ name: entry.name, type: 'link', mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime, linkname: first });
        return;
      }
      this.inodes.set(inode, entry.name);
    }
    this.put(entry);
  }

  /** The contents of a host folder (another stage's, or an unpacked archive) under `path`. */
  treeContents(path: string, hostDir: string, owners?: IdMap): void {
    for (const name of readdirSync(hostDir).sort()) {
      const host = join(hostDir, name);
      const st = lstatSync(host);
      if (owners) this.unpackedEntry(`${path}/${name}`, host, st, owners);
      else this.treeEntry(`${path}/${name}`, host, st);
      if (st.isDirectory()) this.treeContents(`${path}/${name}`, host, owners);
    }
  }

  private unpackedEntry(path: string, host: string, st: Stats, ids: IdMap): void {
    const owner = this.spec.owner ?? ownerOf(ids, st, host);
    const base = { name: this.nameOf(path), ...owner, mtime: this.time(Math.floor(st.mtimeMs / 1000)) };
    if (st.isDirectory()) this.put({ ...base, type: 'directory', mode: st.mode & 0o7777 });
    else if (st.isSymbolicLink()) this.put({ ...base, type: 'symlink', mode: 0o777, linkname: readLink(host) });
    else if (st.isFile()) this.putFile({ ...base, type: 'file', mode: st.mode & 0o7777, size: st.size, source: host }, st);
    else if (st.isFIFO()) this.put({ ...base, type: 'fifo', mode: st.mode & 0o7777 });
  }

  /** ADD of a local archive: its entries, unpacked into a scratch folder first, under `path`. */
  async archive(path: string, host: string, shown: string, kind: Compression): Promise<void> {
    const dir = join(this.spec.scratch, `archive-${this.archives++}`);
    await mkdir(dir, { recursive: true });
    const { chunks, stop } = decompressed(host, kind === 'gzip' ? 'none' : kind, shown); // gzip: unpackLayer inflates it
    try {
      await unpackLayer(chunks, dir, { source: `the archive ${shown}`, ids: this.spec.ids });
    } catch (e) {
      if (isBerthError(e)) throw new BerthError(e.code, `ADD ${shown}: ${e.message}`, { cause: e });
      throw e;
    } finally {
      stop();
    }
    this.folder(path);
    this.treeContents(path, dir, this.spec.ids);
  }

  entries(): LayerEntry[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function readLink(host: string): string {
  return readlinkSync(host);
}

function ownerOf(ids: IdMap, st: Stats, host: string): { uid: number; gid: number } {
  const uid = containerUid(ids, st.uid);
  const gid = containerGid(ids, st.gid);
  if (uid === undefined || gid === undefined) throw new BerthError('IO', `${host} belongs to host user ${st.uid}:${st.gid}, outside the build's ID map`);
  return { uid, gid };
}

/** `--chmod=0644`: octal permission bits. */
export function parseChmod(value: string): number {
  if (!/^[0-7]{3,4}$/.test(value)) throw new BerthError('INVALID_ARGUMENT', `invalid --chmod=${value}: give octal permission bits such as 0644 or 755`);
  return parseInt(value, 8);
}

/**
 * `--chown=user[:group]` in the image's passwd and group files. Without a group, a user named by name
 * gets its group from /etc/passwd and a number is used as the group too (BuildKit's and buildah's rule).
 */
export async function resolveChown(rootfs: string, spec: string): Promise<{ uid: number; gid: number }> {
  const [user = '', group] = spec.split(':', 2) as [string, string?];
  const lookup = async (file: string, name: string, what: string, idField: number): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    let text = '';
    try {
      text = await readFile(resolveInRoot(rootfs, file, { followLast: true }).host, 'utf8');
    } catch (e) {
      if (sysCode(e) !== 'ENOENT') throw e;
    }
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[idField] !== undefined && /^\d+$/.test(f[idField]!)) return Number(f[idField]);
    }
    throw new BerthError('INVALID_ARGUMENT', `unable to convert ${what} "${name}" of --chown=${spec} to an ID: no such ${what} in /${file} of the image`);
  };
  if (user === '') throw new BerthError('INVALID_ARGUMENT', `invalid --chown=${spec}: give user[:group]`);
  const uid = await lookup('etc/passwd', user, 'user', 2);
  let gid: number;
  if (group !== undefined && group !== '') gid = await lookup('etc/group', group, 'group', 2);
  else gid = /^\d+$/.test(user) ? uid : await lookup('etc/passwd', user, 'user', 3);
  return { uid, gid };
}
