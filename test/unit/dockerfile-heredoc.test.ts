// Here-documents. The first tests port BuildKit's `frontend/dockerfile/parser/parser_heredoc_test.go`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/dockerfile';
import { chompHeredocContent, heredocMarkerOf, heredocMarkers } from '../../src/dockerfile/heredoc';

test('heredocs: BuildKit TestParseExtractsHeredoc', () => {
  const dockerfile = `
FROM alpine:3.6

ENV NAME=me

RUN ls

USER <<INVALID
INVALID

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN "<<NOHEREDOC"

RUN <<INDENT
\tfoo
\tbar
INDENT

RUN <<-UNINDENT
\tbaz
\tquux
UNINDENT

RUN <<-UNINDENT2
\tbaz
\tquux
\tUNINDENT2

RUN <<-EXPAND
\texpand $NAME
EXPAND

RUN <<-'NOEXPAND'
\tdon't expand $NAME
NOEXPAND

RUN <<COPY
echo hello world
echo foo bar
COPY

RUN <<COMMENT
# internal comment
echo hello world
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<X <<Y /dest
Y
X
X
Y
\t`;
  type H = { name: string; content: string; expand: boolean; chomp?: boolean; fd?: number };
  const expected: Array<H[] | null> = [
    null, // ENV
    null, // RUN ls
    null, // USER <<INVALID
    null, // INVALID
    [{ name: 'EMPTY', content: '', expand: true }],
    [{ name: 'EMPTY2', content: '', expand: true, fd: 3 }],
    null, // RUN "<<NOHEREDOC"
    [{ name: 'INDENT', content: '\tfoo\n\tbar\n', expand: true }],
    [{ name: 'UNINDENT', content: '\tbaz\n\tquux\n', expand: true, chomp: true }],
    [{ name: 'UNINDENT2', content: '\tbaz\n\tquux\n', expand: true, chomp: true }],
    [{ name: 'EXPAND', content: '\texpand $NAME\n', expand: true, chomp: true }],
    [{ name: 'NOEXPAND', content: "\tdon't expand $NAME\n", expand: false, chomp: true }],
    [{ name: 'COPY', content: 'echo hello world\necho foo bar\n', expand: true }],
    [{ name: 'COMMENT', content: '# internal comment\necho hello world\necho foo bar # trailing comment\n', expand: true }],
    [{ name: 'MOUNT', content: 'echo hello\n', expand: true }],
    [
      { name: 'FILE1', content: 'content 1\n', expand: true },
      { name: 'FILE2', content: 'content 2\n', expand: true },
    ],
    [
      { name: 'X', content: 'Y\n', expand: true },
      { name: 'Y', content: 'X\n', expand: true },
    ],
  ];
  const ast = parse(dockerfile);
  assert.deepEqual(ast.problems, []);
  assert.equal(ast.instructions.length, expected.length + 1);
  expected.forEach((want, i) => {
    const got = ast.instructions[i + 1]!.heredocs.map((h) => ({
      name: h.name,
      content: h.rawContent,
      expand: !h.quoted,
      chomp: h.chomp,
      fd: h.fileDescriptor,
    }));
    const norm = (want ?? []).map((h) => ({ chomp: false, fd: 0, ...h }));
    assert.deepEqual(got, norm, ast.instructions[i + 1]!.text);
  });
  // <<- strips the tabs of the content too.
  assert.equal(ast.instructions[9]!.heredocs[0]!.content, 'baz\nquux\n');
});

test('heredocs: not in exec form (BuildKit TestParseJSONHeredoc)', () => {
  const ast = parse('\nFROM alpine:3.6\n\nRUN ["whoami"]\nRUN ["<<EOF"]\nRUN ["<<\'EOF\'"]\n\t');
  assert.equal(ast.instructions.length, 4);
  for (const i of ast.instructions) assert.deepEqual(i.heredocs, []);
});

test('heredocs: chomp removes leading tabs of every line (BuildKit TestHeredocChomp)', () => {
  assert.equal(chompHeredocContent('\thello\n\tworld\n'), 'hello\nworld\n');
  assert.equal(chompHeredocContent('\t\ta\n b\n\t'), 'a\n b\n');
});

test('heredocs: openers (BuildKit TestParseHeredocHelpers)', () => {
  for (const src of ['<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', "<<-'EOF'", '<<-"EOF"']) {
    const m = heredocMarkerOf(src);
    assert.ok(m && 'name' in m && m.name === 'EOF', src);
  }
  for (const src of ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"']) {
    const m = heredocMarkerOf(src);
    assert.ok(m && 'error' in m, src);
  }
  for (const src of ['', 'EOF', '<<', '<<-', '<EOF', '<<<EOF']) assert.equal(heredocMarkerOf(src), undefined, src);
});

