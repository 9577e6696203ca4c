// The navigation features of the Dockerfile layer: document symbols, folding ranges, go to definition and
// document links (src/dockerfile/features/{symbols,folding,definition,links}.ts), as table cases over
// multi-stage files, heredocs, `escape=\``, CRLF, comments and continuations, and as properties over the
// parser's conformance fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Position, type Range } from '../../src/dockerfile';
import { definition } from '../../src/dockerfile/features/definition';
import { foldingRanges } from '../../src/dockerfile/features/folding';
import { documentLinks } from '../../src/dockerfile/features/links';
import { documentSymbols } from '../../src/dockerfile/features/symbols';
import { SymbolKind, type SymbolResult } from '../../src/dockerfile/features/types';
import { isBeforeOrEqual } from '../../src/dockerfile/position';
import { fixtureFiles } from '../helpers/dockerfile-text';

const r = (sl: number, sc: number, el: number, ec: number): Range => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

/** The text of `range` in `text` (a range on one line). */
function textAt(text: string, range: Range): string {
  assert.equal(range.start.line, range.end.line, 'a one-line range');
  return text.split(/\r?\n/)[range.start.line]!.slice(range.start.character, range.end.character);
}

/** The position of the `nth` occurrence of `needle` in `text`, plus `shift` characters. */
function positionOf(text: string, needle: string, shift = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${needle} #${nth} in the text`);
  }
  const before = text.slice(0, at + shift).split(/\r?\n/);
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function contains(outer: Range, inner: Range): boolean {
  return isBeforeOrEqual(outer.start, inner.start) && isBeforeOrEqual(inner.end, outer.end);
}

// ---------------------------------------------------------------- symbols

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=alpine:3.20',
  'ARG VERSION',
  'FROM ${BASE} AS build',
  'ARG VERSION',
  'RUN --mount=type=cache,target=/c go build \\',
  '    -o /out/app ./cmd/app',
  'COPY <<EOF /etc/app.conf',
  'name=app',
  'EOF',
  'FROM build',
  'FROM gcr.io/distroless/static AS final',
  'COPY --from=build /out/app /app',
  'ENTRYPOINT ["/app"]',
  '',
].join('\n');

test('symbols: directives and global ARGs at the top, one symbol per stage holding its instructions', () => {
  const symbols = documentSymbols(parse(MULTI_STAGE));
  const shape = (s: SymbolResult): unknown => [s.name, s.detail, s.kind, s.range.start.line, s.range.end.line, s.children?.map(shape)];
  assert.deepEqual(symbols.map(shape), [
    ['syntax', 'docker/dockerfile:1', SymbolKind.Key, 0, 0, undefined],
    ['ARG', 'BASE=alpine:3.20', SymbolKind.Variable, 1, 1, undefined],
    ['ARG', 'VERSION', SymbolKind.Variable, 2, 2, undefined],
    ['build', '${BASE}', SymbolKind.Class, 3, 9, [
      ['ARG', 'VERSION', SymbolKind.Variable, 4, 4, undefined],
      ['RUN', '--mount=type=cache,target=/c go build -o /out/app ./cmd/app', SymbolKind.Function, 5, 6, undefined],
      ['COPY', '<<EOF /etc/app.conf', SymbolKind.Field, 7, 9, undefined],
    ]],
    ['stage 1', 'build', SymbolKind.Class, 10, 10, []],
    ['final', 'gcr.io/distroless/static', SymbolKind.Class, 11, 13, [
      ['COPY', '--from=build /out/app /app', SymbolKind.Field, 12, 12, undefined],
      ['ENTRYPOINT', '["/app"]', SymbolKind.Method, 13, 13, undefined],
    ]],
  ]);
  const build = symbols[3]!;
  assert.equal(textAt(MULTI_STAGE, build.selectionRange), 'build', 'a stage is selected by its name');
  assert.equal(textAt(MULTI_STAGE, symbols[4]!.selectionRange), 'build', 'an unnamed stage by its base');
  assert.equal(textAt(MULTI_STAGE, build.children![1]!.selectionRange), 'RUN');
});

test('symbols: long arguments are shortened; keywords are upper-cased; CRLF and escape=` files', () => {
  const long = `from a\nrun ${'x'.repeat(100)}\n`;
  const run = documentSymbols(parse(long))[0]!.children![0]!;
  assert.equal(run.name, 'RUN');
  assert.equal(run.detail!.length, 60);
  assert.ok(run.detail!.endsWith('…'));
  const crlf = 'FROM a AS one\r\nRUN b \\\r\n  c\r\n';
  assert.deepEqual(documentSymbols(parse(crlf)).map((s) => [s.name, s.range, s.children!.map((c) => [c.detail, c.range])]), [
    ['one', r(0, 0, 2, 3), [['b c', r(1, 0, 2, 3)]]],
  ]);
  const windows = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n  /s\n';
  const [directive, stage] = documentSymbols(parse(windows));
  assert.deepEqual([directive!.name, directive!.detail], ['escape', '`']);
  assert.deepEqual(stage!.children!.map((c) => [c.detail, c.range.end.line]), [['dir c:\\ /s', 3]]);
});

