// Runs inside VS Code's extension host (the workbench's `extensionTestsPath`) with the real `vscode` API:
// Berth activates when a Dockerfile opens, its language server publishes diagnostics and answers hover,
// every contributed command is registered, and Build, Tag and Remove through the commands change the store;
// store-commands-tests.js then drives the commands that talk to a registry or to files.
// run.mjs passes what to expect through the environment and reads the results file this writes.
'use strict';
const vscode = require('vscode');
const { writeFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { checkStoreCommands, checkRegistries } = require('./store-commands-tests.js');

const TIMEOUT_MS = 60_000;
const env = {
  extensionId: process.env.BERTH_E2E_EXTENSION_ID,
  workspace: process.env.BERTH_E2E_WORKSPACE,
  imageId: process.env.BERTH_E2E_IMAGE_ID,
  results: process.env.BERTH_E2E_RESULTS,
};

function deadline(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms: ${what}`)), TIMEOUT_MS); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The API has no activation event, so the extension's state is sampled every few milliseconds.
function activation(extension) {
  return new Promise((resolve) => {
    const timer = setInterval(() => { if (extension.isActive) { clearInterval(timer); resolve(); } }, 5);
  });
}

function diagnosticsOf(uri, accept) {
  return new Promise((resolve) => {
    const check = () => {
      const found = vscode.languages.getDiagnostics(uri).filter(accept);
      if (found.length) { subscription.dispose(); resolve(found); }
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => { if (e.uris.some((u) => u.toString() === uri.toString())) check(); });
    check();
  });
}

function codeOf(diagnostic) {
  return typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
}

function hoverText(hovers) {
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

async function hoverAt(uri, position) {
  return hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position));
}

async function checkBerth(results) {
  const extension = vscode.extensions.getExtension(env.extensionId);
  if (!extension) throw new Error(`extension ${env.extensionId} is not installed`);
  results.extensionPath = extension.extensionPath;
  results.activeBeforeDockerfile = extension.isActive;
  if (extension.isActive) throw new Error(`${env.extensionId} was active before a Dockerfile opened`);

  const uri = vscode.Uri.file(join(env.workspace, 'Dockerfile'));
  const started = performance.now();
  const maintainer = diagnosticsOf(uri, (d) => d.source === 'berth' && codeOf(d) === 'MaintainerDeprecated');
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  results.languageId = document.languageId;
  if (document.languageId !== 'dockerfile') throw new Error(`the Dockerfile opened as ${document.languageId}`);

  await deadline(`${env.extensionId} to activate`, activation(extension));
  results.activationMs = Math.round(performance.now() - started);
  const [diagnostic] = await deadline('a berth diagnostic MaintainerDeprecated', maintainer);
  results.diagnosticsMs = Math.round(performance.now() - started);
  results.diagnostic = { message: diagnostic.message, severity: vscode.DiagnosticSeverity[diagnostic.severity], line: diagnostic.range.start.line };
  results.berthDiagnostics = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'berth').map(codeOf);

  const lines = document.getText().split('\n');
  const fromLine = lines.findIndex((l) => l.startsWith('FROM '));
  results.hoverFrom = await hoverAt(uri, new vscode.Position(fromLine, 1));
  if (!results.hoverFrom.trim()) throw new Error('hover on FROM returned no content');
  results.hoverImage = await hoverAt(uri, new vscode.Position(fromLine, 'FROM '.length + 2));
  if (env.imageId && !results.hoverImage.includes(env.imageId)) {
    throw new Error(`hover on busybox:latest does not name the image in the store (${env.imageId}):\n${results.hoverImage}`);
  }
}

/** The rows of the Images view, flattened to `group/label` (via the extension's exported provider). */
async function viewRows(api) {
  const out = [];
  for (const group of await api.images.getChildren()) {
    for (const row of await api.images.getChildren(group)) out.push({ path: `${group.label}/${row.label}`, row });
  }
  return out;
}

/** Every contributed command is registered; building, tagging and removing through the commands change the store. */
async function checkCommands(results) {
  const extension = vscode.extensions.getExtension(env.extensionId);
  const api = extension.exports;
  results.activateMs = Math.round(api.activationMs);
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = extension.packageJSON.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
  if (missing.length) throw new Error(`commands not registered: ${missing.join(', ')}`);
  results.commands = extension.packageJSON.contributes.commands.length;

  const dockerfile = vscode.Uri.file(join(env.workspace, 'Dockerfile'));
  const id = await deadline('Build Image... of the sample Dockerfile', vscode.commands.executeCommand('berth.images.build', dockerfile, { tag: 'e2e/built:1' }));
  if (typeof id !== 'string' || !id.startsWith('sha256:')) throw new Error(`the build returned ${id}`);
  results.builtId = id;
  let rows = await viewRows(api);
  const built = rows.find((r) => r.path === 'e2e/built/1');
  if (!built) throw new Error(`the Images view does not list e2e/built:1: ${rows.map((r) => r.path).join(', ')}`);

  await vscode.commands.executeCommand('berth.images.tag', built.row, 'e2e/tagged:2');
  rows = await viewRows(api);
  const tagged = rows.find((r) => r.path === 'e2e/tagged/2');
  if (!tagged || tagged.row.image.id !== id) throw new Error(`Tag did not add e2e/tagged:2: ${rows.map((r) => r.path).join(', ')}`);

  await vscode.commands.executeCommand('berth.images.remove', tagged.row, { confirmed: true });
  rows = await viewRows(api);
  if (rows.some((r) => r.path === 'e2e/tagged/2')) throw new Error('Remove left e2e/tagged:2 in the store');
  if (!rows.some((r) => r.path === 'e2e/built/1')) throw new Error('Remove of one tag took the other tag of the image too');
  results.viewAfter = rows.map((r) => r.path);

  // a tag made by the CLI in a terminal shows in the view within a second, with no polling
  const cli = join(extension.extensionPath, 'dist', 'cli.js');
  const store = vscode.workspace.getConfiguration('berth').get('storePath');
  const changed = new Promise((resolve) => { const d = api.images.onDidChangeTreeData(() => { d.dispose(); resolve(); }); });
  const tagged0 = performance.now();
  execFileSync(process.execPath, [cli, '--root', store, 'tag', 'e2e/built:1', 'e2e/from-cli:3']);
  await deadline('the Images view to follow a tag made with the CLI', changed);
  results.viewFollowsMs = Math.round(performance.now() - tagged0);
  if (results.viewFollowsMs > 1000) throw new Error(`the view followed the CLI's tag after ${results.viewFollowsMs} ms, not within a second`);
  if (!(await viewRows(api)).some((r) => r.path === 'e2e/from-cli/3')) throw new Error('the view does not list e2e/from-cli:3 made with the CLI');
}

/** Called by VS Code's test host; a rejection makes the workbench exit with code 1. */
async function run() {
  const results = { ok: false };
  try {
    await checkBerth(results);
    await checkCommands(results);
    const api = vscode.extensions.getExtension(env.extensionId).exports;
    await checkStoreCommands({ api, viewRows, deadline }, results);
    await checkRegistries({ api, deadline }, results);
    results.ok = true;
  } catch (err) {
    results.error = err.stack || String(err);
    throw err;
  } finally {
    if (env.results) writeFileSync(env.results, JSON.stringify(results, null, 2));
  }
}

module.exports = { run };
