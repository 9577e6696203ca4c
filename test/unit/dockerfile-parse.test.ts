// The Dockerfile parser (src/dockerfile/parse.ts): directives, escapes, continuations, comments, exec and
// shell forms, flags, stages, problems, and exact ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsPosition, argsRange, parse, type Range } from '../../src/dockerfile';

const r = (sl: number, sc: number, el: number, ec: number): Range => ({
  start: { line: sl, character: sc },
  end: { line: el, character: ec },
});

test('directives: syntax, escape and check at the top, with ranges', () => {
  const ast = parse('# syntax=docker/dockerfile:1.7\n#  ESCAPE = `\n# check=skip=JSONArgsRecommended;error=true\n\nFROM a\n');
  assert.deepEqual(
    ast.directives.map((d) => [d.name, d.rawName, d.value]),
    [
      ['syntax', 'syntax', 'docker/dockerfile:1.7'],
      ['escape', 'ESCAPE', '`'],
      ['check', 'check', 'skip=JSONArgsRecommended;error=true'],
    ],
  );
  assert.equal(ast.escapeChar, '`');
  const esc = ast.directives[1]!;
  assert.deepEqual(esc.range, r(1, 0, 1, 13));
  assert.deepEqual(esc.nameRange, r(1, 3, 1, 9));
  assert.deepEqual(esc.valueRange, r(1, 12, 1, 13));
  assert.deepEqual(ast.comments, []);
});

test('directives: not after a comment, an empty line or an instruction; unknown ones end them', () => {
  for (const text of [
    '# hello\n# escape=`\nFROM a',
    '\n# escape=`\nFROM a',
    'FROM a\n# escape=`\n',
    '# unknown=x\n# escape=`\nFROM a',
    '#!/usr/bin/env docker\n# escape=`\nFROM a',
  ]) {
    const ast = parse(text);
    assert.deepEqual(ast.directives, [], text);
    assert.equal(ast.escapeChar, '\\', text);
    assert.ok(ast.comments.some((c) => c.text === 'escape=`'), text);
  }
});

test('directives: leading whitespace allowed, as BuildKit trims the line first', () => {
  assert.equal(parse('   # escape=`\nFROM a').escapeChar, '`');
});

test('directives: a bad escape value and a repeated directive are problems', () => {
  const bad = parse('# escape=x\nFROM a \\\n  b');
  assert.deepEqual(bad.problems.map((p) => [p.code, p.message, p.range]), [
    ['invalid-escape-token', "invalid escape token 'x' does not match ` or \\", r(0, 9, 0, 10)],
  ]);
  assert.equal(bad.escapeChar, '\\');
  assert.equal(bad.instructions[0]!.text, 'FROM a   b');
  const twice = parse('# syntax=a\n# syntax=b\nFROM a');
  assert.deepEqual(twice.problems.map((p) => [p.code, p.message]), [['duplicate-directive', 'only one syntax parser directive can be used']]);
  assert.deepEqual(twice.directives.map((d) => d.value), ['a']);
});

test('escapes: the backtick continues lines and a backslash is then plain', () => {
  const ast = parse('# escape=`\nFROM windows\nRUN dir C:\\ `\n  && echo `\n  done\nCOPY a\\ b c:\\ \\\n');
  assert.deepEqual(ast.instructions.map((i) => i.text), [
    'FROM windows',
    'RUN dir C:\\   && echo   done',
    'COPY a\\ b c:\\ \\',
  ]);
  assert.deepEqual(ast.instructions[2]!.args.map((a) => a.value), ['a\\', 'b', 'c:\\', '\\']);
});

test('continuations: joined as BuildKit joins them; a doubled escape does not continue', () => {
  const ast = parse('RUN a \\\n  b\\\nc \\  \nd\nRUN e \\\\\nRUN f');
  assert.deepEqual(ast.instructions.map((i) => i.text), ['RUN a   bc d', 'RUN e \\\\', 'RUN f']);
});

test('continuations: comment lines inside are dropped (and kept as comments), empty lines recorded', () => {
  const ast = parse('FROM a\nRUN one \\\n# a comment\n\n   \n    # indented comment\n  two\n');
  const run = ast.instructions[1]!;
  assert.equal(run.text, 'RUN one   two');
  assert.deepEqual(run.emptyContinuationLines, [r(3, 0, 3, 0), r(4, 0, 4, 3)]);
  assert.deepEqual(ast.comments.map((c) => [c.text, c.range]), [
    ['a comment', r(2, 0, 2, 11)],
    ['indented comment', r(5, 4, 5, 22)],
  ]);
  assert.deepEqual(run.range, r(1, 0, 6, 5));
});

test('continuations: a continuation at the end of the file ends the instruction', () => {
  const ast = parse('FROM a\nRUN x \\');
  assert.equal(ast.instructions[1]!.text, 'RUN x');
  assert.deepEqual(ast.instructions[1]!.range, r(1, 0, 1, 7));
});

