// Runs inside VS Code's extension host, called by extension-tests.js: the image commands that talk to a
// registry or to files, driven with arguments as another extension or a task would (the palette path
// keeps its pickers), each checked by what a user sees afterwards: the Images view's rows, the berth:
// documents, the Registries view's rows, the clipboard, a file on disk, and skopeo reading the registry.
// The registry is a real distribution registry on loopback started by run.mjs (BERTH_E2E_REGISTRY).
'use strict';
const vscode = require('vscode');
const { execFileSync } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');

const env = {
  registry: process.env.BERTH_E2E_REGISTRY,
  rootfs: process.env.BERTH_E2E_ROOTFS,
  otherRootfs: process.env.BERTH_E2E_OTHER_ROOTFS,
  scratch: process.env.BERTH_E2E_SCRATCH,
  progress: process.env.BERTH_E2E_PROGRESS,
};

/** Runs a command, noting it in the progress file first (a hang then shows where it happened). */
function run(command, ...args) {
  if (env.progress) appendFileSync(env.progress, `${new Date().toISOString()} ${command}\n`);
  return vscode.commands.executeCommand(command, ...args);
}

function find(rows, path, what) {
  const found = rows.find((r) => r.path === path);
  if (!found) throw new Error(`${what}: the Images view does not list ${path}; it lists ${rows.map((r) => r.path).join(', ')}`);
  return found.row;
}

function idsIn(rows) {
  return new Set(rows.map((r) => r.row.image.id));
}