test('heredocs: openers found in a line (BuildKit TestHeredocsFromLine)', () => {
  const cases: Array<[string, string[]]> = [
    ['RUN <<EOF', ['EOF']],
    ['RUN <<-EOF', ['EOF']],
    ["RUN <<'EOF'", ['EOF']],
    ['RUN 4<<EOF', ['EOF']],
    ['RUN <<EOF <<EOF2', ['EOF', 'EOF2']],
    ["RUN '<<EOF'", []],
    ['RUN "<<EOF"', []],
  ];
  for (const [line, names] of cases) assert.deepEqual(heredocMarkers(line).markers.map((m) => m.name), names, line);
});

test('heredocs: only RUN, COPY, ADD (and an ONBUILD of one) take them; elsewhere << is text', () => {
  const ast = parse('FROM a\nCMD cat <<EOF\nLABEL a=<<EOF\nADD <<EOF /x\nhi\nEOF\nONBUILD RUN <<EOF\necho\nEOF\n');
  assert.deepEqual(
    ast.instructions.map((i) => [i.keyword, i.heredocs.map((h) => h.content)]),
    [
      ['FROM', []],
      ['CMD', []],
      ['LABEL', []],
      ['ADD', [['hi\n']].flat()],
      ['ONBUILD', ['echo\n']],
    ],
  );
});

test('heredocs: ranges of marker, content and terminator; the instruction covers them', () => {
  const text = 'FROM a\nRUN <<-EOT cat\n\tline 1\n\tline 2\n\tEOT\nRUN x\n';
  const ast = parse(text);
  const run = ast.instructions[1]!;
  const h = run.heredocs[0]!;
  assert.deepEqual(h.markerRange, { start: { line: 1, character: 4 }, end: { line: 1, character: 10 } });
  assert.deepEqual(h.contentRange, { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } });
  assert.deepEqual(h.terminatorRange, { start: { line: 4, character: 1 }, end: { line: 4, character: 4 } });
  assert.equal(h.rawContent, '\tline 1\n\tline 2\n');
  assert.equal(h.content, 'line 1\nline 2\n');
  assert.deepEqual(run.range, { start: { line: 1, character: 0 }, end: { line: 4, character: 4 } });
  assert.equal(ast.instructions[2]!.text, 'RUN x');
});

test('heredocs: CRLF line endings stay in the content and do not hide the terminator', () => {
  const ast = parse('FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nRUN x\r\n');
  assert.deepEqual(ast.problems, []);
  assert.equal(ast.instructions[1]!.heredocs[0]!.content, 'echo hi\r\n');
  assert.equal(ast.instructions.length, 3);
});

test('heredocs: an unterminated heredoc is a problem, its content runs to the end', () => {
  const ast = parse('FROM a\nRUN <<EOF\necho hi\nEOT');
  assert.deepEqual(
    ast.problems.map((p) => [p.code, p.range]),
    [['unterminated-heredoc', { start: { line: 1, character: 4 }, end: { line: 1, character: 9 } }]],
  );
  const h = ast.instructions[1]!.heredocs[0]!;
  assert.equal(h.content, 'echo hi\nEOT');
  assert.equal(h.terminatorRange, undefined);
  assert.deepEqual(ast.instructions[1]!.range.end, { line: 3, character: 3 });
});

test('heredocs: an opener with an unbalanced quote is no opener (the line does not lex, as in BuildKit)', () => {
  const ast = parse("FROM a\nRUN <<'EOF\necho\nEOF\n");
  assert.deepEqual(ast.problems, []);
  assert.deepEqual(ast.instructions.map((i) => [i.keyword, i.heredocs.length]), [
    ['FROM', 0],
    ['RUN', 0],
    ['ECHO', 0],
    ['EOF', 0],
  ]);
});

test('heredocs: a heredoc after continuation lines starts after the last of them', () => {
  const ast = parse('FROM a\nRUN <<EOF \\\n  bash\nset -e\nEOF\n');
  const run = ast.instructions[1]!;
  assert.equal(run.text, 'RUN <<EOF   bash');
  assert.equal(run.heredocs[0]!.content, 'set -e\n');
});

test('heredocs: each opener form', () => {
  const ast = parse(
    'FROM a\nRUN <<EOF <<-TABS <<"DQ" <<\'SQ\' 2<<FD\nplain $X\nEOF\n\t\ttabbed\n\tTABS\n$dq\nDQ\n$sq\nSQ\nfd\nFD\n',
  );
  assert.deepEqual(ast.problems, []);
  assert.deepEqual(
    ast.instructions[1]!.heredocs.map((h) => [h.name, h.quoted, h.chomp, h.fileDescriptor, h.content]),
    [
      ['EOF', false, false, 0, 'plain $X\n'],
      ['TABS', false, true, 0, 'tabbed\n'],
      ['DQ', true, false, 0, '$dq\n'],
      ['SQ', true, false, 0, '$sq\n'],
      ['FD', false, false, 2, 'fd\n'],
    ],
  );
});
