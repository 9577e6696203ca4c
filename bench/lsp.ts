// The Dockerfile language server against dockerfile-language-server-nodejs (rcjsuen's, from npm), driven by the
// same LSP client over stdio on the same documents in one run:
// - didOpen to published diagnostics on a 5,000-line Dockerfile (median of 11, the servers in turns): Berth at most
//   0.5x its time, on two files: a generated multi-stage file, and the realistic corpus of test/fixtures/dockerfiles
//   one after another;
// - re-diagnosis after a one-character edit on a 1,000-line file: p95 under 20 ms (both shown);
// - hover and completion: p95 under 10 ms (both shown).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const ROOT = join(__dirname, '..');

interface Server {
  name: string;
  child: ChildProcess;
  rpc: MessageConnection;
  /** Resolves when diagnostics for `uri` at or after `version` arrive. */
  diagnostics(uri: string, version: number): Promise<void>;
}

async function startServer(name: string, command: string[]): Promise<Server> {
  const child = spawn(process.execPath, command, { stdio: ['pipe', 'pipe', 'inherit'] });
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiting = new Map<string, { version: number; resolve: () => void }[]>();
  const versions = new Map<string, number>();
  rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => {
    // rcjsuen's server does not send the version: a publish counts for the newest change sent
    const v = p.version ?? versions.get(p.uri) ?? 0;
    const list = waiting.get(p.uri) ?? [];
    waiting.set(p.uri, list.filter((w) => {
      if (v >= w.version) w.resolve();
      return v < w.version;
    }));
  });
  rpc.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  rpc.onRequest('client/registerCapability', () => null);
  rpc.onNotification('window/logMessage', () => undefined);
  rpc.listen();
  await rpc.sendRequest('initialize', {
    processId: process.pid, rootUri: null, locale: 'en',
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] }, completion: { completionItem: { snippetSupport: true } } }, workspace: { configuration: true } },
  });
  await rpc.sendNotification('initialized', {});
  return {
    name, child, rpc,
    diagnostics(uri, version) {
      versions.set(uri, version);
      return new Promise((resolve) => {
        const list = waiting.get(uri) ?? [];
        list.push({ version, resolve });
        waiting.set(uri, list);
      });
    },
  };
}

