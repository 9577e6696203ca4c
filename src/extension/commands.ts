/**
 * Every image command, from the view (with the row), the palette (a picker when no row is given) and,
 * for build, the Explorer and the editor. Long work runs under a progress notification with bytes and
 * a Cancel button; a cancelled operation leaves the store whole (the engine's promise). Errors say what
 * went wrong; the Output channel "Berth" logs what the engine did (never a secret).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ImageEngine, BuildEvent, PullEvent, PushEvent } from '../engine/engine';
import { isBerthError } from '../engine/errors';
import { familiarString, formatReference, parseReference, withDefaultTag } from '../engine/ref/reference';
import { parse } from '../dockerfile/index';
import { humanSize } from '../dockerfile/docs/human';
import type { EngineHost } from './engine-host';
import type { ImagesProvider } from './images-view';
import { shortId, type ImageRow } from './images-model';
import type { InspectDocuments } from './documents';
import { copyImage } from './copy-command';

/** What the commands need. */
export interface CommandContext {
  context: vscode.ExtensionContext;
  host: EngineHost;
  images: ImagesProvider;
  documents: InspectDocuments;
  output: vscode.LogOutputChannel;
  buildDiagnostics: vscode.DiagnosticCollection;
  /** Refreshes the Registries view after a login or logout. */
  registriesChanged?: () => void;
}

/** Runs `work` under a cancellable progress notification; a cancel aborts the signal. */
async function withProgress<T>(title: string, work: (report: (message: string, bytes?: { done: number; total: number }) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let last = 0;
    return work((message, bytes) => {
      if (bytes && bytes.total > 0) {
        const pct = Math.min(100, (bytes.done / bytes.total) * 100);
        progress.report({ message: `${message} ${humanSize(bytes.done)} / ${humanSize(bytes.total)}`, increment: pct - last });
        last = pct;
      } else progress.report({ message });
    }, controller.signal);
  });
}

/** Shows an engine error as the user should read it; logs it too. */
function showError(output: vscode.LogOutputChannel, what: string, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  output.error(`${what}: ${message}`);
  if (isBerthError(e, 'CANCELLED')) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} was cancelled; nothing changed.', what));
    return;
  }
  void vscode.window.showErrorMessage(`${what}: ${message}`);
}

