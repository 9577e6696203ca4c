// End-to-end tests of the packaged extension in real VS Code (code-server 4.100.3) and Chromium.
// `node test/e2e/run.mjs`: packages berth-<version>.vsix, installs code-server into .vscode-test/ when
// missing, installs the .vsix into a temporary extensions folder, starts code-server on a free port with a
// temporary HOME, XDG folders, TMPDIR and Berth store, and a real registry on loopback (Debian's
// docker-registry, through test/helpers/registry.ts), then runs (a) extension-tests.js in the extension
// host and (b) a check of the Problems panel in the browser. Screenshots and logs: test/e2e/artifacts/.
// Needs Debian's chromium, busybox-static, docker-registry, skopeo, and to install code-server libkrb5-dev
// and ripgrep.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, installExtension, REPO_ROOT, startCodeServer } from '../../scripts/code-server.mjs';
import { packageExtension } from '../../scripts/package.mjs';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { ensureBusyboxImage, writeWorkspace } from '../../scripts/sample-workspace.mjs';
import { checkAddRegistry, checkBuildAndImagesView, checkProblemsPanel, launchBrowser, runExtensionTests } from './workbench.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, 'artifacts');
const DOCKERFILE = 'FROM busybox:latest\nMAINTAINER x\nRUN echo hello > /hello.txt\n';

const timings = {};
async function timed(name, step) {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings[name] = (Date.now() - started) / 1000;
  }
}

/** A throwaway machine home: HOME, XDG folders, TMPDIR, code-server's folders, a store and the workspace. */
function makeSandbox() {
  const root = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  const dir = (...p) => { const d = join(root, ...p); mkdirSync(d, { recursive: true }); return d; };
  const sandbox = {
    root, home: dir('home'), tmp: dir('tmp'), store: dir('store'), workspace: dir('workspace'),
    userDataDir: dir('user-data'), extensionsDir: dir('extensions'), results: join(root, 'results.json'),
  };
  sandbox.env = {
    ...process.env, HOME: sandbox.home, TMPDIR: sandbox.tmp,
    XDG_CONFIG_HOME: dir('home', '.config'), XDG_DATA_HOME: dir('home', '.local', 'share'),
    XDG_CACHE_HOME: dir('home', '.cache'), XDG_STATE_HOME: dir('home', '.local', 'state'), XDG_RUNTIME_DIR: dir('run'),
  };
  delete sandbox.env.BERTH_ROOT;
  return sandbox;
}

