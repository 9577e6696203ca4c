import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../../src/engine/errors';
import {
  familiarRepository,
  familiarString,
  formatReference,
  matchesFamiliarPattern,
  parseReference,
  parseRepository,
  repositoryOf,
  tryParseReference,
  withDefaultTag,
} from '../../src/engine/ref/reference';

const H = '7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';
const H512 = 'f'.repeat(128);

const FORMAT = { error: 'invalid reference format' };
const LOWERCASE = { error: 'invalid reference format: repository name must be lowercase' };
const TOO_LONG = { error: 'repository name must not be more than 255 characters' };

/** input -> formatReference(parseReference(input)), or the error message. */
const table: Array<[string, string | { error: string }]> = [
  // Docker Hub names and their normalization
  ['ubuntu', 'docker.io/library/ubuntu'],
  ['ubuntu:14.04', 'docker.io/library/ubuntu:14.04'],
  ['ubuntu:latest', 'docker.io/library/ubuntu:latest'],
  ['library/ubuntu', 'docker.io/library/ubuntu'],
  ['docker.io/ubuntu', 'docker.io/library/ubuntu'],
  ['docker.io/library/ubuntu:14.04', 'docker.io/library/ubuntu:14.04'],
  ['index.docker.io/ubuntu', 'docker.io/library/ubuntu'],
  ['index.docker.io/user/x', 'docker.io/user/x'],
  ['registry.hub.docker.com/ubuntu:14.04', 'docker.io/library/ubuntu:14.04'],
  ['registry.hub.docker.com/user/x', 'docker.io/user/x'],
  ['user/x', 'docker.io/user/x'],
  ['user/x:1.0', 'docker.io/user/x:1.0'],
  ['a/b/c', 'docker.io/a/b/c'],
  ['library/foo/bar', 'docker.io/library/foo/bar'],
  ['test_com/foo', 'docker.io/test_com/foo'],
  // other registries
  ['hub.c.163.com/public/ubuntu:14.04', 'hub.c.163.com/public/ubuntu:14.04'],
  ['dl.dockerpool.com:5000/ubuntu:12.04', 'dl.dockerpool.com:5000/ubuntu:12.04'],
  ['localhost:5000/x', 'localhost:5000/x'],
  ['localhost/x', 'localhost/x'],
  ['localhost', 'docker.io/library/localhost'],
  ['localhost:5000', 'docker.io/library/localhost:5000'],
  ['example.com', 'docker.io/library/example.com'],
  ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080'],
  ['test:5000/repo', 'test:5000/repo'],
  ['a:5000/b', 'a:5000/b'],
  ['127.0.0.1:5000/a/b:c', '127.0.0.1:5000/a/b:c'],
  ['192.168.1.1/repo', '192.168.1.1/repo'],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
  ['[::1]:5000/x', '[::1]:5000/x'],
  ['[::1]/x', '[::1]/x'],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag'],
  ['[2001:DB8::1]/repo', '[2001:DB8::1]/repo'],
  ['[fe80::1%eth0]:5000/x', FORMAT],
  ['[2001:db8::1]', FORMAT],
  ['[2001:db8::1]:5000', FORMAT],
  ['[]/x', FORMAT],
  ['::1/x', FORMAT],
  ['-docker.io/x', FORMAT],
  ['docker-.io/x', FORMAT],
  ['a_b.com/x', FORMAT],
  ['example.com:/x', FORMAT],
  ['example.com:50a/x', FORMAT],
  ['https://github.com/docker/docker', FORMAT],
  // upper case: allowed in the domain and the tag, never in the path
  ['Example.com/x', 'Example.com/x'],
  ['EXAMPLE.COM:5000/x:TAG', 'EXAMPLE.COM:5000/x:TAG'],
  ['ubuntu:TAG', 'docker.io/library/ubuntu:TAG'],
  ['example.com/X', LOWERCASE],
  ['Ubuntu', LOWERCASE],
  ['UPPER', LOWERCASE],
  ['UPPER:tag', LOWERCASE],
  ['user/Repo', LOWERCASE],
  ['Foo/bar', LOWERCASE],
  ['localhost:5000/Uppercase/lowercase:tag', LOWERCASE],
  ['EXAMPLE_X.com/x', { error: 'repository name must be lowercase' }],
  // empty and misplaced separators
  ['', FORMAT],
  [':tag', FORMAT],
  ['a:', FORMAT],
  ['a:b:c', FORMAT],
  ['ubuntu:14.04:1', FORMAT],
  ['a//b', FORMAT],
  ['a/', FORMAT],
  ['/a', FORMAT],
  ['a/b:c/d', FORMAT],
  [`@sha256:${H}`, FORMAT],
  ['a@', FORMAT],
  ['a@b@c', FORMAT],
  // path components and separators
  ['a_b', 'docker.io/library/a_b'],
  ['a__b', 'docker.io/library/a__b'],
  ['a___b', FORMAT],
  ['a.b', 'docker.io/library/a.b'],
  ['a..b', FORMAT],
  ['a-b', 'docker.io/library/a-b'],
  ['a--b', 'docker.io/library/a--b'],
  ['a---b/c', 'docker.io/a---b/c'],
  ['a_.b', FORMAT],
  ['a-_b', FORMAT],
  ['-a', FORMAT],
  ['a-', FORMAT],
  ['a.', FORMAT],
  ['.a', FORMAT],
  ['_a', FORMAT],
  ['a$b', FORMAT],
  ['1', 'docker.io/library/1'],
  // whitespace is never part of a reference
  ['ubuntu ', FORMAT],
  [' ubuntu', FORMAT],
  ['ubuntu:14.04 ', FORMAT],
  ['ubu ntu', FORMAT],
  // tags
  [`a:${'x'.repeat(128)}`, `docker.io/library/a:${'x'.repeat(128)}`],
  [`a:${'x'.repeat(129)}`, FORMAT],
  ['a:_tag', 'docker.io/library/a:_tag'],
  ['a:t.a-g_1', 'docker.io/library/a:t.a-g_1'],
  ['a:.tag', FORMAT],
  ['a:-tag', FORMAT],
  ['a:ta/g', FORMAT],
  // digests
  [`name@sha256:${H}`, `docker.io/library/name@sha256:${H}`],
  [`name:tag@sha256:${H}`, `docker.io/library/name:tag@sha256:${H}`],
  [`localhost:5000/x@sha256:${H}`, `localhost:5000/x@sha256:${H}`],
  [`docker.io/library/ubuntu:latest@sha256:${H}`, `docker.io/library/ubuntu:latest@sha256:${H}`],
  [`name@sha512:${H512}`, `docker.io/library/name@sha512:${H512}`],
  [`name@sha256:${H.slice(0, 40)}`, { error: 'invalid checksum digest length' }],
  [`name@sha256:${H}ab`, { error: 'invalid checksum digest length' }],
  [`name@sha256:${'a'.repeat(31)}`, FORMAT],
  [`name@sha256:${H.toUpperCase()}`, { error: 'invalid checksum digest format' }],
  [`name:tag@SHA256:${H}`, { error: 'invalid checksum digest format' }],
  [`name@SHA256:${H}`, LOWERCASE],
  [`name@md5:${'0'.repeat(32)}`, { error: 'unsupported digest algorithm' }],
  [`name@sha256:${H.slice(0, 63)}g`, FORMAT],
  ['name@sha256:', FORMAT],
  [`name@sha256-:${H}`, FORMAT],
  // a bare 64-hex digest after '@' reads as sha256 (deliberate; Docker refuses it)
  [`name@${H}`, `docker.io/library/name@sha256:${H}`],
  [`name:tag@${H}`, `docker.io/library/name:tag@sha256:${H}`],
  [`name@${H.slice(0, 63)}`, FORMAT],
  // 64-hex names are image ids, not names
  [H, { error: `invalid repository name (${H}), cannot specify 64-byte hexadecimal strings` }],
  [`docker.io/${H}`, `docker.io/library/${H}`],
  [H.slice(0, 63), `docker.io/library/${H.slice(0, 63)}`],
  // length of the path (the domain does not count)
  ['a'.repeat(247), `docker.io/library/${'a'.repeat(247)}`],
  ['a'.repeat(248), TOO_LONG],
  [`localhost/${'a'.repeat(255)}`, `localhost/${'a'.repeat(255)}`],
  [`localhost/${'a'.repeat(256)}`, TOO_LONG],
  [`${'a/'.repeat(127)}a:tag`, `docker.io/${'a/'.repeat(127)}a:tag`],
  [`${'a/'.repeat(128)}a:tag`, TOO_LONG],
];

