/**
 * Finding the folders overlayfs marked opaque in the upper folder of a RUN.
 *
 * When a command deletes a folder of the image and creates it again, overlayfs keeps the new folder in
 * the upper folder and marks it opaque with the extended attribute `user.overlay.opaque` = `y` (the
 * sandbox mounts with `userxattr`; a mount by real root would use `trusted.overlay.opaque`). Nothing
 * else tells an opaque folder from one that merely gained files, so the attribute must be read. Node
 * has no API for extended attributes; GNU tar reads them (`--xattrs`, stored as PAX records
 * `SCHILY.xattr.NAME`), and tar is part of every Debian system, whereas getfattr needs the extra
 * package `attr`. Only folders that also exist in the image are asked about: elsewhere there is
 * nothing below to hide. https://docs.kernel.org/filesystems/overlayfs.html#whiteouts-and-opaque-directories
 */
import { spawn } from 'node:child_process';
import { BerthError } from '../errors';
import { entryPath } from '../archive/entry-path';
import { tarEntries } from '../archive/tar-entries';

const ATTRS = ['user.overlay.opaque', 'trusted.overlay.opaque'];

/** How to run GNU tar: its path, and a prefix (such as `unshare --map-root-user`) that lets it read every folder. */
export interface TarCommand {
  tar: string;
  prefix?: string[];
}

/** Which of `folders` (paths inside `upper`) carry the opaque mark. */
export async function opaqueFolders(upper: string, folders: string[], command: TarCommand): Promise<Set<string>> {
  const opaque = new Set<string>();
  if (folders.length === 0) return opaque;
  const args = [
    '--create', '--file=-', '--no-recursion', '--xattrs', ...ATTRS.map((a) => `--xattrs-include=${a}`),
    `--directory=${upper}`, '--null', '--verbatim-files-from', '--files-from=-',
  ];
  const argv = [...(command.prefix ?? []), command.tar, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const errors: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => errors.push(c));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(Buffer.from(folders.map((f) => `${f}\0`).join('')));
  try {
    for await (const entry of tarEntries(child.stdout, 'the extended attributes of the RUN change')) {
      for await (const _ of entry) void _;
      const pax = (entry.header as { pax?: Record<string, string> }).pax ?? {};
      const path = entryPath(entry.header.name);
      if (path.ok && ATTRS.some((a) => pax[`SCHILY.xattr.${a}`] === 'y')) opaque.add(path.path);
    }
  } finally {
    if (child.exitCode === null) child.stdout.destroy();
  }
  const code = await exited.catch((e: unknown) => {
    throw new BerthError('IO', `reading the opaque marks of ${upper} with ${command.tar}: ${(e as Error).message}`, { cause: e });
  });
  if (code !== 0) {
    throw new BerthError('IO', `reading the opaque marks of ${upper} with ${command.tar} failed (exit ${code}): ${Buffer.concat(errors).toString().trim()}`);
  }
  return opaque;
}
