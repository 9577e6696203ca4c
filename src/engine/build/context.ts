/**
 * The build context: the folder `berth build CONTEXT` names, seen through `.dockerignore`. COPY and ADD
 * read their sources from here; the cache key of such a step is the hash of the files it reads.
 * https://docs.docker.com/build/concepts/context/
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { BerthError, sysCode } from '../errors';
import { IgnoreMatcher, cleanPath, matchPath, parseDockerignore } from './dockerignore';

/** One entry of the context. */
export interface ContextEntry {
  /** Relative to the context, `/`-separated. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  linkTarget?: string;
}

/** The context folder with its ignore rules. */
export class BuildContext {
  private constructor(readonly dir: string, readonly ignore: IgnoreMatcher) {}

  /**
   * Opens a context. The ignore file is `<Dockerfile>.dockerignore` beside the Dockerfile when it exists
   * (BuildKit's rule), else `.dockerignore` at the context's root.
   */
  static async open(dir: string, options: { dockerfile?: string } = {}): Promise<BuildContext> {
    try {
      if (!(await lstat(dir)).isDirectory()) throw new BerthError('INVALID_ARGUMENT', `the build context ${dir} is not a folder`);
    } catch (e) {
      if (sysCode(e) === 'ENOENT') throw new BerthError('NOT_FOUND', `the build context ${dir} does not exist`);
      throw e;
    }
    const candidates = options.dockerfile ? [join(dirname(options.dockerfile), `${basename(options.dockerfile)}.dockerignore`)] : [];
    candidates.push(join(dir, '.dockerignore'));
    for (const file of candidates) {
      try {
        return new BuildContext(dir, new IgnoreMatcher(parseDockerignore(await readFile(file, 'utf8'))));
      } catch (e) {
        if (sysCode(e) !== 'ENOENT') throw e;
      }
    }
    return new BuildContext(dir, new IgnoreMatcher([]));
  }

  /** The entry at `path` (relative), or undefined when it is missing or ignored. */
  async stat(path: string): Promise<ContextEntry | undefined> {
    const rel = cleanPath(path);
    if (rel !== '.' && (rel.startsWith('../') || rel === '..')) {
      throw new BerthError('INVALID_ARGUMENT', `"${path}" is outside the build context; COPY and ADD can only read files inside it`);
    }
    if (rel !== '.' && this.ignore.excludes(rel)) return undefined;
    return this.entry(rel);
  }

  private async entry(rel: string): Promise<ContextEntry | undefined> {
    const full = rel === '.' ? this.dir : join(this.dir, rel);
    let st;
    try {
      st = await lstat(full);
    } catch (e) {
      if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
    const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : undefined;
    if (!type) return undefined;
    const entry: ContextEntry = { path: rel, type, mode: st.mode & 0o7777, size: type === 'file' ? st.size : 0, mtimeMs: st.mtimeMs };
    if (type === 'symlink') entry.linkTarget = await readlink(full);
    return entry;
  }

  /** Every entry below `path` (itself included), not ignored, sorted by path; folders are walked lazily. */
  async walk(path = '.'): Promise<ContextEntry[]> {
    const start = await this.stat(path);
    const out: ContextEntry[] = [];
    const visit = async (e: ContextEntry, excluded: boolean): Promise<void> => {
      if (!excluded) out.push(e);
      if (e.type !== 'directory') return;
      const names = (await readdir(e.path === '.' ? this.dir : join(this.dir, e.path))).sort();
      for (const name of names) {
        const rel = e.path === '.' ? name : `${e.path}/${name}`;
        const skip = this.ignore.excludes(rel);
        const child = await this.entry(rel);
        if (!child) continue;
        if (skip && !(child.type === 'directory' && this.ignore.mayIncludeBelow(rel))) continue;
        await visit(child, skip);
      }
    };
    if (start) await visit(start, false);
    return out;
  }

  /**
   * The sources a COPY/ADD names: a path, or a pattern with Go filepath.Match wildcards (`*`, `?`, `[...]`)
   * matched segment by segment. Sorted; an empty result is the caller's error to report.
   */
  async glob(pattern: string): Promise<ContextEntry[]> {
    const clean = cleanPath(pattern);
    if (!/[*?[]/.test(clean)) {
      const e = await this.stat(clean);
      return e ? [e] : [];
    }
    const all = await this.walk('.');
    return all.filter((e) => e.path !== '.' && matchPath(clean, e.path));
  }

  /** A digest of the given entries and their contents: the cache key of a COPY/ADD step. */
  async checksum(entries: ContextEntry[]): Promise<string> {
    const hash = createHash('sha256');
    for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      hash.update(`${e.type} ${e.path} ${e.mode.toString(8)} ${e.linkTarget ?? ''} ${e.size}\n`);
      if (e.type === 'file') for await (const chunk of createReadStream(join(this.dir, e.path), { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    }
    return `sha256:${hash.digest('hex')}`;
  }
}