test('reference table', () => {
  assert.ok(table.length >= 70);
  for (const [input, expected] of table) {
    const r = tryParseReference(input);
    if (typeof expected === 'string') {
      assert.ok(r.ok, `${JSON.stringify(input)} should parse, got ${r.ok ? '' : r.message}`);
      assert.equal(formatReference(r.ref), expected, JSON.stringify(input));
    } else {
      assert.deepEqual(r.ok ? formatReference(r.ref) : { error: r.message }, expected, JSON.stringify(input));
    }
  }
});

test('the normal and the familiar forms parse back to the same reference', () => {
  for (const [input, expected] of table) {
    if (typeof expected !== 'string') continue;
    const r = parseReference(input);
    assert.deepEqual(parseReference(formatReference(r)), r, input);
    // As with Docker, the familiar form of docker.io/library/<64 hex> is an image id, not a name.
    if (familiarString(r) === H) assert.equal(tryParseReference(H).ok, false);
    else assert.deepEqual(parseReference(familiarString(r)), r, input);
  }
});

test('parts of a reference', () => {
  assert.deepEqual(parseReference('ubuntu'), { domain: 'docker.io', path: 'library/ubuntu' });
  assert.deepEqual(parseReference('[::1]:5000/x:1'), { domain: '[::1]:5000', path: 'x', tag: '1' });
  assert.deepEqual(parseReference(`hub.c.163.com/public/ubuntu:14.04@sha256:${H}`), {
    domain: 'hub.c.163.com',
    path: 'public/ubuntu',
    tag: '14.04',
    digest: `sha256:${H}`,
  });
  assert.equal(parseReference('ubuntu').tag, undefined);
});

