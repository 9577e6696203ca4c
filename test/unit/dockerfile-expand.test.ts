// Variable substitution (src/dockerfile/expand.ts). The first table is BuildKit's own
// (`frontend/dockerfile/shell/lex_test.go`, TestProcessWithMatches and TestShellParserMandatoryEnvVars).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, expandsVariables, unquote, variableReferences } from '../../src/dockerfile';

const env = (vars: Record<string, string>) => (name: string) =>
  Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;

/** input, variables, expected value (or 'error'), names looked up and found, names looked up and not found. */
const BUILDKIT: Array<[string, Record<string, string>, string, string[], string[]]> = [
  ['x', { DUMMY: 'dummy' }, 'x', [], []],
  ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x ', [], ['UNUSED']],
  ['x ${FOO}', { FOO: 'y' }, 'x y', ['FOO'], []],
  ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc', ['FOO', 'BAR'], ['BAZ']],
  ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc', ['FOO', 'BAR'], ['BAZ']],
  ['${FOO:-}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO'], []],
  ['${FOO:-}', {}, '', [], ['FOO']],
  ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb ', ['FOO', 'BAR'], ['BAZ']],
  ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  ', ['FOO', 'BAR'], ['BAZ']],
  ['${FOO?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO'], []],
  ['${BAR?bbb}', { FOO: 'xxx', BAR: '' }, '', ['BAR'], []],
  ['${BAZ?ccc}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${FOO:?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO'], []],
  ['${BAR:?bbb}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${BAZ:?ccc}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${BAZ:?}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${FOO=aaa}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${FOO=:aaa}', { FOO: 'xxx', BAR: '' }, 'error', [], []],
  ['${FOO=}', {}, 'error', [], []],
  ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x', ['FOO'], []],
  ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx', ['FOO'], []],
  ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y', ['FOO'], []],
  ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy', ['FOO', 'BAR'], []],
  ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR'], []],
  ['${FOO#}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
  ['${FOO##*x}', { FOO: 'xxyy' }, 'yy', ['FOO'], []],
  ['${FOO##}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
  ['${FOO#?\\?}', { FOO: '???y' }, '?y', ['FOO'], []],
  ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.', ['FOO'], ['ABC']],
  ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a', ['FOO'], []],
  ['${FOO%}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
  ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR'], []],
  ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt', ['FOO', 'NEEDLE'], []],
  ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt', ['FOO', 'NEEDLE'], []],
  [
    '${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}',
    { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' },
    '/foo/b/c.txt - /foo/c.txt',
    ['FOO', 'NEEDLE', 'REPLACEMENT'],
    [],
  ],
  [
    '${FOO/$NEEDLE/$REPLACEMENT}',
    { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' },
    'https://google.de',
    ['FOO', 'NEEDLE', 'REPLACEMENT'],
    [],
  ],
  ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt', ['FOO'], []],
  ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy', ['FOO', 'BAR'], []],
  ['${FOO//ww}', { FOO: 'xxyy' }, 'error', [], []],
  ['${FOO//}', { FOO: 'xxyy' }, 'error', [], []],
  ['${FOO///}', { FOO: 'xxyy' }, 'xxyy', ['FOO'], []],
  ['${FOO///}', {}, '', [], ['FOO']],
];

for (const [input, vars, expected, found, missing] of BUILDKIT) {
  test(`expand (BuildKit lex_test): ${input}`, () => {
    const r = expand(input, env(vars));
    if (expected === 'error') {
      assert.ok(r.problems.length > 0, `expected a problem, got ${JSON.stringify(r.value)}`);
      return;
    }
    assert.deepEqual(r.problems, []);
    assert.equal(r.value, expected);
    const names = new Set(r.references.map((ref) => ref.name));
    assert.deepEqual([...names].filter((n) => vars[n] !== undefined).sort(), [...found].sort());
    assert.deepEqual([...names].filter((n) => vars[n] === undefined).sort(), [...missing].sort());
  });
}

test('expand: mandatory variables (BuildKit TestShellParserMandatoryEnvVars)', () => {
  const noEmpty = '${VAR:?message here$ARG}';
  const noUnset = '${VAR?message here$ARG}';
  assert.equal(expand(noEmpty, env({ VAR: 'plain', ARG: 'x' })).value, 'plain');
  assert.match(expand(noEmpty, env({ VAR: '', ARG: 'x' })).problems[0]!.message, /message herex/);
  assert.match(expand(noEmpty, env({ ARG: 'x' })).problems[0]!.message, /message herex/);
  assert.equal(expand(noUnset, env({ VAR: 'plain', ARG: 'x' })).value, 'plain');
  const empty = expand(noUnset, env({ VAR: '', ARG: 'x' }));
  assert.equal(empty.value, '');
  assert.deepEqual(empty.problems, []);
  assert.equal(expand(noUnset, env({ ARG: 'x' })).problems[0]!.code, 'unset-variable');
  assert.equal(expand('${V:?}', env({ V: '' })).problems[0]!.message, 'V: is not allowed to be empty');
  assert.equal(expand('${V?}', env({})).problems[0]!.message, 'V: is not allowed to be unset');
});

test('expand: the release file name of BuildKit TestProcessWithMatchesPlatform', () => {
  const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
  const base = { VERSION: 'v1.2.3', TARGETOS: 'linux' };
  assert.equal(expand(release, env({ ...base, TARGETARCH: 'arm', TARGETVARIANT: 'v7' })).value, 'something-v1.2.3.linux-arm-v7.tar.gz');
  assert.equal(expand(release, env({ ...base, TARGETARCH: 'arm64', TARGETVARIANT: '' })).value, 'something-v1.2.3.linux-arm64.tar.gz');
  assert.equal(expand(release, env({ ...base, TARGETARCH: 'arm64' })).value, 'something-v1.2.3.linux-arm64.tar.gz');
});

test('expand: $v and ${v}, unset is empty, quotes and escapes', () => {
  const vars = env({ v: 'val', sp: 'a b' });
  assert.equal(expand('$v ${v} $nope.', vars).value, 'val val .');
  assert.equal(expand('"$v" \'$v\'', vars).value, 'val $v');
  assert.equal(expand('\\$v \\${v}', vars).value, '$v ${v}');
  assert.equal(expand('a\\ b "c\\"d" "e\\f"', vars).value, 'a b c"d e\\f');
  assert.equal(expand('$ $1 $-', vars).value, '$  ');
  assert.equal(expand('${v}x$v_x', vars).value, 'valx');
  assert.equal(expand('$sp', vars).value, 'a b');
});

test('expand: the backtick escape character', () => {
  const vars = env({ v: 'val' });
  assert.equal(expand('`$v $v C:\\dir', vars, '`').value, '$v val C:\\dir');
  assert.equal(expand('"a`"b"', vars, '`').value, 'a"b');
});

test('expand: references carry their spans in the text', () => {
  const r = expand('a $HOME/${DIR:-$FALLBACK}/x', () => undefined);
  assert.deepEqual(
    r.references.map((x) => [x.name, x.range.start, x.range.end, x.nameRange.start, x.nameRange.end, x.modifier]),
    [
      ['HOME', 2, 7, 3, 7, undefined],
      ['DIR', 8, 25, 10, 13, ':-'],
      ['FALLBACK', 15, 24, 16, 24, undefined],
    ],
  );
  assert.equal(r.value, 'a //x');
});

test('expand: malformed input gives problems, never an exception', () => {
  const cases: Array<[string, string]> = [
    ['${', 'missing-brace'],
    ['${}', 'bad-substitution'],
    ['${:a}', 'bad-substitution'],
    ['${a', 'missing-brace'],
    ['${a:-b', 'missing-brace'],
    ['${a b}', 'unsupported-modifier'],
    ['"open', 'unterminated-quote'],
    ["'open", 'unterminated-quote'],
    ['${a#\\x}', 'invalid-pattern'],
    ['${a:-' + '${a:-'.repeat(200), 'too-deeply-nested'],
  ];
  for (const [input, code] of cases) {
    const r = expand(input, () => 'set');
    assert.ok(r.problems.some((p) => p.code === code), `${input}: ${JSON.stringify(r.problems)}`);
  }
});

test('unquote: quotes and escapes removed, variables left as written', () => {
  assert.equal(unquote('"a b"\'c\'\\ d'), 'a bc d');
  assert.equal(unquote('"$HOME"/${X:-y}/$1'), '$HOME/${X:-y}/$1');
  assert.equal(unquote('C:\\\\x', '`'), 'C:\\\\x');
  assert.deepEqual(variableReferences('$A ${B} \\$C').map((r) => r.name), ['A', 'B']);
});

test('expandsVariables: the instructions the builder expands', () => {
  for (const k of ['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG', 'workdir']) {
    assert.equal(expandsVariables(k), true, k);
  }
  for (const k of ['RUN', 'CMD', 'ENTRYPOINT', 'ONBUILD', 'SHELL', 'HEALTHCHECK', 'MAINTAINER']) {
    assert.equal(expandsVariables(k), false, k);
  }
});