function writeUserSettings(sandbox) {
  const settings = {
    'berth.storePath': sandbox.store, 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.tips.enabled': false,
  };
  mkdirSync(join(sandbox.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(sandbox.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Two small root filesystem tarballs for Import (one file each, different contents). */
function writeRootfsTarballs(sandbox) {
  const tarballs = [];
  for (const name of ['rootfs', 'other-rootfs']) {
    const dir = join(sandbox.root, name);
    mkdirSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'etc', 'berth-e2e'), `${name}\n`);
    const tarball = join(sandbox.root, `${name}.tar`);
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-cf', tarball, '-C', dir, '.']);
    tarballs.push(tarball);
  }
  return tarballs;
}

/** The distribution registry on 127.0.0.1 and a free port (test/helpers/registry.ts, loaded through tsx). */
async function startRegistry() {
  ensureDebianPackages(['docker-registry', 'skopeo'], { purpose: 'the e2e tests of pull and push' });
  const { tsImport } = await import('tsx/esm/api');
  const helpers = await tsImport(join(REPO_ROOT, 'test', 'helpers', 'registry.ts'), import.meta.url);
  return helpers.startRegistry();
}

function installedExtensionPath(extensionsDir, id) {
  const name = readdirSync(extensionsDir).find((n) => n.toLowerCase().startsWith(`${id.toLowerCase()}-`));
  if (!name) throw new Error(`${id} is not in ${extensionsDir} after --install-extension`);
  return join(extensionsDir, name);
}

async function main() {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const { publisher, name } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const extensionId = `${publisher}.${name}`;
  const sandbox = makeSandbox();
  let server;
  let browser;
  let registry;
  const failures = [];
  try {
    const { vsix } = await timed('package', () => packageExtension({ log: () => {} }));
    const entry = await timed('code-server install', () => ensureCodeServer());
    const imageId = await timed('workspace', async () => {
      writeWorkspace(sandbox.workspace, { dockerfile: DOCKERFILE, overwrite: true });
      writeUserSettings(sandbox);
      return ensureBusyboxImage({ storeRoot: sandbox.store, env: sandbox.env, log: () => {} });
    });
    const dirs = { userDataDir: sandbox.userDataDir, extensionsDir: sandbox.extensionsDir };
    await timed('install .vsix', () => installExtension({ entry, vsix, ...dirs, env: sandbox.env }));
    const extensionPath = installedExtensionPath(sandbox.extensionsDir, extensionId);
    registry = await timed('registry start', () => startRegistry());
    const [rootfs, otherRootfs] = writeRootfsTarballs(sandbox);
    const env = { ...sandbox.env, BERTH_E2E_EXTENSION_ID: extensionId, BERTH_E2E_WORKSPACE: sandbox.workspace,
      BERTH_E2E_IMAGE_ID: imageId, BERTH_E2E_RESULTS: sandbox.results, BERTH_E2E_REGISTRY: registry.host,
      BERTH_E2E_ROOTFS: rootfs, BERTH_E2E_OTHER_ROOTFS: otherRootfs, BERTH_E2E_SCRATCH: sandbox.tmp,
      BERTH_E2E_PROGRESS: join(ARTIFACTS, 'extension-tests-progress.log') };
    server = await timed('code-server start', () => startCodeServer({ entry, workspace: sandbox.workspace, ...dirs, env,
      log: (text) => writeFileSync(join(ARTIFACTS, 'code-server.log'), text, { flag: 'a' }) }));
    browser = await timed('browser start', () => launchBrowser());

    const code = await timed('extension-host tests', () => runExtensionTests(browser, {
      url: server.url, workspace: sandbox.workspace, extensionPath, testsPath: join(HERE, 'extension-tests.js'), artifacts: ARTIFACTS }));
    const results = existsSync(sandbox.results) ? JSON.parse(readFileSync(sandbox.results, 'utf8')) : {};
    writeFileSync(join(ARTIFACTS, 'extension-tests.json'), JSON.stringify(results, null, 2));
    if (code === 0 && results.ok) {
      console.log(`ok - extension-host tests: ${extensionId} activated ${results.activationMs} ms after the Dockerfile opened; ` +
        `diagnostics (${results.berthDiagnostics.join(', ')}) after ${results.diagnosticsMs} ms; hover on FROM and on the image; ` +
        `activate() took ${results.activateMs} ms (target < 150 ms); ${results.commands} commands registered; built ${String(results.builtId).slice(7, 19)} ` +
        `through Build Image..., tagged and removed a tag through the commands; the view showed a tag made with the CLI after ${results.viewFollowsMs} ms`);
      const { storeCommands: sc, registries: rg } = results;
      console.log(`ok - store commands: imported ${sc.importedId.slice(7, 19)}; Inspect and History opened; pushed to ${registry.host} ` +
        `(skopeo reads ${sc.pushedDigest.slice(0, 19)}...); Copy Digest copied it; removed, pulled back, saved (${sc.savedEntries.join(', ')}), ` +
        `loaded; Prune removed the untagged image`);
      console.log(`ok - Registries view: Add Registry listed ${rg.setting.join(', ')}; catalog ${rg.repositories.join(', ')}; ` +
        `Copy Digest on a tag; Remove Registry took it away`);
    } else {
      failures.push(`extension-host tests (exit ${code}): ${results.error ?? 'no results written'}`);
      console.log(`not ok - ${failures.at(-1)}`);
    }

    try {
      const { row, hoverAttempts } = await timed('Problems panel', () => checkProblemsPanel(browser, { url: server.url, workspace: sandbox.workspace, artifacts: ARTIFACTS }));
      console.log(`ok - Problems panel: ${row}; hover on FROM shown${hoverAttempts > 1 ? ` at attempt ${hoverAttempts}` : ''}`);
    } catch (err) {
      failures.push(`Problems panel: ${err.message}`);
      console.log(`not ok - ${failures.at(-1)}`);
    }

    try {
      const { rows, engine } = await timed('Build from the Explorer, Images view', () => checkBuildAndImagesView(browser, { url: server.url, workspace: sandbox.workspace, artifacts: ARTIFACTS }));
      console.log(`ok - Build Image... from the Explorer's context menu; the Images view (engine: ${engine}) lists: ${rows.join(' | ')}`);
    } catch (err) {
      failures.push(`Build from the Explorer / Images view: ${err.message}`);
      console.log(`not ok - ${failures.at(-1)}`);
    }

    try {
      const { message } = await timed('Add Registry in the Registries view', () => checkAddRegistry(browser, { url: server.url, workspace: sandbox.workspace, artifacts: ARTIFACTS, registry: registry.host }));
      console.log(`ok - Add Registry... from the Registries view's title: "myregistry" refused (${message}); ${registry.host} listed`);
    } catch (err) {
      failures.push(`Add Registry in the Registries view: ${err.message}`);
      console.log(`not ok - ${failures.at(-1)}`);
    }
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await registry?.stop();
    if (existsSync(join(sandbox.userDataDir, 'logs'))) cpSync(join(sandbox.userDataDir, 'logs'), join(ARTIFACTS, 'logs'), { recursive: true });
    rmSync(sandbox.root, { recursive: true, force: true });
  }
  const steps = Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
  console.log(`timings: ${steps}; artifacts in ${ARTIFACTS}`);
  console.log(`${4 - failures.length} passed, ${failures.length} failed`);
  return failures.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130)); // the exit hook kills code-server's group
const started = Date.now();
main().then((code) => {
  console.log(`e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(code);
}, (err) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