/** The manifest digest skopeo reads from the registry, independently of Berth. */
function skopeoDigest(reference) {
  const out = execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reference}`], { encoding: 'utf8' });
  return JSON.parse(out).Digest;
}

/** The text of the berth: document a command opened in the active editor. */
function activeBerthDocument(what) {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.uri.scheme !== 'berth') throw new Error(`${what} did not open a berth: document (active: ${doc?.uri.toString() ?? 'none'})`);
  return doc.getText();
}

/**
 * Import, Inspect, History, Tag + Push (skopeo inspects the pushed image), Copy Digest, Remove, Pull back
 * from the registry, Save to a file, Load it back, Prune of an untagged image.
 */
async function checkStoreCommands({ api, viewRows, deadline }, results) {
  if (!env.registry || !env.rootfs) throw new Error('run.mjs did not pass BERTH_E2E_REGISTRY and BERTH_E2E_ROOTFS');
  const r = {};
  results.storeCommands = r;

  await deadline('Import... of a rootfs tarball', run('berth.images.import', env.rootfs, { name: 'e2e/imported:1' }));
  const imported = find(await viewRows(api), 'e2e/imported/1', 'Import');
  const id = imported.image.id;
  r.importedId = id;

  await deadline('Inspect', run('berth.images.inspect', imported));
  const [info] = JSON.parse(activeBerthDocument('Inspect'));
  if (info.Id !== id || !info.RepoTags.includes('e2e/imported:1')) throw new Error(`Inspect shows Id ${info.Id} and RepoTags ${info.RepoTags}, not ${id} and e2e/imported:1`);
  await deadline('History', run('berth.images.history', imported));
  const history = activeBerthDocument('History').split('\n');
  if (!/^IMAGE\s+CREATED\s+SIZE\s+CREATED BY/.test(history[0]) || !history[1].startsWith(id.slice(7, 19))) throw new Error(`History shows:\n${history.join('\n')}`);
  r.history = history.filter(Boolean);

  const pushed = `${env.registry}/e2e/pushed:1`;
  await run('berth.images.tag', imported, pushed);
  const pushedPath = `${env.registry}/e2e/pushed/1`;
  await deadline(`Push of ${pushed}`, run('berth.images.push', find(await viewRows(api), pushedPath, 'Tag')));
  r.pushedDigest = skopeoDigest(pushed);

  await vscode.env.clipboard.writeText('');
  await run('berth.images.copyDigest', find(await viewRows(api), pushedPath, 'Push'));
  r.copiedDigest = await vscode.env.clipboard.readText();
  if (r.copiedDigest !== `${env.registry}/e2e/pushed@${r.pushedDigest}`) throw new Error(`Copy Digest copied "${r.copiedDigest}", not the digest skopeo reads (${r.pushedDigest})`);

  for (const path of ['e2e/imported/1', pushedPath]) await run('berth.images.remove', find(await viewRows(api), path, 'Remove'), { confirmed: true });
  if (idsIn(await viewRows(api)).has(id)) throw new Error(`Remove of both tags left ${id} in the Images view`);

  await deadline(`Pull of ${pushed}`, run('berth.images.pull', pushed));
  const pulled = find(await viewRows(api), pushedPath, 'Pull');
  if (pulled.image.id !== id) throw new Error(`Pull brought ${pulled.image.id}, not the pushed ${id}`);

  const archive = join(env.scratch, 'pushed.tar');
  await deadline('Save...', run('berth.images.save', pulled, archive));
  r.savedEntries = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n').filter((n) => !n.includes('/') && n);
  if (!r.savedEntries.includes('manifest.json')) throw new Error(`the saved archive lists ${r.savedEntries.join(', ')}: no manifest.json`);
  const [saved] = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' }));
  if (saved.Config !== `${id.slice(7)}.json` || saved.RepoTags?.[0] !== pushed) throw new Error(`manifest.json of the saved archive: ${JSON.stringify(saved)}`);
  await run('berth.images.remove', pulled, { confirmed: true });
  if (idsIn(await viewRows(api)).has(id)) throw new Error('Remove before Load left the image');
  await deadline('Load...', run('berth.images.load', archive));
  if (find(await viewRows(api), pushedPath, 'Load').image.id !== id) throw new Error('Load brought another image');

  await deadline('Import... with no name', run('berth.images.import', env.otherRootfs, { name: '' }));
  const dangling = (await viewRows(api)).filter((row) => row.path.startsWith('<none>/'));
  if (dangling.length !== 1) throw new Error(`Import with no name should make one untagged image; <none> holds ${dangling.length}`);
  await deadline('Prune', run('berth.images.prune', { confirmed: true }));
  const after = await viewRows(api);
  if (after.some((row) => row.path.startsWith('<none>/'))) throw new Error('Prune left an untagged image');
  if (!after.some((row) => row.path === pushedPath) || !after.some((row) => row.path === 'e2e/built/1')) throw new Error(`Prune of untagged images took a tagged one: ${after.map((row) => row.path).join(', ')}`);
  r.viewAfterPrune = after.map((row) => row.path);
}

/** Add Registry (refusing a name that is no host), its catalog and tags in the Registries view, Copy Digest there, Remove Registry. */
async function checkRegistries({ api, deadline }, results) {
  const r = {};
  results.registries = r;
  const refused = await run('berth.registries.add', 'myregistry');
  if (refused !== undefined || (vscode.workspace.getConfiguration('berth').get('registries') ?? []).length) throw new Error(`Add Registry took "myregistry", which is no registry host (answered ${refused})`);
  const added = await run('berth.registries.add', `http://${env.registry}/`);
  if (added !== env.registry) throw new Error(`Add Registry answered ${added}, not ${env.registry}`);
  r.setting = vscode.workspace.getConfiguration('berth').get('registries');
  if (!r.setting.includes(env.registry)) throw new Error(`berth.registries is ${JSON.stringify(r.setting)} after Add Registry`);
  const tree = api.registries;
  const top = await tree.getChildren();
  r.top = top.map((n) => tree.getTreeItem(n).label);
  const registry = top.find((n) => n.kind === 'registry' && n.server === env.registry);
  if (!registry) throw new Error(`the Registries view lists ${r.top.join(', ')}, not ${env.registry}`);
  if (tree.getTreeItem(registry).contextValue !== 'registry.added') throw new Error(`the added registry's row has the context ${tree.getTreeItem(registry).contextValue}`);
  const repositories = await deadline('the catalog of the registry', tree.getChildren(registry));
  r.repositories = repositories.map((n) => tree.getTreeItem(n).label);
  const repository = repositories.find((n) => tree.getTreeItem(n).label === 'e2e/pushed');
  if (!repository) throw new Error(`the registry's catalog in the view: ${r.repositories.join(', ')}; no e2e/pushed`);
  const tags = await deadline('the tags of e2e/pushed', tree.getChildren(repository));
  const tag = tags.find((n) => n.kind === 'tag' && n.tag === '1');
  if (!tag) throw new Error(`the tags of e2e/pushed in the view: ${tags.map((n) => tree.getTreeItem(n).label).join(', ')}`);
  const item = tree.getTreeItem(tag);
  if (item.command?.command !== 'berth.images.pull' || item.command.arguments[0] !== `${env.registry}/e2e/pushed:1`) throw new Error(`choosing the tag runs ${JSON.stringify(item.command)}`);

  await vscode.env.clipboard.writeText('');
  await deadline('Copy Digest of a registry tag', run('berth.registries.copyDigest', tag));
  r.copiedDigest = await vscode.env.clipboard.readText();
  const expected = skopeoDigest(`${env.registry}/e2e/pushed:1`);
  if (r.copiedDigest !== expected) throw new Error(`Copy Digest in the Registries view copied "${r.copiedDigest}", skopeo reads ${expected}`);

  await run('berth.registries.remove', registry);
  const left = vscode.workspace.getConfiguration('berth').get('registries');
  if (left.includes(env.registry)) throw new Error(`berth.registries is ${JSON.stringify(left)} after Remove Registry`);
  if ((await tree.getChildren()).some((n) => n.server === env.registry)) throw new Error('the Registries view still lists the removed registry');
}

module.exports = { checkStoreCommands, checkRegistries };
