// Debian packages the VS Code scripts need (ripgrep and libkrb5-dev to install code-server, busybox-static
// for the sample image, chromium for the e2e tests): installed with apt-get when missing and this runs as root.
import { spawnSync } from 'node:child_process';

function installed(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function apt(args) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_SUSPEND: '1' } });
  return r.status === 0;
}

/**
 * Makes sure the Debian `packages` are installed, for `purpose`. Where dpkg is missing (not Debian) this
 * checks nothing; where a package is missing and this is not root, it fails with the command to run.
 */
export function ensureDebianPackages(packages, { purpose, log = console.error } = {}) {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) return;
  const missing = packages.filter((p) => !installed(p));
  if (!missing.length) return;
  const command = `apt-get install --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`${purpose} needs Debian's ${missing.join(', ')}: sudo ${command}`);
  log(`${purpose} needs Debian's ${missing.join(', ')}: installing them with apt-get...`);
  const args = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  if (!apt(args) && !(apt(['update', '-qq']) && apt(args))) throw new Error(`${command} failed`);
}