async function stopServer(s: Server): Promise<void> {
  try {
    await Promise.race([s.rpc.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
    await s.rpc.sendNotification('exit');
  } catch {
    // already gone
  }
  s.rpc.dispose();
  s.child.kill();
}

/** A realistic Dockerfile of about `lines` lines: stages of a multi-stage build with the usual instructions. */
export function dockerfileOf(lines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:12-slim', 'ARG VERSION=1.0'];
  let stage = 0;
  while (out.length < lines) {
    const name = `stage${stage}`;
    out.push('', stage === 0 ? `FROM \${BASE} AS ${name}` : `FROM stage${stage - 1} AS ${name}`);
    out.push(`ARG VERSION`, `ENV APP_HOME=/opt/app${stage} PATH=/opt/app${stage}/bin:$PATH`, `WORKDIR $APP_HOME`);
    out.push('RUN set -eux; \\', '    apt-get update; \\', '    apt-get install -y --no-install-recommends ca-certificates curl; \\', '    rm -rf /var/lib/apt/lists/*');
    out.push(`COPY --chown=1000:1000 src/${stage}/ ./src/`, `LABEL org.opencontainers.image.version="$VERSION" stage="${name}"`);
    out.push('EXPOSE 8080/tcp', 'HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:8080/ || exit 1');
    out.push(`USER 1000`, `CMD ["/opt/app${stage}/bin/server", "--port", "8080"]`);
    stage++;
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** 5,000 lines of the realistic Dockerfiles of test/fixtures/dockerfiles (Linux ones), one after another. */
export function corpusOf(lines: number): string {
  const dir = join(ROOT, 'test/fixtures/dockerfiles');
  const files = readdirSync(dir).filter((f) => !f.includes('windows')).sort().map((f) => readFileSync(join(dir, f), 'utf8').replace(/\n$/, ''));
  const out: string[] = [];
  for (let i = 0; out.length < lines; i++) out.push(...files[i % files.length]!.split('\n'));
  return out.slice(0, lines).join('\n') + '\n';
}

function percentile(values: number[], p: number): number {
  const t = [...values].sort((a, b) => a - b);
  return t[Math.min(t.length - 1, Math.ceil((p / 100) * t.length) - 1)]!;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

let opened = 0;

/** Milliseconds from didOpen of `text` to its diagnostics on `s`. */
async function openOnce(s: Server, text: string): Promise<number> {
  const uri = `file:///bench/${s.name}/open-${opened++}/Dockerfile`;
  const start = performance.now();
  const done = s.diagnostics(uri, 1);
  await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  await done;
  const took = performance.now() - start;
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
  return took;
}

/**
 * The median didOpen-to-diagnostics time of each server over `runs` opens, taken in turns (one server, then
 * the other) so that a change in the machine's load falls on both alike.
 */
async function timeOpens(a: Server, b: Server, text: string, runs: number): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(await openOnce(a, text));
    tb.push(await openOnce(b, text));
  }
  return [median(ta), median(tb)];
}

async function timeEdits(s: Server, text: string, edits: number): Promise<number> {
  const uri = `file:///bench/${s.name}/edit/Dockerfile`;
  const opened = s.diagnostics(uri, 1);
  await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  await opened;
  const lines = text.split('\n');
  const times: number[] = [];
  for (let i = 0; i < edits; i++) {
    const version = i + 2;
    const line = (i * 37) % (lines.length - 1);
    const position = { line, character: 0 };
    const start = performance.now();
    const done = s.diagnostics(uri, version);
    // type one character at the start of a line, then take it back on the next edit
    const change = i % 2 === 0
      ? { range: { start: position, end: position }, text: '#' }
      : { range: { start: { line: (line - 37 + lines.length - 1) % (lines.length - 1), character: 0 }, end: { line: (line - 37 + lines.length - 1) % (lines.length - 1), character: 1 } }, text: '' };
    await s.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    await done;
    times.push(performance.now() - start);
  }
  return percentile(times, 95);
}

async function timeRequests(s: Server, text: string, method: 'textDocument/hover' | 'textDocument/completion', count: number): Promise<number> {
  const uri = `file:///bench/${s.name}/${method.replace(/\W/g, '')}/Dockerfile`;
  const opened = s.diagnostics(uri, 1);
  await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  await opened;
  const lines = text.split('\n');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const line = (i * 53) % lines.length;
    const character = method === 'textDocument/hover' ? 1 : Math.min(lines[line]!.length, 6);
    const start = performance.now();
    await s.rpc.sendRequest(method, { textDocument: { uri }, position: { line, character } });
    times.push(performance.now() - start);
  }
  return percentile(times, 95);
}

export interface LspFigures {
  open: [number, number];
  openCorpus: [number, number];
  edit: [number, number];
  hover: [number, number];
  completion: [number, number];
}

export async function benchLsp(): Promise<LspFigures> {
  const big = dockerfileOf(5000);
  const medium = dockerfileOf(1000);
  const berth = await startServer('berth', [join(ROOT, 'dist/server.js'), '--stdio']);
  const peer = await startServer('rcjsuen', [join(ROOT, 'node_modules/dockerfile-language-server-nodejs/lib/server.js'), '--stdio']);
  try {
    // warm both (JIT), then measure in turns
    await timeOpens(berth, peer, medium, 2);
    const [openBerth, openPeer] = await timeOpens(berth, peer, big, 11);
    const corpus = corpusOf(5000);
    const [openCorpusBerth, openCorpusPeer] = await timeOpens(berth, peer, corpus, 11);
    const editBerth = await timeEdits(berth, medium, 60);
    const editPeer = await timeEdits(peer, medium, 60);
    const hoverBerth = await timeRequests(berth, medium, 'textDocument/hover', 100);
    const hoverPeer = await timeRequests(peer, medium, 'textDocument/hover', 100);
    const complBerth = await timeRequests(berth, medium, 'textDocument/completion', 100);
    const complPeer = await timeRequests(peer, medium, 'textDocument/completion', 100);
    return { open: [openBerth, openPeer], openCorpus: [openCorpusBerth, openCorpusPeer], edit: [editBerth, editPeer], hover: [hoverBerth, hoverPeer], completion: [complBerth, complPeer] };
  } finally {
    await stopServer(berth);
    await stopServer(peer);
  }
}

/** The report lines of {@link benchLsp}. */
export function reportLsp(f: LspFigures): string[] {
  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  const ratio = f.open[0] / f.open[1];
  const corpusRatio = f.openCorpus[0] / f.openCorpus[1];
  return [
    `LSP didOpen -> diagnostics, 5,000 lines (350 stages): berth ${ms(f.open[0])}, dockerfile-language-server-nodejs ${ms(f.open[1])}: ${ratio.toFixed(2)}x its time (target <= 0.5x) ${ratio <= 0.5 ? 'OK' : 'SLOW'}`,
    `LSP didOpen -> diagnostics, 5,000 lines of the realistic corpus: berth ${ms(f.openCorpus[0])}, dockerfile-language-server-nodejs ${ms(f.openCorpus[1])}: ${corpusRatio.toFixed(2)}x its time (target <= 0.5x) ${corpusRatio <= 0.5 ? 'OK' : 'SLOW'}`,
    `LSP re-diagnosis after a 1-character edit, 1,000 lines, p95: berth ${ms(f.edit[0])} (peer ${ms(f.edit[1])}) (target < 20 ms) ${f.edit[0] < 20 ? 'OK' : 'SLOW'}`,
    `LSP hover p95: berth ${ms(f.hover[0])} (peer ${ms(f.hover[1])}) (target < 10 ms) ${f.hover[0] < 10 ? 'OK' : 'SLOW'}`,
    `LSP completion p95: berth ${ms(f.completion[0])} (peer ${ms(f.completion[1])}) (target < 10 ms) ${f.completion[0] < 10 ? 'OK' : 'SLOW'}`,
  ];
}

if (require.main === module) {
  void benchLsp().then((f) => {
    for (const line of reportLsp(f)) console.log(line);
  });
}