test('parseReference throws INVALID_REFERENCE with the message', () => {
  assert.throws(
    () => parseReference('UPPER'),
    (e: unknown) => isBerthError(e, 'INVALID_REFERENCE') && e.message === 'invalid reference format: repository name must be lowercase',
  );
});

test('tryParseReference never throws', () => {
  for (const s of [undefined, null, 42, {}, '\u0000', '\uD800', '@', ':', '/', '[', ']', '[:', 'a@sha256:' + 'A'.repeat(64)]) {
    const r = tryParseReference(s as string);
    assert.equal(r.ok, false);
  }
});

test('pathological 100 KB inputs return promptly', () => {
  const n = 100_000;
  const inputs = [
    'a' + '-a'.repeat(n / 2) + '!',
    'a' + '_a'.repeat(n / 2) + '__',
    'a.'.repeat(n / 2) + '.',
    'a/'.repeat(n / 2) + '/',
    'a/'.repeat(n / 2) + 'A',
    'a'.repeat(n) + ':',
    'a:' + 'b'.repeat(n),
    '[' + ':'.repeat(n) + '/x',
    'a'.repeat(n / 2) + '.' + '-'.repeat(n / 2) + '/x',
    'x@' + 'a'.repeat(n) + ':' + 'f'.repeat(n),
    'x@a' + '-a'.repeat(n / 2) + ':' + 'g',
    'A'.repeat(n),
    '@'.repeat(n),
    ':'.repeat(n),
  ];
  for (const s of inputs) {
    const r = tryParseReference(s);
    assert.equal(r.ok, false, s.slice(0, 20));
  }
  assert.equal(tryParseReference('a'.repeat(n)).ok, false);
});

test('withDefaultTag adds latest only when there is neither tag nor digest', () => {
  const bare = parseReference('ubuntu');
  assert.equal(formatReference(withDefaultTag(bare)), 'docker.io/library/ubuntu:latest');
  assert.equal(bare.tag, undefined, 'the input is not changed');
  assert.equal(formatReference(withDefaultTag(parseReference('ubuntu:14.04'))), 'docker.io/library/ubuntu:14.04');
  assert.equal(formatReference(withDefaultTag(parseReference(`ubuntu@sha256:${H}`))), `docker.io/library/ubuntu@sha256:${H}`);
  assert.equal(formatReference(withDefaultTag(parseReference('localhost:5000/x'))), 'localhost:5000/x:latest');
});

test('repositoryOf and familiarRepository', () => {
  const cases: Array<[string, string, string]> = [
    ['ubuntu:14.04', 'docker.io/library/ubuntu', 'ubuntu'],
    ['docker.io/library/ubuntu', 'docker.io/library/ubuntu', 'ubuntu'],
    ['registry.hub.docker.com/ubuntu:14.04', 'docker.io/library/ubuntu', 'ubuntu'],
    ['index.docker.io/user/x', 'docker.io/user/x', 'user/x'],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar'],
    ['other/library', 'docker.io/other/library', 'other/library'],
    ['localhost:5000/x:1', 'localhost:5000/x', 'localhost:5000/x'],
    ['localhost/x', 'localhost/x', 'localhost/x'],
    ['[::1]:5000/x', '[::1]:5000/x', '[::1]:5000/x'],
    ['hub.c.163.com/public/ubuntu:14.04', 'hub.c.163.com/public/ubuntu', 'hub.c.163.com/public/ubuntu'],
  ];
  for (const [input, repository, familiar] of cases) {
    const r = parseReference(input);
    assert.equal(repositoryOf(r), repository, input);
    assert.equal(familiarRepository(r), familiar, input);
  }
});