// ---------------------------------------------------------------- folding

test('folding: stages, multi-line instructions, heredoc bodies, runs of comments', () => {
  const text = [
    '# one', //          0
    '# two', //          1
    'FROM a AS b', //    2
    'RUN x \\', //       3
    '  # inside', //     4
    '  y', //            5
    '# alone', //        6
    'COPY <<A /a <<B /b', // 7
    'a', //              8
    'A', //              9
    'b1', //             10
    'b2', //             11
    'B', //              12
    'RUN --mount=type=cache,target=/c \\', // 13
    '  <<EOF', //        14
    'body', //           15
    'EOF', //            16
    'FROM c', //         17
  ].join('\n');
  assert.deepEqual(foldingRanges(parse(text), text), [
    { startLine: 0, endLine: 1, kind: 'comment' },
    { startLine: 2, endLine: 16 },
    { startLine: 3, endLine: 5 },
    { startLine: 7, endLine: 12 },
    { startLine: 9, endLine: 12 },
    { startLine: 13, endLine: 16 },
    { startLine: 14, endLine: 16 },
  ]);
});

test('folding: CRLF gives the same ranges as LF; escape=` continuations; an unterminated heredoc', () => {
  const lf = 'FROM a\nRUN b \\\n  c\n# x\n# y\nRUN <<EOF\nz\nEOF\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  assert.deepEqual(foldingRanges(parse(crlf), crlf), foldingRanges(parse(lf), lf));
  const windows = '# escape=`\nFROM a\nRUN b `\n  c\nRUN d \\\nRUN e\n';
  assert.deepEqual(foldingRanges(parse(windows), windows), [{ startLine: 1, endLine: 5 }, { startLine: 2, endLine: 3 }]);
  const open = 'FROM a\nRUN <<EOF\nx\ny\n';
  assert.deepEqual(foldingRanges(parse(open), open), [{ startLine: 0, endLine: 3 }, { startLine: 1, endLine: 3 }]);
  const atEof = 'FROM a\nRUN <<EOF';
  assert.deepEqual(foldingRanges(parse(atEof), atEof), [{ startLine: 0, endLine: 1 }], 'the stage, no heredoc body');
});

// ---------------------------------------------------------------- definition

interface DefinitionCase {
  name: string;
  text: string;
  /** Where to ask: a needle, which occurrence, and how far into it. */
  at: [needle: string, shift: number, nth?: number];
  /** The needle the answer must start at (its occurrence), or none. */
  to?: [needle: string, nth?: number];
}

