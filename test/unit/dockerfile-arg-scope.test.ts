// Which variables each instruction sees (src/dockerfile/arg-scope.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argScope, globalArgValues, parse, variablesAt, type DockerfileAst } from '../../src/dockerfile';

const DOCKERFILE = `ARG BASE=alpine
ARG TAG=3.20
ARG GLOBAL_ONLY
FROM $BASE:$TAG AS build
RUN echo $TAG
ARG TAG
ARG LOCAL=1
ENV LOCAL=env TOOL=make
ARG LOCAL=2
RUN $TOOL
FROM build AS test
ENV MORE=x
RUN test
FROM scratch
COPY --from=test / /
`;

function names(ast: DockerfileAst, index: number): Record<string, string> {
  const scope = argScope(ast);
  const visible = variablesAt(scope, ast.instructions[index]!);
  const out: Record<string, string> = {};
  for (const [name, v] of visible) if (v.kind !== 'builtin') out[name] = v.kind;
  return out;
}

test('arg scope: global ARGs are usable in FROM lines, with the platform ARGs', () => {
  const ast = parse(DOCKERFILE);
  assert.deepEqual(names(ast, 3), { BASE: 'arg', TAG: 'arg', GLOBAL_ONLY: 'arg' });
  const visible = variablesAt(argScope(ast), ast.instructions[3]!);
  assert.equal(visible.get('TARGETPLATFORM')?.kind, 'builtin');
  assert.equal(visible.get('BUILDARCH')?.kind, 'builtin');
  assert.deepEqual(names(ast, 13), { BASE: 'arg', TAG: 'arg', GLOBAL_ONLY: 'arg' });
});

test('arg scope: a global ARG before its declaration, and global ARGs among themselves', () => {
  const ast = parse(DOCKERFILE);
  assert.deepEqual(names(ast, 0), {});
  assert.deepEqual(names(ast, 1), { BASE: 'arg' });
});

test('arg scope: inside a stage a global ARG is visible only once redeclared, with the global default', () => {
  const ast = parse(DOCKERFILE);
  assert.deepEqual(names(ast, 4), {});
  assert.deepEqual(names(ast, 6), { TAG: 'arg' });
  const tag = variablesAt(argScope(ast), ast.instructions[6]!).get('TAG')!;
  assert.equal(tag.definition?.rawValue, undefined);
  assert.equal(tag.globalDefault?.rawValue, '3.20');
});

test('arg scope: ENV overrides an ARG of the same name, before or after it', () => {
  const ast = parse(DOCKERFILE);
  const visible = variablesAt(argScope(ast), ast.instructions[9]!);
  assert.deepEqual(names(ast, 9), { TAG: 'arg', LOCAL: 'env', TOOL: 'env' });
  assert.equal(visible.get('LOCAL')!.definition!.rawValue, 'env');
  assert.deepEqual(visible.get('TOOL')!.definition!.range, {
    start: { line: 7, character: 14 },
    end: { line: 7, character: 18 },
  });
});

test('arg scope: a stage built FROM another inherits its ENV, not its ARGs', () => {
  const ast = parse(DOCKERFILE);
  const scope = argScope(ast);
  assert.equal(scope.stages[1]!.parent, 0);
  assert.equal(scope.stages[2]!.parent, undefined);
  assert.deepEqual(names(ast, 12), { LOCAL: 'env', TOOL: 'env', MORE: 'env' });
  assert.deepEqual(names(ast, 14), {});
});

test('arg scope: definitions per scope, in order', () => {
  const scope = argScope(parse(DOCKERFILE));
  assert.deepEqual(scope.global.map((d) => [d.name, d.rawValue]), [
    ['BASE', 'alpine'],
    ['TAG', '3.20'],
    ['GLOBAL_ONLY', undefined],
  ]);
  assert.deepEqual(scope.stages[0]!.definitions.map((d) => `${d.kind}:${d.name}`), [
    'arg:TAG',
    'arg:LOCAL',
    'env:LOCAL',
    'env:TOOL',
    'arg:LOCAL',
  ]);
});

test('arg scope: global ARG values for FROM lines, build args over defaults', () => {
  const scope = argScope(parse('ARG A=1\nARG B=${A}2\nARG C\nFROM x\n'));
  assert.deepEqual([...globalArgValues(scope)], [
    ['A', '1'],
    ['B', '12'],
  ]);
  assert.deepEqual([...globalArgValues(scope, { A: 'x', C: 'c' })], [
    ['A', 'x'],
    ['B', 'x2'],
    ['C', 'c'],
  ]);
});

test('arg scope: an instruction of another tree, or an ONBUILD trigger, sees nothing', () => {
  const ast = parse('FROM a\nONBUILD RUN x\n');
  const scope = argScope(ast);
  assert.equal(variablesAt(scope, ast.instructions[1]!.onbuild!).size, 0);
  assert.equal(variablesAt(scope, parse('FROM b').instructions[0]!).size, 0);
});