test('familiarString', () => {
  const cases: Array<[string, string]> = [
    ['ubuntu', 'ubuntu'],
    ['docker.io/library/ubuntu:14.04', 'ubuntu:14.04'],
    ['registry.hub.docker.com/ubuntu:14.04', 'ubuntu:14.04'],
    ['user/x:1', 'user/x:1'],
    [`busybox:latest@sha256:${H}`, `busybox:latest@sha256:${H}`],
    [`localhost:5000/x@sha256:${H}`, `localhost:5000/x@sha256:${H}`],
    [`ubuntu@${H}`, `ubuntu@sha256:${H}`],
    ['hub.c.163.com/public/ubuntu:14.04', 'hub.c.163.com/public/ubuntu:14.04'],
  ];
  for (const [input, expected] of cases) assert.equal(familiarString(parseReference(input)), expected, input);
  assert.equal(familiarString(withDefaultTag(parseReference('ubuntu'))), 'ubuntu:latest');
});

test('parseRepository normalizes a name and refuses a tag or digest', () => {
  assert.equal(parseRepository('ubuntu'), 'docker.io/library/ubuntu');
  assert.equal(parseRepository('user/x'), 'docker.io/user/x');
  assert.equal(parseRepository('index.docker.io/ubuntu'), 'docker.io/library/ubuntu');
  assert.equal(parseRepository('localhost:5000/x'), 'localhost:5000/x');
  for (const s of ['ubuntu:14.04', `ubuntu@sha256:${H}`, 'localhost:5000']) {
    assert.throws(() => parseRepository(s), (e: unknown) => isBerthError(e, 'INVALID_REFERENCE') && e.message.includes('tag or digest'), s);
  }
  assert.throws(() => parseRepository('UPPER'), /repository name must be lowercase/);
  assert.throws(() => parseRepository(''), /^BerthError: invalid reference format$/);
});

test('matchesFamiliarPattern matches like docker images --filter reference=', () => {
  const cases: Array<[string, string, boolean]> = [
    // from distribution/reference TestMatch
    ['foo', 'foo/**/ba[rz]', false],
    ['foo/any/bat', 'foo/**/ba[rz]', false],
    ['foo/a/bar', 'foo/**/ba[rz]', true],
    ['foo/b/baz', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/*/baz:tag', true],
    ['foo/c/baz:tag', 'foo/c/baz:tag', true],
    ['example.com/foo/c/baz:tag', '*/foo/c/baz', true],
    ['example.com/foo/c/baz:tag', 'example.com/foo/c/baz', true],
    // familiar forms only
    ['ubuntu:14.04', 'ubuntu', true],
    ['ubuntu:14.04', 'ubuntu:14.*', true],
    ['ubuntu:14.04', 'ubuntu:15*', false],
    ['ubuntu:14.04', 'ubu*', true],
    ['ubuntu:14.04', 'docker.io/library/ubuntu', false],
    ['ubuntu:14.04', 'library/ubuntu', false],
    ['ubuntu:latest', '*', true],
    ['user/x:1', '*', false],
    ['user/x:1', '*/*', true],
    ['user/x:1', 'user/?', true],
    ['user/x:1', 'user/[^x]', false],
    ['localhost:5000/x:1', 'localhost:5000/*', true],
    ['localhost:5000/x:1', 'localhost:5000/x:[0-9]', true],
    [`ubuntu@sha256:${H}`, 'ubuntu', true],
    ['ubuntu:14.04', 'ubuntu:14\\.04', true],
  ];
  for (const [input, pattern, expected] of cases) {
    assert.equal(matchesFamiliarPattern(parseReference(input), pattern), expected, `${input} ~ ${pattern}`);
  }
  for (const bad of ['[-x]', 'ubuntu\\', '[', 'a[]']) {
    assert.throws(() => matchesFamiliarPattern(parseReference('ubuntu'), bad), (e: unknown) => isBerthError(e, 'INVALID_ARGUMENT'), bad);
  }
});
