// Property test of the language features: for random and mutated Dockerfiles, the checks, hover,
// completion, symbols, folding, formatting, definition and links never throw, answer in bounded time,
// and every range they give lies within the document. Formatting is idempotent.
//
// BERTH_FUZZ_CASES sets the number of cases (default 1000 for CI; the long mode, BERTH_LONG=1, runs 100000).
// BERTH_FUZZ_SEED replays a run; a failure prints the seed and the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Position } from '../../src/dockerfile';
import { lint } from '../../src/dockerfile/lint/index';
import { hover } from '../../src/dockerfile/features/hover';
import { complete } from '../../src/dockerfile/features/completion';
import { documentSymbols } from '../../src/dockerfile/features/symbols';
import { foldingRanges } from '../../src/dockerfile/features/folding';
import { format } from '../../src/dockerfile/features/format';
import { definition } from '../../src/dockerfile/features/definition';
import { documentLinks } from '../../src/dockerfile/features/links';
import type { ImageSource } from '../../src/dockerfile/features/types';
import { generate, isPosition, lspLineLengths, rng } from '../helpers/dockerfile-gen';
import { applyEdits } from '../helpers/text-edits';

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? (process.env.BERTH_LONG ? 100_000 : 1000));
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x15f);
/** Milliseconds all features together may take on one generated case; generous for slow CI machines. */
const CASE_BUDGET_MS = 2000;

/** A stand-in for the store the server passes in (the real one is exercised in test/integration/lsp-server.test.ts). */
const images: ImageSource = {
  lookup: async (ref) => (ref.startsWith('busybox') ? { id: `sha256:${'ab'.repeat(32)}`, size: 2_130_000, created: '2024-01-01T00:00:00Z' } : undefined),
  names: async () => ['busybox:latest', 'node:20'],
};

/** The first range or position in `value` that lies outside a text of these line lengths. */
function outside(value: unknown, lengths: number[]): string | undefined {
  const ok = (p: Position): boolean => Number.isInteger(p.line) && p.line >= 0 && p.line < lengths.length && p.character >= 0 && p.character <= lengths[p.line]!;
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string | undefined => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return undefined;
    seen.add(v);
    if (isPosition(v) && !ok(v)) return `${path} = ${JSON.stringify(v)}`;
    for (const [k, child] of Object.entries(v)) {
      const bad = walk(child, `${path}.${k}`);
      if (bad) return bad;
    }
    return undefined;
  };
  return walk(value, '');
}


test(`language features survive ${CASES} random and mutated Dockerfiles (seed ${SEED})`, async () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const text = generate(r, i);
    const lengths = lspLineLengths(text);
    const line = Math.floor(r() * lengths.length);
    const position = { line, character: Math.floor(r() * (lengths[line]! + 1)) };
    const where = `case ${i} (seed ${SEED}) at ${JSON.stringify(position)}: ${JSON.stringify(text)}`;
    const started = performance.now();
    let results: unknown[];
    try {
      const ast = parse(text);
      results = [
        lint(ast, text, { validateReference: (ref) => (/[A-Z]/.test(ref) ? 'invalid reference format: repository name must be lowercase' : undefined) }),
        await hover(ast, text, position, { images, locale: i % 2 ? 'zh-cn' : 'en' }),
        await complete(ast, text, position, { images }),
        documentSymbols(ast),
        foldingRanges(ast, text),
        definition(ast, text, position),
        documentLinks(ast, text),
      ];
      const edits = format(ast, text, { tabSize: 4, insertSpaces: true });
      results.push(edits);
      if (!text.includes('\r')) {
        const once = applyEdits(text, edits);
        const again = format(parse(once), once, { tabSize: 4, insertSpaces: true });
        assert.deepEqual(again, [], `formatting twice changes the text again, ${where}`);
      }
    } catch (e) {
      assert.fail(`threw ${(e as Error).stack}\n${where}`);
    }
    const bad = outside(results, lengths);
    assert.equal(bad, undefined, `a range outside the document: ${bad}\n${where}`);
    assert.ok(performance.now() - started < CASE_BUDGET_MS, `took over ${CASE_BUDGET_MS} ms: ${where}`);
  }
});
