// The import directions of ARCHITECTURE.md: engine, dockerfile and cli never import VS Code or LSP
// packages; engine never imports the CLI, the extension or the server; dockerfile imports nothing of Berth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(__dirname, '../../src');

/** The TypeScript files below `dir`; none when the layer does not exist yet. */
function files(dir: string): string[] {
  let out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

function layerOf(spec: string, file: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(SRC, resolve(dirname(file), spec));
  return target.split(/[\\/]/)[0];
}

const LSP = /^(vscode|vscode-languageclient(\/.*)?|vscode-languageserver(\/.*)?|vscode-languageserver-[a-z-]+)$/;

test('engine, dockerfile and cli import neither vscode nor LSP packages', () => {
  const bad: string[] = [];
  for (const layer of ['engine', 'dockerfile', 'cli']) {
    for (const f of files(join(SRC, layer))) for (const spec of imports(f)) if (LSP.test(spec)) bad.push(`${relative(SRC, f)} imports ${spec}`);
  }
  assert.deepEqual(bad, []);
});

test('engine imports only engine and dockerfile; dockerfile imports only itself', () => {
  const bad: string[] = [];
  const allowed: Record<string, string[]> = { engine: ['engine', 'dockerfile'], dockerfile: ['dockerfile'] };
  for (const [layer, ok] of Object.entries(allowed)) {
    for (const f of files(join(SRC, layer))) {
      for (const spec of imports(f)) {
        const target = layerOf(spec, f);
        if (target !== undefined && !ok.includes(target)) bad.push(`${relative(SRC, f)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('the check itself sees a forbidden import', () => {
  assert.ok(files(join(SRC, 'engine')).length > 20, 'the engine layer is read');
  assert.equal(LSP.test('vscode'), true);
  assert.equal(LSP.test('vscode-languageserver/node'), true);
  assert.equal(LSP.test('undici'), false);
  assert.equal(layerOf('../../cli/main', join(SRC, 'engine/store/x.ts')), 'cli');
});
