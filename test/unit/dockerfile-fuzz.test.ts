// Property test of the Dockerfile parser: for random and mutated Dockerfiles, `parse` never throws,
// returns in bounded time, and every range it gives lies within the text. The helpers built on the
// tree (expand, parseKeyValues, argScope, variablesAt) hold up too.
//
// BERTH_FUZZ_CASES sets the number of cases (default 2000 for CI; the long mode runs 100000).
// BERTH_FUZZ_SEED replays a run; a failure prints the seed and the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x5eed);
/** Milliseconds one parse of a generated case may take; generous for slow CI machines. */
const CASE_BUDGET_MS = 1000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const corpusDir = join(__dirname, '..', 'fixtures', 'dockerfile', 'buildkit');
const corpus = readdirSync(corpusDir).map((n) => readFileSync(join(corpusDir, n, 'Dockerfile'), 'utf8'));

const KEYWORDS = ['FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'ENV', 'ARG', 'LABEL', 'EXPOSE', 'USER', 'WORKDIR',
  'VOLUME', 'SHELL', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER', 'from', 'Run', 'cOpY', 'BOGUS', ''];
const PIECES = ['a', 'b=c', 'k="v 2"', "'q'", '"', "'", '\\', '`', '\\\\', '$x', '${x}', '${x:-w}', '${x-w}', '${x:+w}',
  '${x+w}', '${x:?m}', '${x?}', '${x#*/}', '${x%%.*}', '${x//a/b}', '${', '${}', '${x:', '$', '<<EOF', '<<-EOF',
  "<<'EOF'", '<<"E"', '3<<X', '<<', '<<-', '[', ']', '["a"]', '["a",', "['a']", '[1]', '[["x"]]', '{"a":1}', '--',
  '--flag', '--mount=type=cache,target=/x', '--chown="a b"', '-x', 'AS', 'as', 'stage', '#', '# c', '=', '==',
  '😀', 'é', '\u00a0', '\u2028', '\u0085', '\ud800', '\udc00', '\u0000', '\t', ' ', '\r', '\v', '\f', 'ONBUILD',
  'RUN', 'EOF', 'X', 'E', '\uFEFF', '\\ ', '`  '];
const LINE_ENDS = ['\n', '\n', '\n', '\r\n', '\r', ' \\\n', '\\\n', '`\n', '\\\r\n', '\\ \t\n', ''];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function randomLine(r: () => number): string {
  const kind = r();
  if (kind < 0.08) return pick(r, ['# syntax=docker/dockerfile:1', '# escape=`', '#escape=\\', '# check=skip=all', '# x', '']);
  if (kind < 0.13) return pick(r, ['EOF', 'X', 'E', '\tEOF', 'A', 'B']);
  let line = pick(r, KEYWORDS);
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) line += pick(r, [' ', ' ', '\t', '']) + pick(r, PIECES);
  return line;
}

function randomDockerfile(r: () => number): string {
  let text = r() < 0.05 ? '\uFEFF' : '';
  const lines = Math.floor(r() * 14);
  for (let i = 0; i < lines; i++) text += randomLine(r) + pick(r, LINE_ENDS);
  return text;
}

function randomJunk(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 200);
  for (let i = 0; i < n; i++) s += String.fromCharCode(r() < 0.7 ? Math.floor(r() * 128) : Math.floor(r() * 0x10000));
  return s;
}

function mutate(r: () => number, text: string): string {
  let t = text;
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = r();
    if (op < 0.3) t = t.slice(0, at);
    else if (op < 0.6) t = t.slice(0, at) + pick(r, PIECES) + t.slice(at);
    else if (op < 0.8) t = t.slice(0, at) + t.slice(at + Math.floor(r() * 40));
    else t = t.slice(0, at) + pick(r, LINE_ENDS) + t.slice(at);
  }
  return t;
}

function generate(r: () => number, i: number): string {
  switch (i % 4) {
    case 0:
      return randomDockerfile(r);
    case 1:
      return mutate(r, pick(r, corpus));
    case 2:
      return randomJunk(r);
    default:
      return mutate(r, randomDockerfile(r));
  }
}

/** Line lengths as LSP counts them (line breaks `\r\n`, `\n`, lone `\r`). */
function lspLineLengths(text: string): number[] {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    lengths.push(i - start);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  lengths.push(text.length - start);
  return lengths;
}

function isPosition(v: unknown): v is Position {
  return typeof v === 'object' && v !== null && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
}

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
