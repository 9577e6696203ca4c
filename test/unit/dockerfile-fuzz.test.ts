// Property test of the Dockerfile parser: for random and mutated Dockerfiles, `parse` never throws,
// returns in bounded time, and every range it gives lies within the text. The helpers built on the
// tree (expand, parseKeyValues, argScope, variablesAt) hold up too.
//
// BERTH_FUZZ_CASES sets the number of cases (default 2000 for CI; the long mode, BERTH_LONG=1, runs 100000).
// BERTH_FUZZ_SEED replays a run; a failure prints the seed and the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argScope,
  expand,
  parse,
  parseKeyValues,
  unquote,
  variablesAt,
  type DockerfileAst,
  type Position,
} from '../../src/dockerfile';
import { generate, isPosition, lspLineLengths, pick, rng } from '../helpers/dockerfile-gen';

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? (process.env.BERTH_LONG ? 100_000 : 2000));
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x5eed);
/** Milliseconds one parse of a generated case may take; generous for slow CI machines. */
const CASE_BUDGET_MS = 1000;

/** Every range and position in the tree lies in the text, and every range starts before it ends. */
function checkRanges(ast: DockerfileAst, text: string): string | undefined {
  const lengths = lspLineLengths(text);
  const ok = (p: Position): boolean =>
    Number.isInteger(p.line) && p.line >= 0 && p.line < lengths.length && p.character >= 0 && p.character <= lengths[p.line]!;
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string | undefined => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return undefined;
    seen.add(v);
    if (isPosition(v) && !ok(v)) return `${path} = ${JSON.stringify(v)} is outside the text`;
    const o = v as Record<string, unknown>;
    if (isPosition(o.start) && isPosition(o.end)) {
      const { start, end } = o;
      if (start.line > end.line || (start.line === end.line && start.character > end.character)) {
        return `${path} ends before it starts: ${JSON.stringify(v)}`;
      }
    }
    for (const [k, child] of Object.entries(o)) {
      const bad = walk(child, `${path}.${k}`);
      if (bad) return bad;
    }
    return undefined;
  };
  return walk(ast, 'ast');
}

/** Runs the helpers built on the tree; they must not throw either. */
function exerciseHelpers(ast: DockerfileAst, r: () => number): void {
  const scope = argScope(ast);
  const values = new Map<string, string>();
  for (const instruction of ast.instructions) {
    variablesAt(scope, instruction);
    parseKeyValues(instruction, ast.escapeChar);
    for (const arg of instruction.args.slice(0, 4)) {
      unquote(arg.rawText, ast.escapeChar);
      expand(arg.rawText, (name) => (r() < 0.5 ? values.get(name) : pick(r, ['', 'v', 'a/b.c', '*'])), ast.escapeChar);
      values.set(arg.value.slice(0, 8), arg.rawText.slice(0, 16));
    }
  }
}

function check(text: string, r: () => number): string | undefined {
  const started = performance.now();
  let ast: DockerfileAst;
  try {
    ast = parse(text);
  } catch (e) {
    return `parse threw ${String(e)}`;
  }
  const took = performance.now() - started;
  if (took > CASE_BUDGET_MS) return `parse took ${took.toFixed(0)} ms`;
  const internal = ast.problems.find((p) => p.code === 'internal-error');
  if (internal) return internal.message;
  const bad = checkRanges(ast, text);
  if (bad) return bad;
  try {
    exerciseHelpers(ast, r);
  } catch (e) {
    return `a helper threw ${String(e)}`;
  }
  return undefined;
}

test(`parse: ${CASES} random and mutated Dockerfiles (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const text = generate(r, i);
    const failure = check(text, r);
    if (failure) assert.fail(`case ${i} (seed ${SEED}): ${failure}\ninput: ${JSON.stringify(text)}`);
  }
});

test('the range check itself sees a range outside the text and one that ends before it starts', () => {
  const ast = parse('FROM a\nRUN b');
  const run = ast.instructions[1]!;
  assert.equal(checkRanges(ast, 'FROM a\nRUN b'), undefined);
  run.keywordRange = { start: { line: 1, character: 0 }, end: { line: 1, character: 6 } };
  assert.match(checkRanges(ast, 'FROM a\nRUN b') ?? '', /outside the text/);
  run.keywordRange = { start: { line: 1, character: 2 }, end: { line: 1, character: 1 } };
  assert.match(checkRanges(ast, 'FROM a\nRUN b') ?? '', /ends before it starts/);
});

test('parse: huge and deep inputs stay bounded', () => {
  const r = rng(SEED + 1);
  const big: Array<[string, string]> = [
    ['a 1 MB line', 'FROM a\nRUN ' + 'x'.repeat(1 << 20)],
    ['100k lines', 'FROM a\n' + 'RUN echo hi \\\n'.repeat(100_000)],
    ['deep substitutions', 'FROM a\nRUN <<EOF ' + '${a:-'.repeat(50_000) + '\nEOF'],
    ['deep JSON', 'FROM a\nCMD ' + '['.repeat(100_000)],
    ['deep valid JSON', 'FROM a\nCMD ' + '['.repeat(20_000) + ']'.repeat(20_000)],
    ['chained ONBUILD', 'FROM a\n' + 'ONBUILD '.repeat(50_000) + 'RUN x'],
    ['many heredocs', 'FROM a\nRUN ' + '<<A '.repeat(20_000) + '\n' + 'A\n'.repeat(20_000)],
    ['many quotes', 'FROM a\nENV ' + '"a=b '.repeat(50_000)],
    ['many escapes', 'FROM a\nLABEL ' + '\\'.repeat(200_001)],
    ['an unterminated heredoc', 'FROM a\nCOPY <<EOF /x\n' + 'line\n'.repeat(100_000)],
    ['binary junk', Array.from({ length: 200_000 }, () => String.fromCharCode(Math.floor(r() * 0x10000))).join('')],
  ];
  for (const [what, text] of big) {
    const started = performance.now();
    const ast = parse(text);
    const took = performance.now() - started;
    assert.ok(took < 3000, `${what}: ${took.toFixed(0)} ms`);
    assert.equal(ast.problems.find((p) => p.code === 'internal-error'), undefined, what);
    assert.equal(checkRanges(ast, text), undefined, what);
  }
});
