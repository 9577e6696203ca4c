/**
 * A small root filesystem with a shell, for tests: busybox-static with a symlink for each applet,
 * /tmp (1777), /etc/passwd and /etc/group, tarred as TESTING.md describes. Requires /usr/bin/busybox
 * (Debian's busybox-static) and GNU tar.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const BUSYBOX = '/usr/bin/busybox';

/** Builds the busybox root filesystem in a new folder under `parent` and returns that folder. */
export function makeBusyboxRootfs(parent: string = tmpdir()): string {
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, 'rootfs-'));
  chmodSync(root, 0o755); // the image's / (mkdtemp makes it 0700, which would shut out every user but root)
  for (const d of ['bin', 'etc', 'root', 'tmp', 'usr/bin', 'usr/sbin', 'sbin']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  return root;
}

/** Tars a folder's contents (`./...` names) to `file`, owned by root, optionally gzip-compressed. */
export function tarFolder(folder: string, file: string, options: { gzip?: boolean } = {}): string {
  mkdirSync(dirname(file), { recursive: true });
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', options.gzip ? '-czf' : '-cf', file, '-C', folder, '.']);
  return file;
}

/** Builds the busybox root filesystem and tars it to `file` (gzip when asked); the folder is removed. */
export function makeBusyboxTarball(file: string, options: { gzip?: boolean } = {}): string {
  const root = makeBusyboxRootfs(dirname(file));
  try {
    return tarFolder(root, file, options);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
