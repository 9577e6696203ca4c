// The real language server (dist/server.js, as the extension starts it) over a stdio JSON-RPC connection:
// open, change, diagnostics, settings, hover (with facts of an image in a real store), completion (image
// names from that store), quick fixes, symbols, formatting, definition, links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { berth } from '../helpers/cli';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';

interface Diagnostic { code: string; message: string; severity: number; source: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }

let dir: { path: string; cleanup: () => void };
let child: ChildProcess;
let rpc: MessageConnection;
const published = new Map<string, { version?: number; diagnostics: Diagnostic[] }[]>();
const waiters: (() => void)[] = [];
let settings: unknown = { lint: { enabled: true, rules: {} } };

before(async () => {
  dir = tempDir('berth-lsp-');
  const store = join(dir.path, 'store');
  const tarball = makeBusyboxTarball(join(dir.path, 'busybox.tar'));
  assert.equal((await berth(store, ['import', tarball, 'localbase:1.0'])).code, 0);
  child = spawn(process.execPath, [join(__dirname, '../../dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    for (const w of waiters.splice(0)) w();
  });
  rpc.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => settings));
  rpc.listen();
  const init = await rpc.sendRequest('initialize', {
    processId: process.pid, rootUri: null, locale: 'en', initializationOptions: { storePath: store },
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  }) as { capabilities: Record<string, unknown> };
  assert.ok(init.capabilities.hoverProvider && init.capabilities.completionProvider && init.capabilities.codeActionProvider);
  await rpc.sendNotification('initialized', {});
});

after(async () => {
  await rpc.sendRequest('shutdown');
  await rpc.sendNotification('exit');
  rpc.dispose();
  child.kill();
  dir.cleanup();
});

/** The diagnostics published for `uri` at `version` (waits for them). */
async function diagnosticsOf(uri: string, version: number): Promise<Diagnostic[]> {
  for (;;) {
    const got = (published.get(uri) ?? []).find((p) => p.version === version);
    if (got) return got.diagnostics;
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

async function open(name: string, text: string): Promise<string> {
  const uri = `file:///work/${name}/Dockerfile`;
  await rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  return uri;
}

test('open and change publish diagnostics with codes, source berth, and ranges', async () => {
  const uri = await open('diag', 'FROM localbase:1.0\nmaintainer someone\nRUN apt-get install curl\n');
  const first = await diagnosticsOf(uri, 1);
  assert.ok(first.every((d) => d.source === 'berth'));
  const codes = first.map((d) => d.code);
  assert.ok(codes.includes('MaintainerDeprecated'), codes.join(','));
  assert.ok(codes.includes('ConsistentInstructionCasing'), codes.join(','));
  const m = first.find((d) => d.code === 'MaintainerDeprecated')!;
  assert.equal(m.range.start.line, 1);
  await rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }] });
  const second = await diagnosticsOf(uri, 2);
  assert.ok(!second.some((d) => d.code === 'MaintainerDeprecated'));
  await rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: 'FROM UPPER/Case\n' }] });
  const third = await diagnosticsOf(uri, 3);
  assert.ok(third.some((d) => d.severity === 1 && /invalid reference format/.test(d.message)), JSON.stringify(third));
});

test('a rule set to off in the settings is not reported; # check=skip= silences one in the file', async () => {
  // settings pushed with the notification (as vscode-languageclient's synchronize does) apply before the next message
  settings = { lint: { enabled: true, rules: { MaintainerDeprecated: 'off' } } };
  await rpc.sendNotification('workspace/didChangeConfiguration', { settings: { berth: settings } });
  const uri = await open('settings', 'FROM localbase:1.0\nMAINTAINER someone\nCMD echo hi\n');
  const d = await diagnosticsOf(uri, 1);
  assert.ok(!d.some((x) => x.code === 'MaintainerDeprecated'));
  assert.ok(d.some((x) => x.code === 'JSONArgsRecommended'));
  settings = { lint: { enabled: true, rules: {} } };
  await rpc.sendNotification('workspace/didChangeConfiguration', { settings: { berth: settings } });
  const skipped = await open('skip', '# check=skip=JSONArgsRecommended\nFROM localbase:1.0\nCMD echo hi\n');
  assert.ok(!(await diagnosticsOf(skipped, 1)).some((x) => x.code === 'JSONArgsRecommended'));
});

test('hover shows an instruction\'s documentation and the facts of a FROM image in the store', async () => {
  const uri = await open('hover', 'FROM localbase:1.0\nRUN echo hi\n');
  await diagnosticsOf(uri, 1);
  const onRun = await rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } }) as { contents: { value: string } };
  assert.match(onRun.contents.value, /RUN/);
  const onImage = await rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 8 } }) as { contents: { value: string } };
  const id = JSON.parse((await berth(join(dir.path, 'store'), ['inspect', '-f', '{{json .Id}}', 'localbase:1.0'])).stdout) as string;
  assert.ok(onImage.contents.value.includes(id.slice(7, 19)), onImage.contents.value);
});

test('completion offers instructions, and image names from the store in FROM', async () => {
  const uri = await open('completion', 'FROM loc\nRU\n');
  await diagnosticsOf(uri, 1);
  const images = await rpc.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 8 } }) as { label: string }[] | { items: { label: string }[] };
  const labels = (Array.isArray(images) ? images : images.items).map((i) => i.label);
  assert.ok(labels.includes('localbase:1.0'), labels.join(','));
  const instructions = await rpc.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 2 } }) as { label: string }[] | { items: { label: string }[] };
  assert.ok((Array.isArray(instructions) ? instructions : instructions.items).some((i) => i.label === 'RUN'));
});

test('quick fixes: MAINTAINER to LABEL, and skipping a check', async () => {
  const text = 'FROM localbase:1.0\nMAINTAINER Jane <jane@example.com>\n';
  const uri = await open('fixes', text);
  const d = (await diagnosticsOf(uri, 1)).filter((x) => x.code === 'MaintainerDeprecated');
  const actions = await rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d[0]!.range, context: { diagnostics: d } }) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
  const toLabel = actions.find((a) => /LABEL/.test(a.title));
  assert.ok(toLabel, actions.map((a) => a.title).join('; '));
  assert.ok(toLabel.edit.changes[uri]!.some((e) => e.newText.includes('org.opencontainers.image.authors')));
  const skip = actions.find((a) => /check=skip=MaintainerDeprecated/.test(a.title));
  assert.equal(skip?.edit.changes[uri]![0]!.newText, '# check=skip=MaintainerDeprecated\n');
});

test('symbols, formatting, definition and links', async () => {
  const text = 'from localbase:1.0 AS build\n  run echo hi\nFROM busybox:1.36\nCOPY --from=build /x /y\n';
  const uri = await open('nav', text);
  await diagnosticsOf(uri, 1);
  const symbols = await rpc.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as { name: string }[];
  assert.equal(symbols.filter((s) => s.name === 'build').length, 1, JSON.stringify(symbols.map((s) => s.name)));
  const edits = await rpc.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }) as { newText: string }[];
  assert.ok(edits.some((e) => e.newText === 'FROM') && edits.some((e) => e.newText === 'RUN'), JSON.stringify(edits));
  const def = await rpc.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 3, character: 13 } }) as { range: { start: { line: number } } }[];
  assert.equal(def[0]?.range.start.line, 0);
  const links = await rpc.sendRequest('textDocument/documentLink', { textDocument: { uri } }) as { target: string }[];
  assert.ok(links.some((l) => l.target === 'https://hub.docker.com/_/busybox'), JSON.stringify(links));
});
