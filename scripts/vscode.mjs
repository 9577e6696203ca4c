// `npm run vscode`: Berth in a real VS Code (code-server, in the browser) on this machine. Builds and packages
// Berth, installs code-server into .vscode-test/ when missing, installs the .vsix, makes busybox:latest in the
// default store and a sample workspace that builds FROM it, then serves http://127.0.0.1:$PORT (default 8080)
// until Ctrl-C.
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, ensureCodeServer, installExtension, startCodeServer } from './code-server.mjs';
import { packageExtension } from './package.mjs';
import { ensureBusyboxImage, writeWorkspace } from './sample-workspace.mjs';

const DEFAULT_PORT = 8080;
// The sample lives inside this repository: git would offer to open the repository around it.
const SETTINGS = { 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never',
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false };

/** Adds the settings above to the user's settings.json where it has none of its own (left as is if not plain JSON). */
function writeSettings(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  let current = {};
  try {
    if (existsSync(file)) current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...SETTINGS, ...current }, null, 2) + '\n');
}

async function main() {
  const port = Number(process.env.PORT || DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a port number`);
  const dirs = { userDataDir: join(CACHE_DIR, 'vscode', 'user-data'), extensionsDir: join(CACHE_DIR, 'vscode', 'extensions') };
  const workspace = join(CACHE_DIR, 'sample');

  const { vsix } = packageExtension();
  const entry = ensureCodeServer();
  writeSettings(dirs.userDataDir);
  installExtension({ entry, vsix, ...dirs });
  await ensureBusyboxImage();
  writeWorkspace(workspace);

  const logFile = join(CACHE_DIR, 'vscode', 'code-server.log');
  const logStream = createWriteStream(logFile);
  const server = await startCodeServer({ entry, port, workspace, ...dirs, log: (text) => logStream.write(text) });
  console.log(`\nBerth in VS Code: ${server.url}/\n  workspace ${workspace}\n  log ${logFile}\nCtrl-C stops it.\n`);
  let stopping = false;
  const stop = () => { stopping = true; server.stop().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const status = await server.exited;
  if (!stopping) {
    console.error(`code-server exited (${status}); see ${logFile}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
