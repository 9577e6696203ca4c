/**
 * The regular files of an image archive, read in one streaming pass in whatever order the archive
 * has them: small files (JSON, configs) are kept in memory, the others go to temporary files in the
 * store's ingest folder while their digest (and, for gzip content, the digest of the inflated bytes)
 * is computed. Symbolic and hard links (`docker save` 20.10 links a layer shared by two images) are
 * kept as aliases. Nothing here is visible in the store until {@link ArchiveFiles.commitBlob}.
 */
import { readFile, unlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { gunzipSync, type Gunzip } from 'node:zlib';
import { BerthError } from '../errors';
import { Digester, digestOf, type Digest } from '../oci/digest';
import type { Lease } from '../store/leases';
import type { Store } from '../store/store';
import { MAGIC_BYTES, detectCompression, gunzipStream, type Compression } from './compression';
import { entryPath, parentOf, resolveRelative } from './entry-path';
import { SequentialFile } from '../store/sequential-file';
import { peekStream, writeTo } from './streams';
import type { TarEntry } from './tar-entries';

/** One regular file of the archive. */
export interface ArchiveFile {
  /** Its normalized path in the archive. */
  name: string;
  size: number;
  digest: Digest;
  /** How its content is compressed, judged by its first bytes. */
  compression: Compression;
  /** The content, for small files. */
  data?: Buffer;
  /** The temporary file holding the content, for big files. */
  temp?: string;
  /** For gzip content streamed to a temporary file: the inflated content's digest, or why inflating failed. */
  inflated?: { digest: Digest } | { error: Error };
}

const SMALL_FILE = 1 << 20;
const JSON_FILE = 16 << 20;
const MEMORY_BUDGET = 64 << 20;
const MAX_LINK_HOPS = 40;

/** The files of one archive; call {@link ArchiveFiles.dispose} when done to remove what was not committed. */
export class ArchiveFiles {
  private readonly files = new Map<string, ArchiveFile>();
  private readonly links = new Map<string, string>();
  private readonly temps: string[] = [];
  private readonly committed = new Set<ArchiveFile>();
  private inMemory = 0;

  constructor(private readonly store: Store, private readonly source: string) {}

  /** Takes one entry of the archive (its content must be read before the next entry). */
  async add(entry: TarEntry): Promise<void> {
    const h = entry.header;
    const p = entryPath(h.name);
    if (!p.ok) throw new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing entry "${h.name}": it ${p.problem}; an image archive names its files relative to its root, so this one was not written by docker save or Berth`);
    const name = p.path;
    if (h.type === 'character-device' || h.type === 'block-device') {
      throw new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing entry "${h.name}": an image archive holds no device files`);
    }
    if (h.type === 'symlink' || h.type === 'link') {
      this.links.set(name, this.linkTarget(h.name, name, h.linkname ?? '', h.type === 'link'));
      this.files.delete(name);
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      const file = this.keepInMemory(name, h.size) ? await this.readSmall(name, entry) : await this.readToTemp(name, entry);
      this.files.set(name, file);
      this.links.delete(name);
      return;
    }
    for await (const _ of entry) void _;
  }

  private linkTarget(raw: string, name: string, linkname: string, hard: boolean): string {
    let path: string | undefined;
    if (hard) {
      const t = entryPath(linkname);
      path = t.ok ? t.path : undefined;
    } else if (!linkname.startsWith('/')) {
      path = resolveRelative(parentOf(name), linkname);
    }
    if (path === undefined) throw new BerthError('UNSAFE_ARCHIVE', `${this.source}: refusing entry "${raw}": it links to "${linkname}", outside the archive`);
    return path;
  }

  private keepInMemory(name: string, size: number): boolean {
    const limit = name.endsWith('.json') || name === 'repositories' || name === 'oci-layout' ? JSON_FILE : SMALL_FILE;
    if (size > limit || this.inMemory + size > MEMORY_BUDGET) return false;
    this.inMemory += size;
    return true;
  }

  private async readSmall(name: string, entry: TarEntry): Promise<ArchiveFile> {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    return { name, size: data.length, digest: digestOf(data), compression: detectCompression(data), data };
  }

  private async readToTemp(name: string, entry: TarEntry): Promise<ArchiveFile> {
    const temp = await this.store.blobs.tempPath();
    this.temps.push(temp);
    const out = await SequentialFile.create(temp);
    const digester = new Digester();
    let inflater: Inflater | undefined;
    let compression: Compression = 'none';
    try {
      const { head, chunks } = await peekStream(entry, MAGIC_BYTES);
      compression = detectCompression(head);
      if (compression === 'gzip') inflater = new Inflater();
      for await (const chunk of chunks) {
        digester.update(chunk);
        await out.write(chunk);
        await inflater?.write(chunk);
      }
      await out.close();
    } catch (e) {
      await out.abort();
      inflater?.abort();
      throw e;
    }
    const file: ArchiveFile = { name, size: digester.size, digest: digester.digest(), compression, temp };
    if (inflater) file.inflated = await inflater.end();
    return file;
  }

  /** The file at `path` (normalized), following links; undefined when the archive has none. */
  resolve(path: string): ArchiveFile | undefined {
    let p = path;
    for (let i = 0; i < MAX_LINK_HOPS; i++) {
      const file = this.files.get(p);
      if (file) return file;
      const next = this.links.get(p);
      if (next === undefined) return undefined;
      p = next;
    }
    return undefined;
  }

  /** Every regular file, by path. */
  all(): IterableIterator<ArchiveFile> {
    return this.files.values();
  }

  /** The content of a file (read from its temporary file when it is big). */
  async bytes(file: ArchiveFile): Promise<Buffer> {
    return file.data ?? readFile(file.temp!);
  }

  /** The digest of a gzip file's inflated content; throws INVALID_ARCHIVE when it does not inflate. */
  inflatedDigest(file: ArchiveFile): Digest {
    if (file.data) {
      try {
        return digestOf(gunzipSync(file.data));
      } catch (e) {
        throw this.badGzip(file, e as Error);
      }
    }
    const r = file.inflated;
    if (!r) throw new Error(`internal: ${file.name} was not inflated`);
    if ('error' in r) throw this.badGzip(file, r.error);
    return r.digest;
  }

  private badGzip(file: ArchiveFile, e: Error): BerthError {
    return new BerthError('INVALID_ARCHIVE', `${this.source}: "${file.name}" is not valid gzip (${e.message}); the archive is damaged`, { cause: e });
  }

  /** Makes a file a blob of the store (pinned by `lease`); a file is committed once however often it is used. */
  async commitBlob(file: ArchiveFile, lease: Lease): Promise<void> {
    if (this.committed.has(file)) return;
    if (file.data) {
      await this.store.blobs.put(file.data, lease);
    } else {
      await lease.pin(file.digest);
      await this.store.blobs.commitTemp(file.temp!, file.digest);
    }
    this.committed.add(file);
  }

  /** Removes the temporary files that were not committed. */
  async dispose(): Promise<void> {
    await Promise.all(this.temps.map((t) => unlink(t).catch(() => undefined)));
  }
}

/** Inflates gzip content on the side, only to hash it; a failure is recorded, not thrown. */
class Inflater {
  private readonly gz: Gunzip = gunzipStream();
  private readonly digester = new Digester();
  private error: Error | undefined;
  private readonly done: Promise<void>;

  constructor() {
    this.gz.on('data', (c: Buffer) => this.digester.update(c));
    this.done = finished(this.gz).catch((e: Error) => {
      this.error ??= e;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.error) return;
    try {
      await writeTo(this.gz, chunk);
    } catch (e) {
      this.error ??= e as Error;
    }
  }

  async end(): Promise<{ digest: Digest } | { error: Error }> {
    if (!this.error) this.gz.end();
    await this.done;
    return this.error ? { error: this.error } : { digest: this.digester.digest() };
  }

  abort(): void {
    this.gz.destroy();
  }
}
