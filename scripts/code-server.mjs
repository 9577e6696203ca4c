// code-server (VS Code 1.100.3 in the browser, the last release on Node 20) for running Berth and for its
// end-to-end tests: installed on demand into .vscode-test/code-server, started on loopback in a process
// group of its own, and stopped with that whole group. See TESTING.md, "Real VS Code".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './debian.mjs';

export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** The cache folder of everything these scripts install or make (git ignores it). */
export const CACHE_DIR = join(REPO_ROOT, '.vscode-test');
export const CODE_SERVER_VERSION = '4.100.3';
// @vscode/ripgrep's version as pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json: its
// postinstall looks for a download in $TMPDIR/vscode-ripgrep-cache-<version>/ before the internet.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_TARGETS = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };
const START_TIMEOUT_MS = 60_000;

/** The entry script of the code-server installed under `cacheDir` (run it with this Node). */
export function codeServerEntry(cacheDir = CACHE_DIR) {
  return join(cacheDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function installedVersion(cacheDir) {
  const manifest = join(cacheDir, 'code-server', 'node_modules', 'code-server', 'package.json');
  if (!existsSync(manifest) || !existsSync(join(cacheDir, 'code-server', '.complete'))) return undefined;
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

/** Puts Debian's /usr/bin/rg where @vscode/ripgrep's postinstall looks for its download. */
function seedRipgrepCache(tmpDir) {
  const target = RIPGREP_TARGETS[arch()];
  if (!target) throw new Error(`no ripgrep download name known for the processor ${arch()}`);
  const cache = join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, `ripgrep-v13.0.0-10-${target}.tar.gz`);
  const r = spawnSync('tar', ['-czf', tarball, '-C', '/usr/bin', 'rg'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`packing /usr/bin/rg into ${tarball} failed`);
}

// npm_config_yes: node-pty's build runs npx; unsafe_perm: code-server's postinstall refuses root without it;
// nodedir: node-gyp builds kerberos and node-pty against Debian's Node headers instead of downloading them.
function installEnv(tmpDir) {
  const env = { ...process.env, TMPDIR: tmpDir, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  return env;
}

/**
 * Installs code-server into `cacheDir`/code-server unless that version is there already, and returns
 * its entry script. Takes about a minute with a warm npm cache (kerberos and node-pty build from source).
 */
export function ensureCodeServer({ cacheDir = CACHE_DIR, log = console.error } = {}) {
  if (installedVersion(cacheDir) === CODE_SERVER_VERSION) return codeServerEntry(cacheDir);
  ensureDebianPackages(['ripgrep', 'libkrb5-dev', 'make', 'g++'], { purpose: 'installing code-server', log });
  const prefix = join(cacheDir, 'code-server');
  const tmpDir = join(cacheDir, 'tmp', 'install');
  rmSync(prefix, { recursive: true, force: true });
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  seedRipgrepCache(tmpDir);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${prefix} (about a minute)...`);
  const started = Date.now();
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: installEnv(tmpDir),
  });
  if (r.status !== 0 || !existsSync(codeServerEntry(cacheDir))) {
    throw new Error(`installing code-server ${CODE_SERVER_VERSION} failed (npm exited with ${r.status ?? r.signal})`);
  }
  writeFileSync(join(prefix, '.complete'), `${CODE_SERVER_VERSION}\n`);
  rmSync(tmpDir, { recursive: true, force: true });
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerEntry(cacheDir);
}

// Its own config file in the user data folder, so that ~/.config/code-server is left alone.
function codeServerArgs({ userDataDir, extensionsDir }) {
  return ['--config', join(userDataDir, 'code-server.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check'];
}

// $PORT would override --bind-addr, and the variables of a VS Code this runs in would reach its extension host.
function codeServerEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PORT' && !/^(VSCODE_|CODE_SERVER_|ELECTRON_)/.test(k)));
}

/** Installs a .vsix into `extensionsDir` (replacing an installed build of the same version). */
export function installExtension({ entry, vsix, userDataDir, extensionsDir, env = process.env }) {
  const r = spawnSync(process.execPath, [entry, ...codeServerArgs({ userDataDir, extensionsDir }), '--install-extension', vsix, '--force'], {
    env: codeServerEnv(env), encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed:\n${r.stdout}${r.stderr}`);
}

/**
 * Starts code-server on `host`:`port` (0: a free port) with `workspace` open, in a process group of its
 * own. Resolves when it listens, with its base URL and a `stop()` that ends the whole group. The group
 * is also killed if this process exits first, and when code-server does not come up.
 */
export async function startCodeServer({ entry, host = '127.0.0.1', port = 0, workspace, userDataDir, extensionsDir, env = process.env, log }) {
  const args = [entry, ...codeServerArgs({ userDataDir, extensionsDir }), '--bind-addr', `${host}:${port}`, '--auth', 'none',
    '--disable-workspace-trust', '--disable-getting-started-override', workspace];
  const child = spawn(process.execPath, args, { env: codeServerEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = (signal) => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const stop = async () => {
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    killGroup('SIGKILL'); // children that outlived the leader
    process.off('exit', onExit);
  };

  let output = '';
  const listening = new Promise((resolve, reject) => {
    let up = false;
    const onData = (chunk) => {
      log?.(chunk.toString());
      if (up) return;
      output += chunk;
      const m = /HTTP server listening on (http:\/\/\S+)/.exec(output);
      if (m) { up = true; resolve(new URL(m[1]).origin); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => reject(new Error(`code-server exited (${code}) before it listened:\n${output}`)));
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`code-server did not listen within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
  });
  try {
    const url = await Promise.race([listening, timeout]);
    return { url, pid: child.pid, exited, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