const DEFINITION_CASES: DefinitionCase[] = [
  { name: 'FROM <stage> to its AS name (case-insensitive)', text: 'FROM a AS Builder\nFROM builder\n', at: ['FROM builder', 6], to: ['Builder'] },
  { name: 'FROM <image> named like a later stage: nothing', text: 'FROM later\nFROM b AS later\n', at: ['later', 1], to: undefined },
  { name: 'COPY --from=<stage>', text: 'FROM a AS build\nFROM b\nCOPY --from=build /x /y\n', at: ['=build', 3], to: ['build'] },
  { name: 'COPY --from=<index> to that FROM', text: 'FROM a\nFROM b\nCOPY --from=0 /x /y\n', at: ['=0', 1], to: ['FROM a'] },
  { name: 'COPY --from=<image>: nothing', text: 'FROM a\nCOPY --from=nginx:1 /x /y\n', at: ['nginx', 2], to: undefined },
  {
    name: 'RUN --mount=from=<stage>, on the from= field',
    text: 'FROM a AS deps\nFROM b\nRUN --mount=type=bind,from=deps,target=/d ls\n',
    at: ['from=deps', 6],
    to: ['deps'],
  },
  {
    name: 'RUN --mount: another field of the mount is not a stage reference',
    text: 'FROM a AS deps\nFROM b\nRUN --mount=type=bind,from=deps,target=/d ls\n',
    at: ['target=/d', 2],
    to: undefined,
  },
  { name: '$VAR in RUN to the stage ARG', text: 'FROM a\nARG V=1\nRUN echo $V\n', at: ['$V', 1], to: ['V=1'] },
  { name: '${VAR} in RUN to the ENV, ENV over ARG', text: 'FROM a\nARG V=1\nENV V=2\nRUN echo ${V}\n', at: ['${V}', 3], to: ['V=2'] },
  { name: 'the end of $VAR still counts', text: 'FROM a\nENV HOME_DIR=/h\nWORKDIR $HOME_DIR\n', at: ['$HOME_DIR', 9], to: ['HOME_DIR'] },
  { name: 'a global ARG in FROM', text: 'ARG BASE=alpine\nFROM ${BASE}\n', at: ['${BASE}', 3], to: ['BASE'] },
  { name: 'a global ARG is not seen in a stage without ARG', text: 'ARG V=1\nFROM a\nRUN echo $V\n', at: ['$V', 1], to: undefined },
  { name: 'ARG name redeclared in a stage to the global ARG', text: 'ARG V=1\nFROM a\nARG V\nRUN echo $V\n', at: ['ARG V\n', 4], to: ['V=1'] },
  { name: 'a redeclared ARG is what RUN sees', text: 'ARG V=1\nFROM a\nARG V\nRUN echo $V\n', at: ['$V', 1], to: ['V\nRUN'] },
  { name: 'ENV inherited from the parent stage', text: 'FROM a AS base\nENV P=/p\nFROM base\nRUN ls $P\n', at: ['$P', 1], to: ['P=/p'] },
  { name: 'a variable used before its ARG: nothing', text: 'FROM a\nRUN echo $V\nARG V\n', at: ['$V', 1], to: undefined },
  { name: 'a variable in a flag', text: 'FROM a\nARG U=1000\nCOPY --chown=$U /a /b\n', at: ['$U', 1], to: ['U=1000'] },
  { name: 'a variable in a RUN heredoc body', text: 'FROM a\nENV D=/d\nRUN <<EOF\nls $D\nEOF\n', at: ['$D', 1], to: ['D=/d'] },
  { name: 'a variable in a quoted COPY heredoc is not expanded', text: "FROM a\nENV D=/d\nCOPY <<'EOF' /x\n$D\nEOF\n", at: ['$D\n', 1], to: undefined },
  { name: 'single quotes keep $ as written', text: "FROM a\nARG V\nRUN echo '$V'\n", at: ['$V', 1], to: undefined },
  { name: 'CMD runs in the container: ARG is not there', text: 'FROM a\nARG V\nCMD echo $V\n', at: ['$V', 1], to: undefined },
  { name: 'CMD sees ENV', text: 'FROM a\nENV V=1\nCMD echo $V\n', at: ['$V', 1], to: ['V=1'] },
  { name: 'the exec form does not expand', text: 'FROM a\nENV V=1\nCMD ["echo", "$V"]\n', at: ['$V', 1], to: undefined },
  { name: 'a continuation line', text: 'FROM a\nARG V\nRUN echo a \\\n  && echo $V\n', at: ['$V', 1], to: ['V\nRUN'] },
  { name: 'escape=` : a backtick continuation', text: '# escape=`\nFROM a\nARG V\nRUN echo `\n  $V\n', at: ['$V', 1], to: ['V\nRUN'] },
  { name: 'CRLF', text: 'FROM a AS one\r\nARG V\r\nFROM one\r\nCOPY --from=one $V /x\r\n', at: ['=one', 2], to: ['one'] },
  { name: 'on a keyword: nothing', text: 'FROM a\nRUN echo\n', at: ['RUN', 1], to: undefined },
  { name: 'on a comment: nothing', text: 'FROM a AS b\n# FROM b\n', at: ['# FROM b', 8], to: undefined },
];

for (const c of DEFINITION_CASES) {
  test(`definition: ${c.name}`, () => {
    const ast = parse(c.text);
    const [needle, shift, nth] = c.at;
    const found = definition(ast, c.text, positionOf(c.text, needle, shift, nth ?? 0));
    if (!c.to) return assert.deepEqual(found, []);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual(found[0]!.range.start, positionOf(c.text, c.to[0], 0, c.to[1] ?? 0));
  });
}

test('definition: the answer is the name in AS or in the ARG/ENV, exactly', () => {
  const text = 'ARG BASE=alpine\nFROM ${BASE} AS build\nENV OUT=/out\nFROM build\nRUN ls $OUT\n';
  const ast = parse(text);
  const names = (p: Position): string[] => definition(ast, text, p).map((l) => textAt(text, l.range));
  assert.deepEqual(names(positionOf(text, '${BASE}', 2)), ['BASE']);
  assert.deepEqual(names(positionOf(text, 'FROM build', 7)), ['build']);
  assert.deepEqual(names(positionOf(text, '$OUT', 2)), ['OUT']);
});

