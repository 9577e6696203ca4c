/**
 * The run folder of one RUN, made beside the image's root filesystem (so that the change lands on the
 * same file system): the overlay's upper/ and work/, mount points lower/ and sandbox/, the copies of
 * hosts and resolv.conf the command may edit, and init/, a layer laid over the image holding only the
 * mount points the sandbox needs (/proc, /dev, /etc/hosts, /etc/resolv.conf). init/ keeps those mounts
 * out of the change, as Docker's init layer does; its folders copy the image's own mode, owner and
 * time, so a folder copied up through it looks as it does in the image.
 */
import { execFile } from 'node:child_process';
import { chmod, lchown, lstat, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { sysCode } from '../errors';
import { canChown, type IdMap } from './id-map';
import { SANDBOX_HOSTNAME } from './sandbox-script';

/** A run folder; {@link RunFolder.remove} deletes it and everything the command wrote. */
export interface RunFolder {
  path: string;
  upper: string;
  remove(): Promise<void>;
}

/** Makes the run folder for a RUN over `lower`. */
export async function makeRunFolder(lower: string, ids: IdMap, network: 'default' | 'none', unshare: string): Promise<RunFolder> {
  const path = await mkdtemp(join(dirname(lower), `.${basename(lower)}.run-`));
  const folder: RunFolder = { path, upper: join(path, 'upper'), remove: () => removeTree(path, unshare) };
  try {
    const root: Owner = { uid: ids.uid, gid: ids.gid, chown: canChown(ids) };
    await own(path, root, 0o700);
    for (const name of ['lower', 'sandbox']) await mkdir(join(path, name));
    for (const name of ['upper', 'work', 'init']) await mirror(lower, '', join(path, name), root);
    for (const name of ['proc', 'dev']) await mirror(lower, name, join(path, 'init', name), root);
    if (network === 'default') {
      await mirror(lower, 'etc', join(path, 'init', 'etc'), root);
      for (const name of ['hosts', 'resolv.conf']) await writeFile(join(path, 'init', 'etc', name), '');
      await writeCopy(join(path, 'hosts'), await hostsFile(), root);
      await writeCopy(join(path, 'resolv.conf'), await readFile('/etc/resolv.conf', 'utf8').catch(() => 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n'), root);
    }
    return folder;
  } catch (e) {
    await folder.remove();
    throw e;
  }
}

interface Owner {
  uid: number;
  gid: number;
  chown: boolean;
}

async function own(path: string, owner: Owner, mode: number): Promise<void> {
  if (owner.chown) await lchown(path, owner.uid, owner.gid);
  await chmod(path, mode);
}

/** Makes folder `to` with the mode, owner and time of `name` in the image, or 0755 root when the image has no such folder. */
async function mirror(lower: string, name: string, to: string, root: Owner): Promise<void> {
  await mkdir(to);
  const st = await lstat(join(lower, name)).catch(() => undefined);
  if (!st?.isDirectory()) {
    await own(to, root, 0o755);
    return;
  }
  if (root.chown) await lchown(to, st.uid, st.gid);
  await chmod(to, st.mode & 0o7777);
  await utimes(to, st.atime, st.mtime);
}

async function writeCopy(path: string, text: string, root: Owner): Promise<void> {
  await writeFile(path, text);
  await own(path, root, 0o644);
}

/** The host's /etc/hosts (the sandbox shares the host's network) with the sandbox's own name. */
async function hostsFile(): Promise<string> {
  const host = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  return `${host}${host.endsWith('\n') || host === '' ? '' : '\n'}127.0.0.1\t${SANDBOX_HOSTNAME}\n`;
}

/** Deletes a run folder; an ordinary user whose command left unreadable folders deletes it as root of a user namespace. */
export async function removeTree(path: string, unshare: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (e) {
    if (sysCode(e) !== 'EACCES' && sysCode(e) !== 'EPERM') throw e;
    await promisify(execFile)(unshare, ['--user', '--map-root-user', 'rm', '-rf', '--', path]);
  }
}