/** The image a command acts on: the row it was given, else one the user picks. */
async function pickImage(c: CommandContext, row: ImageRow | undefined, placeHolder: string): Promise<ImageRow | undefined> {
  if (row?.kind === 'image') return row;
  const engine = await c.host.get();
  const items: (vscode.QuickPickItem & { row: ImageRow })[] = [];
  for (const image of await engine.listImages()) {
    if (image.intermediate) continue;
    const base = { kind: 'image' as const, image, description: humanSize(image.size) };
    if (image.tags.length === 0) items.push({ label: shortId(image.id), description: '<none>', row: { ...base, label: shortId(image.id) } });
    for (const t of image.tags) items.push({ label: t.replace(/^docker\.io\/(library\/)?/, ''), description: `${shortId(image.id)} · ${humanSize(image.size)}`, row: { ...base, reference: t, label: t } });
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no images yet. Pull or build one first.'));
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.row;
}

/** A file given to a command as a path or a URI (a test, a task, another extension); anything else is no file. */
function asFileUri(file: unknown): vscode.Uri | undefined {
  if (file instanceof vscode.Uri) return file;
  return typeof file === 'string' && file ? vscode.Uri.file(file) : undefined;
}

function nameOf(row: ImageRow): string {
  return row.reference ?? row.image.id;
}

/** A progress reporter for pull events: per-layer bytes summed. */
function pullReporter(report: (message: string, bytes?: { done: number; total: number }) => void, output: vscode.LogOutputChannel): (e: PullEvent) => void {
  const layers = new Map<string, { done: number; total: number }>();
  return (e) => {
    if (e.type === 'layer') {
      if (e.total) layers.set(e.id, { done: e.current ?? 0, total: e.total });
      if (e.status === 'Pull complete' || e.status === 'Already exists') {
        const l = layers.get(e.id);
        if (l) l.done = l.total;
        output.info(`${e.id}: ${e.status}`);
      }
      const sum = [...layers.values()].reduce((a, l) => ({ done: a.done + l.done, total: a.total + l.total }), { done: 0, total: 0 });
      report(vscode.l10n.t('Downloading'), sum);
    } else if (e.type === 'digest') output.info(`Digest: ${e.digest}`);
    else if (e.type === 'retry') output.warn(e.message);
  };
}

function pushReporter(report: (message: string, bytes?: { done: number; total: number }) => void, output: vscode.LogOutputChannel): (e: PushEvent) => void {
  const layers = new Map<string, { done: number; total: number }>();
  return (e) => {
    if (e.type === 'layer') {
      if (e.total) layers.set(e.id, { done: e.current ?? 0, total: e.total });
      if (e.status !== 'Pushing' && e.status !== 'Waiting' && e.status !== 'Preparing') output.info(`${e.id}: ${e.status}${e.from ? ` ${e.from}` : ''}`);
      const sum = [...layers.values()].reduce((a, l) => ({ done: a.done + l.done, total: a.total + l.total }), { done: 0, total: 0 });
      report(vscode.l10n.t('Uploading'), sum);
    } else if (e.type === 'done') output.info(`${e.tag}: digest: ${e.digest} size: ${e.size}`);
  };
}

/** Asks for credentials and logs in; returns false when the user gave up. */
async function askLogin(c: CommandContext, engine: ImageEngine, server?: string): Promise<boolean> {
  const host = server ?? await vscode.window.showInputBox({ prompt: vscode.l10n.t('Registry to log in to'), value: 'docker.io', ignoreFocusOut: true });
  if (!host) return false;
  const username = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Username for {0}', host), ignoreFocusOut: true });
  if (!username) return false;
  const password = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Password or token for {0}', host), password: true, ignoreFocusOut: true });
  if (!password) return false;
  const r = await engine.login(host, { username, password });
  c.output.info(`logged in to ${r.domain} (${r.where})`);
  c.registriesChanged?.();
  if (r.plaintext) void vscode.window.showWarningMessage(vscode.l10n.t('Your password is stored unencrypted in {0}. Configure a credential helper to keep it safer.', r.where));
  else void vscode.window.showInformationMessage(vscode.l10n.t('Logged in to {0}.', r.domain));
  return true;
}

/** The step of a failed build, found in the Dockerfile by the text the builder printed for it. */
function markFailedStep(c: CommandContext, file: vscode.Uri, text: string, stepText: string | undefined, message: string): void {
  const ast = parse(text);
  const inst = stepText ? ast.instructions.find((i) => i.text === stepText) : undefined;
  const range = inst ? new vscode.Range(inst.range.start.line, inst.range.start.character, inst.range.end.line, inst.range.end.character) : new vscode.Range(0, 0, 0, 0);
  const d = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
  d.source = 'berth build';
  c.buildDiagnostics.set(file, [d]);
}

/** Runs a build and streams its output; returns the image ID, or undefined when it failed (already shown). */
export async function runBuild(c: CommandContext, dockerfile: vscode.Uri, options: { tags: string[]; context?: string; buildArgs?: Record<string, string>; target?: string; noCache?: boolean }, write: (text: string) => void): Promise<string | undefined> {
  const engine = await c.host.get();
  const text = Buffer.from(await vscode.workspace.fs.readFile(dockerfile)).toString('utf8');
  c.buildDiagnostics.delete(dockerfile);
  let step: string | undefined;
  const print = (e: BuildEvent): void => {
    switch (e.type) {
      case 'step':
        step = e.text;
        write(`Step ${e.step}/${e.total} : ${e.text}\r\n`);
        break;
      case 'cache':
        write(' ---> Using cache\r\n');
        break;
      case 'run':
        write(` ---> Running in ${e.container}\r\n`);
        break;
      case 'output':
        write(e.chunk.toString('utf8').replace(/\r?\n/g, '\r\n'));
        break;
      case 'removed':
        write(`Removing intermediate container ${e.container}\r\n`);
        break;
      case 'image':
        write(` ---> ${shortId(e.id)}\r\n`);
        break;
      case 'warning':
        write(`${e.message}\r\n`);
        break;
      case 'built':
        write(`Successfully built ${shortId(e.id)}\r\n`);
        break;
      case 'tagged':
        write(`Successfully tagged ${familiarString(parseReference(e.name))}\r\n`);
        break;
      default:
        break;
    }
  };
  try {
    const result = await withProgress(vscode.l10n.t('Building {0}', options.tags[0] ?? basename(dirname(dockerfile.fsPath))), (report, signal) => engine.build({
      context: options.context ?? dirname(dockerfile.fsPath),
      dockerfile: dockerfile.fsPath,
      tags: options.tags,
      buildArgs: options.buildArgs,
      target: options.target,
      noCache: options.noCache,
      signal,
      onEvent: (e) => {
        print(e);
        if (e.type === 'step') report(`Step ${e.step}/${e.total}`);
      },
    }));
    c.output.info(`built ${result.id}${result.tags.length ? ` as ${result.tags.join(', ')}` : ''}`);
    return result.id;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    write(`\r\n${message}\r\n`);
    if (!isBerthError(e, 'CANCELLED')) markFailedStep(c, dockerfile, text, step, message);
    showError(c.output, vscode.l10n.t('Build'), e);
    return undefined;
  }
}

/** Registers every image command. */
export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const reg = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn);
  const lastTags = c.context.workspaceState;
  let buildTerminal: vscode.OutputChannel | undefined;
  return [
    reg('berth.images.refresh', () => c.images.refresh()),

    reg('berth.images.pull', async (preset?: string) => {
      const name = typeof preset === 'string' ? preset : await vscode.window.showInputBox({ prompt: vscode.l10n.t('Image to pull (NAME[:TAG|@DIGEST])'), placeHolder: 'busybox:latest', ignoreFocusOut: true, validateInput: (v) => { try { parseReference(v.trim()); return undefined; } catch (e) { return (e as Error).message; } } });
      if (!name) return;
      const engine = await c.host.get();
      try {
        const [r] = await withProgress(vscode.l10n.t('Pulling {0}', name), (report, signal) => engine.pull(name.trim(), { onEvent: pullReporter(report, c.output), signal }));
        void vscode.window.showInformationMessage(r!.upToDate ? vscode.l10n.t('{0} is up to date.', r!.reference) : vscode.l10n.t('Pulled {0}.', r!.reference));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Pull'), e);
      }
    }),

    // `options.tag` (tests, tasks, other extensions) skips the question
    reg('berth.images.build', async (uri?: vscode.Uri, options?: { tag?: string }) => {
      let file = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.languageId === 'dockerfile' ? vscode.window.activeTextEditor.document.uri : undefined;
      if (!file) {
        const found = await vscode.workspace.findFiles('**/{Dockerfile,Containerfile,*.dockerfile,Dockerfile.*}', '**/node_modules/**', 50);
        if (found.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('There is no Dockerfile in this workspace.'));
          return;
        }
        const pick = found.length === 1 ? found[0] : (await vscode.window.showQuickPick(found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { placeHolder: vscode.l10n.t('Dockerfile to build') }))?.uri;
        if (!pick) return;
        file = pick;
      }
      const key = `berth.lastTag:${file.toString()}`;
      const suggested = lastTags.get<string>(key) ?? `${basename(dirname(file.fsPath)).toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'image'}:latest`;
      const tag = options?.tag ?? await vscode.window.showInputBox({ prompt: vscode.l10n.t('Tag for the image (NAME:TAG)'), value: suggested, ignoreFocusOut: true, validateInput: (v) => { if (!v.trim()) return undefined; try { parseReference(v.trim()); return undefined; } catch (e) { return (e as Error).message; } } });
      if (tag === undefined) return;
      await lastTags.update(key, tag.trim());
      buildTerminal ??= vscode.window.createOutputChannel(vscode.l10n.t('Berth Build'));
      buildTerminal.clear();
      buildTerminal.show(true);
      const out = buildTerminal;
      const id = await runBuild(c, file, { tags: tag.trim() ? [tag.trim()] : [] }, (t) => out.append(t.replace(/\r\n/g, '\n')));
      if (id) void vscode.window.showInformationMessage(vscode.l10n.t('Built {0}.', tag.trim() || shortId(id)));
      return id;
    }),

    reg('berth.images.tag', async (row?: ImageRow, newName?: string) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image to tag'));
      if (!r) return;
      const target = newName ?? await vscode.window.showInputBox({ prompt: vscode.l10n.t('New name for {0} (NAME[:TAG])', r.label), value: r.reference?.replace(/^docker\.io\/(library\/)?/, '') ?? '', ignoreFocusOut: true, validateInput: (v) => { try { parseReference(v.trim()); return undefined; } catch (e) { return (e as Error).message; } } });
      if (!target) return;
      try {
        const full = await (await c.host.get()).tag(nameOf(r), target.trim());
        c.output.info(`tagged ${nameOf(r)} as ${full}`);
      } catch (e) {
        showError(c.output, vscode.l10n.t('Tag'), e);
      }
    }),

    reg('berth.images.push', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image to push'));
      if (!r?.reference) return;
      const engine = await c.host.get();
      const push = () => withProgress(vscode.l10n.t('Pushing {0}', r.reference!), (report, signal) => engine.push(r.reference!, { onEvent: pushReporter(report, c.output), signal }));
      try {
        try {
          await push();
        } catch (e) {
          if (!isBerthError(e, 'UNAUTHORIZED')) throw e;
          const login = vscode.l10n.t('Log In');
          if ((await vscode.window.showErrorMessage(e.message, login)) !== login) return;
          if (!(await askLogin(c, engine, parseReference(r.reference).domain))) return;
          await push();
        }
        void vscode.window.showInformationMessage(vscode.l10n.t('Pushed {0}.', r.reference));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Push'), e);
      }
    }),

    reg('berth.images.remove', async (row?: ImageRow, options?: { confirmed?: boolean }) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image to remove'));
      if (!r) return;
      const untag = r.reference !== undefined && r.image.tags.length + r.image.repoDigests.length > 1;
      const question = untag
        ? vscode.l10n.t('Remove the tag {0}? The image stays for its other names.', r.label)
        : vscode.l10n.t('Delete the image {0} ({1})? Its layers go unless another image uses them.', r.reference ?? shortId(r.image.id), humanSize(r.image.size));
      const yes = untag ? vscode.l10n.t('Untag') : vscode.l10n.t('Delete');
      if (!options?.confirmed && (await vscode.window.showWarningMessage(question, { modal: true }, yes)) !== yes) return;
      try {
        const { events, errors } = await (await c.host.get()).remove([nameOf(r)], { force: r.reference === undefined });
        for (const ev of events) c.output.info('untagged' in ev ? `Untagged: ${ev.untagged}` : `Deleted: ${ev.deleted}`);
        if (errors[0]) throw errors[0];
      } catch (e) {
        showError(c.output, vscode.l10n.t('Remove'), e);
      }
    }),

    // `options.confirmed` (tests, other extensions) skips the question; `options.all` as the "All unused images" answer
    reg('berth.images.prune', async (options?: { all?: boolean; confirmed?: boolean }) => {
      const all = vscode.l10n.t('All unused images');
      const dangling = vscode.l10n.t('Untagged images');
      const choice = options?.confirmed ? (options.all ? all : dangling) : await vscode.window.showWarningMessage(vscode.l10n.t('Remove images to reclaim space?'), { modal: true }, dangling, all);
      if (!choice) return;
      try {
        const { events, reclaimed } = await (await c.host.get()).prune({ all: choice === all });
        for (const ev of events) c.output.info('untagged' in ev ? `untagged: ${ev.untagged}` : `deleted: ${ev.deleted}`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Removed {0} images; reclaimed {1}.', events.filter((e) => 'deleted' in e).length, humanSize(reclaimed)));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Prune'), e);
      }
    }),

    reg('berth.images.inspect', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image to inspect'));
      if (r) await c.documents.open('inspect', nameOf(r));
    }),

    reg('berth.images.history', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image whose history to show'));
      if (r) await c.documents.open('history', nameOf(r));
    }),

    reg('berth.images.copyToDocker', (row?: ImageRow) => copyImage(c, 'docker', row, (r) => pickImage(c, r, vscode.l10n.t('Image to copy')))),
    reg('berth.images.copyToBundled', (row?: ImageRow) => copyImage(c, 'bundled', row, (r) => pickImage(c, r, vscode.l10n.t('Image to copy')))),

    reg('berth.images.save', async (row?: ImageRow, file?: string | vscode.Uri) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image to save'));
      if (!r) return;
      const target = asFileUri(file) ?? await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${(r.reference ?? shortId(r.image.id)).replace(/^.*\//, '').replace(/[:@]/g, '_')}.tar`), filters: { [vscode.l10n.t('Image archives')]: ['tar'] } });
      if (!target) return;
      const engine = await c.host.get();
      try {
        await withProgress(vscode.l10n.t('Saving {0}', r.label), (report) => engine.save([nameOf(r)], target.fsPath, { format: 'docker', onProgress: (bytes) => report(vscode.l10n.t('Writing'), { done: bytes, total: r.image.size }) }));
        void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0} to {1}.', r.label, target.fsPath));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Save'), e);
      }
    }),

    reg('berth.images.load', async (archive?: string | vscode.Uri) => {
      const given = asFileUri(archive);
      const files = given ? [given] : await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Image archives')]: ['tar', 'gz', 'tgz'] } });
      if (!files?.[0]) return;
      const file = files[0].fsPath;
      const engine = await c.host.get();
      try {
        const total = (await stat(file)).size;
        const r = await withProgress(vscode.l10n.t('Loading {0}', basename(file)), (report) => engine.load(createReadStream(file), { sourceName: file, onProgress: (bytes) => report(vscode.l10n.t('Reading'), { done: bytes, total }) }));
        for (const l of r.loaded) c.output.info(l.tag ? `Loaded image: ${l.tag}` : `Loaded image ID: ${l.id}`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Loaded {0}.', r.loaded.map((l) => l.tag ?? shortId(l.id)).join(', ')));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Load'), e);
      }
    }),

    // `options.name` ('' for none) skips the question
    reg('berth.images.import', async (tarball?: string | vscode.Uri, options?: { name?: string }) => {
      const given = asFileUri(tarball);
      const files = given ? [given] : await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Root filesystem tarballs')]: ['tar', 'gz', 'tgz'] } });
      if (!files?.[0]) return;
      const file = files[0].fsPath;
      const name = typeof options?.name === 'string' ? options.name : await vscode.window.showInputBox({ prompt: vscode.l10n.t('Name for the imported image (REPOSITORY[:TAG], empty for none)'), ignoreFocusOut: true, validateInput: (v) => { if (!v.trim()) return undefined; try { parseReference(v.trim()); return undefined; } catch (e) { return (e as Error).message; } } });
      if (name === undefined) return;
      const engine = await c.host.get();
      try {
        const total = (await stat(file)).size;
        const tag = name.trim() ? formatReference(withDefaultTag(parseReference(name.trim()))) : undefined;
        const r = await withProgress(vscode.l10n.t('Importing {0}', basename(file)), (report) => engine.importImage(createReadStream(file), { sourceName: file, tag, onProgress: (bytes) => report(vscode.l10n.t('Reading'), { done: bytes, total }) }));
        c.output.info(`imported ${r.id}`);
        void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0}.', name.trim() || shortId(r.id)));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Import'), e);
      }
    }),

    reg('berth.images.search', async () => {
      const term = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Search Docker Hub for'), ignoreFocusOut: true });
      if (!term) return;
      const engine = await c.host.get();
      try {
        const results = await withProgress(vscode.l10n.t('Searching for {0}', term), (_report, signal) => engine.search(term, { limit: 25, signal }));
        const pick = await vscode.window.showQuickPick(results.map((r) => ({ label: `${r.isOfficial ? '$(verified-filled) ' : ''}${r.name}`, description: `$(star-full) ${r.starCount}`, detail: r.description, name: r.name })), { placeHolder: vscode.l10n.t('Pick an image to pull'), matchOnDetail: true });
        if (pick) await vscode.commands.executeCommand('berth.images.pull', pick.name);
      } catch (e) {
        showError(c.output, vscode.l10n.t('Search'), e);
      }
    }),

    reg('berth.images.copyId', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image whose ID to copy'));
      if (r) await vscode.env.clipboard.writeText(r.image.id);
    }),
    reg('berth.images.copyTag', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image whose tag to copy'));
      if (r?.reference) await vscode.env.clipboard.writeText(r.reference);
    }),
    reg('berth.images.copyDigest', async (row?: ImageRow) => {
      const r = await pickImage(c, row, vscode.l10n.t('Image whose digest to copy'));
      if (!r) return;
      const digest = r.image.repoDigests[0] ?? r.image.manifest.digest;
      await vscode.env.clipboard.writeText(digest);
    }),

    reg('berth.registries.copyDigest', async (item?: { reference?: string }) => {
      if (!item?.reference) return;
      try {
        const digest = await (await c.host.get()).remoteDigest(item.reference);
        await vscode.env.clipboard.writeText(digest);
        c.output.info(`${item.reference}: ${digest}`);
      } catch (e) {
        showError(c.output, vscode.l10n.t('Copy Digest'), e);
      }
    }),

    reg('berth.registries.login', async (server?: unknown) => {
      try {
        await askLogin(c, await c.host.get(), typeof server === 'string' ? server : undefined);
      } catch (e) {
        showError(c.output, vscode.l10n.t('Log in'), e);
      }
    }),
    reg('berth.registries.logout', async (item?: { server?: string }) => {
      const server = item?.server ?? await vscode.window.showInputBox({ prompt: vscode.l10n.t('Registry to log out of'), value: 'docker.io' });
      if (!server) return;
      try {
        const r = await (await c.host.get()).logout(server);
        c.registriesChanged?.();
        void vscode.window.showInformationMessage(r.removed ? vscode.l10n.t('Logged out of {0}.', r.domain) : vscode.l10n.t('You were not logged in to {0}.', r.domain));
      } catch (e) {
        showError(c.output, vscode.l10n.t('Log out'), e);
      }
    }),
  ];
}
