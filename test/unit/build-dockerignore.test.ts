// .dockerignore with Docker's rules: comments, exceptions, wildcards, `**`, parents, last match wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreMatcher, cleanPath, parseDockerignore } from '../../src/engine/build/dockerignore';

function matcher(text: string): IgnoreMatcher {
  return new IgnoreMatcher(parseDockerignore(text));
}

const cases: [string, string, boolean][] = [
  // [.dockerignore, path, excluded]
  ['node_modules', 'node_modules', true],
  ['node_modules', 'node_modules/a/b.js', true],
  ['node_modules', 'src/node_modules', false],
  ['*.md', 'README.md', true],
  ['*.md', 'docs/README.md', false],
  ['**/*.md', 'docs/README.md', true],
  ['**/*.md', 'README.md', true],
  ['docs/**', 'docs/a/b/c.txt', true],
  ['docs/**', 'docsx/a', false],
  ['**', 'anything/at/all', true],
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['a/**/b', 'a/x/y/c', false],
  ['temp?', 'temp1', true],
  ['temp?', 'temp12', false],
  ['temp?', 'temp/x', false],
  ['[ab].txt', 'a.txt', true],
  ['[ab].txt', 'c.txt', false],
  ['[!ab].txt', 'c.txt', true],
  ['[^ab].txt', 'a.txt', false],
  ['/secret', 'secret', true],
  ['./secret/', 'secret/key', true],
  ['a/../b', 'b', true],
  ['*\n!keep.md', 'keep.md', false],
  ['*\n!keep.md', 'drop.md', true],
  ['*.md\n!README.md\nREADME.md', 'README.md', true],
  ['*.md\n!README*.md\nREADME-secret.md', 'README-secret.md', true],
  ['*.md\n!README*.md\nREADME-secret.md', 'README-public.md', false],
  ['# comment\n\n  logs  ', 'logs/x.log', true],
  ['# comment', 'comment', false],
  ['dir\n!dir/keep', 'dir/keep', false],
  ['dir\n!dir/keep', 'dir/drop', true],
  ['file.(x)', 'file.(x)', true],
  ['a+b', 'a+b', true],
  ['a+b', 'aab', false],
  ['\\*literal', '*literal', true],
  ['\\*literal', 'xliteral', false],
];

for (const [ignore, path, excluded] of cases) {
  test(`${JSON.stringify(ignore)} ${excluded ? 'excludes' : 'keeps'} ${path}`, () => {
    assert.equal(matcher(ignore).excludes(path), excluded);
  });
}

test('clean paths as Go does', () => {
  assert.equal(cleanPath('/a//b/./c/../d/'), 'a/b/d');
  assert.equal(cleanPath('./'), '.');
});

test('a walk must enter an excluded folder only when an exception may include something below it', () => {
  assert.equal(matcher('dir\n!dir/keep').mayIncludeBelow('dir'), true);
  assert.equal(matcher('dir\n!other/keep').mayIncludeBelow('dir'), false);
  assert.equal(matcher('dir\n!**/*.go').mayIncludeBelow('dir'), true);
});

test('pathological patterns stay linear', () => {
  const m = matcher('a*a*a*a*a*a*a*a*a*a*a*b\n' + '**/'.repeat(200) + 'x');
  assert.equal(m.excludes('a'.repeat(5000)), false);
  assert.equal(m.excludes('y/'.repeat(2000) + 'z'), false);
});