test('comments: only whole lines; # inside an instruction is text', () => {
  const ast = parse('# first\nFROM a # not a comment\n  # indented\nRUN echo "#x"\n');
  assert.deepEqual(ast.comments.map((c) => c.text), ['first', 'indented']);
  assert.deepEqual(ast.instructions[0]!.args.map((a) => a.value), ['a', '#', 'not', 'a', 'comment']);
});

test('exec and shell form: JSON arrays of strings, fallback to shell form with jsonError', () => {
  const ast = parse(
    [
      'CMD ["echo", "a b"]',
      "CMD ['echo', 'single']",
      'CMD [ "unterminated"',
      'ENTRYPOINT ["a"] trailing',
      'RUN echo "[x]"',
      'SHELL ["pwsh", "-c"]',
      'CMD []',
      'CMD ["\\u00e9\\n"]',
    ].join('\n'),
  );
  const [exec, single, unterminated, trailing, shell, sh, empty, escaped] = ast.instructions;
  assert.deepEqual(exec!.json, ['echo', 'a b']);
  assert.deepEqual(exec!.args.map((a) => [a.value, a.rawText, a.range]), [
    ['echo', '"echo"', r(0, 5, 0, 11)],
    ['a b', '"a b"', r(0, 13, 0, 18)],
  ]);
  assert.equal(single!.json, undefined);
  assert.equal(single!.jsonError, "invalid character '\\'' looking for beginning of value");
  assert.deepEqual(single!.args.map((a) => a.value), ['[echo,', 'single]']);
  assert.equal(unterminated!.jsonError, 'unexpected EOF');
  assert.deepEqual(trailing!.json, ['a'], 'Go reads one JSON value and ignores the rest');
  assert.equal(shell!.json, undefined);
  assert.equal(shell!.jsonError, undefined);
  assert.deepEqual(shell!.args.map((a) => a.value), ['echo', '[x]']);
  assert.deepEqual(sh!.json, ['pwsh', '-c']);
  assert.deepEqual(empty!.json, []);
  assert.deepEqual(escaped!.json, ['é\n']);
  assert.deepEqual(ast.problems, []);
});

test('exec form: an array of other things than strings is a problem', () => {
  const ast = parse('CMD ["a", 1]\nRUN ["a", ["b"]]\nCMD ["a", {"b": null}]');
  assert.deepEqual(ast.problems.map((p) => p.code), ['json-not-string-array', 'json-not-string-array', 'json-not-string-array']);
  assert.equal(ast.problems[0]!.message, 'when using JSON array syntax, arrays must be comprised of strings only');
  assert.deepEqual(ast.problems[0]!.range, r(0, 4, 0, 12));
});

test('flags: --name=value and --name, quotes removed, ranges of name and value', () => {
  const ast = parse('FROM --platform=$BUILDPLATFORM golang AS build\nCOPY --from=build --chown="a b" --link -- --x /dst\nRUN -x\n');
  const [from, copy, run] = ast.instructions;
  assert.deepEqual(from!.flags.map((f) => [f.name, f.value, f.rawText]), [['platform', '$BUILDPLATFORM', '--platform=$BUILDPLATFORM']]);
  assert.deepEqual(from!.flags[0]!.range, r(0, 5, 0, 30));
  assert.deepEqual(from!.flags[0]!.nameRange, r(0, 7, 0, 15));
  assert.deepEqual(from!.flags[0]!.valueRange, r(0, 16, 0, 30));
  assert.deepEqual(copy!.flags.map((f) => [f.name, f.value]), [
    ['from', 'build'],
    ['chown', 'a b'],
    ['link', undefined],
  ]);
  assert.deepEqual(copy!.flags[1]!.valueRange, r(1, 26, 1, 31));
  assert.equal(copy!.flags[2]!.valueRange, undefined);
  assert.equal(copy!.argsText, '--x /dst');
  assert.deepEqual(run!.flags, []);
  assert.equal(run!.argsText, '-x');
});

test('ranges: keyword, args and argsText across continuation lines', () => {
  const text = 'FROM alpine\n\n  run   --mount=type=cache \\\n\t  apk add \\\n      curl\n';
  const ast = parse(text);
  const run = ast.instructions[1]!;
  assert.equal(run.keyword, 'RUN');
  assert.equal(run.rawKeyword, 'run');
  assert.deepEqual(run.keywordRange, r(2, 2, 2, 5));
  assert.deepEqual(run.range, r(2, 2, 4, 10));
  assert.equal(run.argsText, 'apk add       curl');
  assert.deepEqual(run.argsRange, r(3, 3, 4, 10));
  assert.deepEqual(run.args.map((a) => [a.value, a.range]), [
    ['apk', r(3, 3, 3, 6)],
    ['add', r(3, 7, 3, 10)],
    ['curl', r(4, 6, 4, 10)],
  ]);
  assert.deepEqual(argsRange(run, 4, 17), r(3, 7, 4, 9));
  assert.deepEqual(argsPosition(run, 14), { line: 4, character: 6 });
  assert.deepEqual(argsPosition(run, run.argsText.length), { line: 4, character: 10 });
  const from = ast.instructions[0]!;
  assert.deepEqual([from.keywordRange, from.argsRange, from.range], [r(0, 0, 0, 4), r(0, 5, 0, 11), r(0, 0, 0, 11)]);
});

