// The lint corpus: test/fixtures/dockerfiles/*.Dockerfile are realistic Dockerfiles written for this
// test, the way a careful engineer writes them (multi-stage Go, Node, Python, Java, Rust, .NET, Ruby,
// PHP and Elixir builds, nginx, Windows images with `# escape=\``, here-documents in RUN and COPY, long
// continuation chains, ARG-parameterized FROMs, ONBUILD, HEALTHCHECK, build args, scratch, cache,
// secret and ssh mounts). They may draw warnings and information (one, legacy-debug-image, is kept
// old-style on purpose), but BuildKit builds every one, so no check may call anything in them an
// error, and every range a check reports must lie inside the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argScope } from '../../src/dockerfile/arg-scope';
import { parse } from '../../src/dockerfile/parse';
import type { Range } from '../../src/dockerfile/position';
import { lint } from '../../src/dockerfile/lint/index';
import { RUN_RULES } from '../../src/dockerfile/lint/run-rules';
import type { LintContext } from '../../src/dockerfile/lint/types';
import { tryParseReference } from '../../src/engine/ref/reference';

const CORPUS = join(__dirname, '..', 'fixtures', 'dockerfiles');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort();

function read(file: string): string {
  return readFileSync(join(CORPUS, file), 'utf8');
}

/** The engine's own reference check, as the language server passes it. */
function validateReference(ref: string): string | undefined {
  const r = tryParseReference(ref);
  return r.ok ? undefined : r.message;
}

function inside(text: string, r: Range): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: Range['start']) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

function show(r: Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

test('the corpus has at least 30 Dockerfiles', () => {
  assert.ok(files.length >= 30, `${files.length} files`);
});

for (const file of files) {
  test(`corpus ${file}: no errors, every range inside the document`, () => {
    const text = read(file);
    const ast = parse(text);
    assert.deepEqual(ast.problems, [], 'the parser finds nothing wrong');
    const problems = lint(ast, text, { validateReference });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.code} ${show(p.range)}: ${p.message}`);
    assert.deepEqual(errors, []);
    for (const p of problems) {
      assert.ok(inside(text, p.range), `${p.code} at ${show(p.range)}`);
      for (const fix of p.fixes ?? []) for (const e of fix.edits) assert.ok(inside(text, e.range), `fix of ${p.code} at ${show(e.range)}`);
    }
  });
}

test('corpus: the RUN rules run without throwing (lint would drop a rule that throws)', () => {
  for (const file of files) {
    const text = read(file);
    const ast = parse(text);
    const ctx: LintContext = { ast, text, scope: argScope(ast) };
    for (const rule of RUN_RULES) assert.doesNotThrow(() => rule.check(ctx, () => {}), `${rule.code} on ${file}`);
  }
});

test('corpus: the old-style image draws the RUN advice it deserves', () => {
  const text = read('legacy-debug-image.Dockerfile');
  const codes = new Set(lint(parse(text), text).map((p) => p.code));
  for (const code of ['AptInsteadOfAptGet', 'SudoInRun', 'CdInsteadOfWorkdir', 'CurlAndWget', 'PipeWithoutPipefail', 'AptListsNotRemoved']) {
    assert.ok(codes.has(code), code);
  }
});