// ---------------------------------------------------------------- links

const LINK_CASES: [image: string, target: string | undefined][] = [
  ['alpine', 'https://hub.docker.com/_/alpine'],
  ['alpine:3.20', 'https://hub.docker.com/_/alpine'],
  ['library/alpine@sha256:0123456789abcdef', 'https://hub.docker.com/_/alpine'],
  ['docker.io/library/nginx:1', 'https://hub.docker.com/_/nginx'],
  ['index.docker.io/bitnami/redis:7', 'https://hub.docker.com/r/bitnami/redis'],
  ['grafana/grafana:11.0.0', 'https://hub.docker.com/r/grafana/grafana'],
  ['ghcr.io/owner/name:tag', 'https://ghcr.io/owner/name'],
  ['quay.io/prometheus/node-exporter', 'https://quay.io/repository/prometheus/node-exporter'],
  ['mcr.microsoft.com/dotnet/sdk:8.0', 'https://mcr.microsoft.com/artifact/mar/dotnet/sdk'],
  ['gcr.io/distroless/static-debian12', 'https://gcr.io/distroless/static-debian12'],
  ['us.gcr.io/project/image:1', 'https://us.gcr.io/project/image'],
  ['localhost:5000/foo', undefined],
  ['localhost/foo', undefined],
  ['registry.example.com:5000/team/app:1', undefined],
  ['scratch', undefined],
  ['SCRATCH', undefined],
  ['${BASE}', undefined],
  ['alpine:$TAG', undefined],
  ['Upper/Case', undefined],
];

for (const [image, target] of LINK_CASES) {
  test(`links: FROM ${image} -> ${target ?? 'no link'}`, () => {
    const text = `ARG BASE=a\nARG TAG=1\nFROM --platform=linux/amd64 ${image} AS x\n`;
    const links = documentLinks(parse(text), text);
    if (!target) return assert.deepEqual(links, []);
    assert.equal(links.length, 1);
    assert.equal(links[0]!.target, target);
    assert.equal(textAt(text, links[0]!.range), image);
    assert.match(links[0]!.tooltip ?? '', /^Open .+ on /);
  });
}

test('links: earlier stages are not images; a later stage name is; CRLF keeps the ranges', () => {
  const text = 'FROM node AS deps\r\nFROM deps\r\nFROM app\r\nFROM alpine AS app\r\n';
  const links = documentLinks(parse(text), text);
  assert.deepEqual(links.map((l) => [l.range, l.target]), [
    [r(0, 5, 0, 9), 'https://hub.docker.com/_/node'],
    [r(2, 5, 2, 8), 'https://hub.docker.com/_/app'],
    [r(3, 5, 3, 11), 'https://hub.docker.com/_/alpine'],
  ]);
});

// ---------------------------------------------------------------- properties over the fixtures


function checkSymbol(s: SymbolResult, parent: SymbolResult | undefined, label: string): void {
  assert.ok(s.name.length > 0, `${label}: a symbol has a name`);
  assert.ok(contains(s.range, s.selectionRange), `${label}: ${s.name}'s selection lies in its range`);
  if (parent) assert.ok(contains(parent.range, s.range), `${label}: ${s.name} lies in ${parent.name}`);
  for (const c of s.children ?? []) checkSymbol(c, s, label);
}

test('the conformance fixtures: symbols nest, folds are sorted and proper, definitions and links hold up', () => {
  const files = fixtureFiles(join(__dirname, '..', 'fixtures', 'dockerfile'));
  assert.ok(files.length >= 30);
  for (const file of files) {
    for (const text of [readFileSync(file, 'utf8'), readFileSync(file, 'utf8').replace(/\n/g, '\r\n')]) {
      const ast = parse(text);
      for (const s of documentSymbols(ast)) checkSymbol(s, undefined, file);
      const folds = foldingRanges(ast, text);
      for (const [i, f] of folds.entries()) {
        assert.ok(f.endLine > f.startLine, `${file}: a fold spans lines`);
        if (i > 0) assert.ok(f.startLine > folds[i - 1]!.startLine, `${file}: folds sorted, one per start line`);
      }
      const targets = ast.instructions.filter((i) => ['ARG', 'ENV', 'FROM'].includes(i.keyword));
      for (const [line, content] of text.split(/\r?\n/).entries()) {
        for (let character = 0; character <= content.length; character += 2) {
          for (const l of definition(ast, text, { line, character })) {
            assert.ok(targets.some((i) => contains(i.range, l.range)), `${file}: a definition lies in an ARG, ENV or FROM`);
          }
        }
      }
      for (const l of documentLinks(ast, text)) assert.match(l.target, /^https:\/\//, file);
    }
  }
});