test('ranges: UTF-16 code units, CRLF, a lone CR as a line break, a BOM', () => {
  const ast = parse('\uFEFFFROM a\r\nLABEL k="😀 é" \\\r\n  x=1\rRUN b');
  assert.deepEqual(ast.instructions.map((i) => i.keyword), ['FROM', 'LABEL']);
  const label = ast.instructions[1]!;
  // BuildKit splits lines only at \n, so the lone \r stays inside LABEL (as whitespace); LSP counts it
  // as a line break, and the positions follow LSP.
  assert.deepEqual(label.args.map((a) => [a.rawText, a.range]), [
    ['k="😀 é"', r(1, 6, 1, 14)],
    ['x=1', r(2, 2, 2, 5)],
    ['RUN', r(3, 0, 3, 3)],
    ['b', r(3, 4, 3, 5)],
  ]);
  assert.deepEqual(label.range, r(1, 0, 3, 5));
  assert.deepEqual(ast.instructions[0]!.range, r(0, 1, 0, 7));
});

test('stages: FROM opens a stage, AS names it; global ARGs belong to none', () => {
  const ast = parse('ARG V=1\nFROM base:$V AS Build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n');
  assert.deepEqual(
    ast.stages.map((s) => [s.index, s.name, s.image, s.instructions.map((i) => i.keyword)]),
    [
      [0, 'Build', 'base:$V', ['RUN']],
      [1, undefined, 'scratch', ['COPY']],
    ],
  );
  assert.deepEqual(ast.stages[0]!.nameRange, r(1, 16, 1, 21));
  assert.deepEqual(ast.stages[0]!.range, r(1, 0, 2, 8));
});

test('ONBUILD: the trigger is an instruction of its own with ranges', () => {
  const ast = parse('FROM a\nONBUILD --x COPY --chown=1 . /app\nONBUILD\n');
  const onbuild = ast.instructions[1]!;
  assert.deepEqual(onbuild.flags.map((f) => f.name), ['x']);
  const trigger = onbuild.onbuild!;
  assert.equal(trigger.keyword, 'COPY');
  assert.deepEqual(trigger.keywordRange, r(1, 12, 1, 16));
  assert.deepEqual(trigger.flags.map((f) => [f.name, f.value, f.range]), [['chown', '1', r(1, 17, 1, 26)]]);
  assert.deepEqual(trigger.args.map((a) => a.value), ['.', '/app']);
  assert.equal(ast.instructions[2]!.onbuild, undefined);
});

test('instructions: unknown keywords and empty arguments are kept', () => {
  const ast = parse('FROM a\nBOGUS x y\nRUN\nhealthcheck --interval=5s CMD ["curl", "-f"]\n');
  assert.deepEqual(ast.instructions.map((i) => [i.keyword, i.argsText]), [
    ['FROM', 'a'],
    ['BOGUS', 'x y'],
    ['RUN', ''],
    ['HEALTHCHECK', 'CMD ["curl", "-f"]'],
  ]);
  const hc = ast.instructions[3]!;
  assert.deepEqual(hc.json, ['curl', '-f']);
  assert.deepEqual(hc.args.map((a) => a.value), ['CMD', 'curl', '-f']);
  assert.deepEqual(ast.instructions[2]!.argsRange, r(2, 3, 2, 3));
});

test('problems: an empty file has no instructions; ENV without value; ENV word without =', () => {
  assert.deepEqual(parse('').problems.map((p) => p.code), ['no-instructions']);
  assert.deepEqual(parse('# only a comment\n\n').problems.map((p) => p.code), ['no-instructions']);
  const ast = parse('FROM a\nENV PATH\nLABEL a=b c\nONBUILD ENV x\n');
  assert.deepEqual(ast.problems.map((p) => [p.code, p.message, p.range]), [
    ['missing-value', 'ENV must have two arguments', r(1, 4, 1, 8)],
    ['missing-equals', 'Syntax error - can\'t find = in "c". Must be of the form: name=value', r(2, 10, 2, 11)],
    ['missing-value', 'ENV must have two arguments', r(3, 12, 3, 13)],
  ]);
});

test('problems: a line longer than BuildKit reads', () => {
  const ast = parse('FROM a\nRUN ' + 'é'.repeat(40_000));
  assert.deepEqual(ast.problems.map((p) => p.code), ['line-too-long']);
});

test('parse never throws, whatever it is given', () => {
  for (const junk of ['\0\0\0', '\\', '`', '"', "'", '[', '<<', '\r\r\r', '\ud800', '${', 'RUN <<EOF', ' \\\n\\\n']) {
    assert.doesNotThrow(() => parse(junk));
  }
  assert.doesNotThrow(() => parse(undefined as unknown as string));
  assert.doesNotThrow(() => parse(42 as unknown as string));
});
