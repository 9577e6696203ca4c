// Formatting Dockerfiles (src/dockerfile/features/format.ts): keywords upper-cased, lines aligned, blanks
// trimmed, and nothing else: the formatted file parses to the same instructions, and formatting it again
// gives no edits, over table cases, the parser's conformance fixtures and random Dockerfiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseKeyValues, type DockerfileAst, type Instruction, type Range } from '../../src/dockerfile';
import { format, formatRange } from '../../src/dockerfile/features/format';
import type { FormatOptions, TextEdit } from '../../src/dockerfile/features/types';
import { lineIndex } from '../../src/dockerfile/position';
import { rng } from '../helpers/dockerfile-gen';
import { fixtureFiles } from '../helpers/dockerfile-text';

const SPACES4: FormatOptions = { tabSize: 4, insertSpaces: true };
const SPACES2: FormatOptions = { tabSize: 2, insertSpaces: true };
const TAB: FormatOptions = { tabSize: 4, insertSpaces: false };

function offsetOf(text: string, p: { line: number; character: number }): number {
  return lineIndex(text).lineStarts[p.line]! + p.character;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  let previousStart = Infinity;
  for (const e of [...edits].reverse()) {
    const start = offsetOf(text, e.range.start);
    const end = offsetOf(text, e.range.end);
    assert.ok(start <= end && end <= previousStart, `edits are sorted and do not overlap: ${JSON.stringify(edits)}`);
    previousStart = start;
    out = out.slice(0, start) + e.newText + out.slice(end);
  }
  return out;
}

function formatted(text: string, options: FormatOptions = SPACES4): string {
  return applyEdits(text, format(parse(text), text, options));
}

/** The values BuildKit's parser makes of an instruction (what building it means), blanks at joins aside. */
function meaning(i: Instruction, escape: DockerfileAst['escapeChar']): unknown {
  const base = {
    keyword: i.keyword,
    flags: i.flags.map((f) => [f.name, f.value]),
    json: i.json,
    heredocs: i.heredocs.map((h) => [h.name, h.quoted, h.chomp, h.fileDescriptor, h.content, h.rawContent]),
  };
  if (i.keyword === 'ONBUILD') return { ...base, trigger: i.onbuild && meaning(i.onbuild, escape) };
  const kv = i.keyword === 'ENV' || i.keyword === 'LABEL' ? parseKeyValues(i, escape) : undefined;
  const pairs = kv?.pairs.map((p) => [p.key, p.value]) ?? [];
  const whole = ['WORKDIR', 'USER', 'STOPSIGNAL', 'MAINTAINER'].includes(i.keyword) || kv?.legacy ? i.argsText : undefined;
  return { ...base, args: i.args.map((a) => a.value), pairs, whole };
}

function meaningOf(ast: DockerfileAst): unknown {
  return {
    escape: ast.escapeChar,
    directives: ast.directives.map((d) => [d.name, d.value]),
    comments: ast.comments.map((c) => c.text),
    problems: ast.problems.map((p) => p.code),
    instructions: ast.instructions.map((i) => meaning(i, ast.escapeChar)),
    stages: ast.stages.map((s) => [s.name, s.image, s.instructions.length]),
  };
}

/** Formats `text`, checks that the result means the same and is a fixed point; returns it. */
function checkFormat(text: string, options: FormatOptions, label: string): string {
  const once = formatted(text, options);
  assert.deepEqual(meaningOf(parse(once)), meaningOf(parse(text)), `${label}: same instructions after formatting\n${JSON.stringify(text)}\n${JSON.stringify(once)}`);
  assert.deepEqual(format(parse(once), once, options), [], `${label}: formatting is idempotent\n${JSON.stringify(once)}`);
  return once;
}

const cases: { name: string; input: string; output: string; options?: FormatOptions }[] = [
  {
    name: 'keywords upper-cased, arguments (AS, values) as written',
    input: 'from Alpine:3 as Build\nrun Echo HI\ncopy --from=Build /a /b\n',
    output: 'FROM Alpine:3 as Build\nRUN Echo HI\nCOPY --from=Build /a /b\n',
  },
  {
    name: 'leading blanks before instructions and comments removed, trailing blanks removed',
    input: '   FROM a  \n\t# note  \n  \t\n\tRUN x\t \n',
    output: 'FROM a\n# note\n\nRUN x\n',
  },
  {
    name: 'continuation lines indented by one unit (spaces)',
    input: 'RUN apt-get update && \\\napt-get install -y \\\n        curl \\\n  git\n',
    output: 'RUN apt-get update && \\\n    apt-get install -y \\\n    curl \\\n    git\n',
  },
  {
    name: 'continuation lines indented by a tab',
    input: 'RUN a \\\n  b \\\n c\n',
    output: 'RUN a \\\n\tb \\\n\tc\n',
    options: TAB,
  },
  {
    name: 'continuation lines indented by tabSize spaces',
    input: 'RUN a \\\n\tb\n',
    output: 'RUN a \\\n  b\n',
    options: SPACES2,
  },
  {
    name: 'a join inside a word is left alone (indenting would split the word)',
    input: 'RUN echo hello\\\nworld \\\n    again\n',
    output: 'RUN echo hello\\\nworld \\\n    again\n',
  },
  {
    name: 'a join inside quotes is left alone',
    input: 'RUN echo "a \\\n   b" \\\n  && echo \'c \\\n d\'\n',
    output: 'RUN echo "a \\\n   b" \\\n    && echo \'c \\\n d\'\n',
  },
  {
    name: 'JSON strings are left alone, blanks between them are not',
    input: 'CMD ["a", \\\n"b \\\n  c", \\\n      "d"]\n',
    output: 'CMD ["a", \\\n    "b \\\n  c", \\\n    "d"]\n',
  },
  {
    name: 'comments and blank lines inside a continuation: indented and emptied, text kept',
    input: 'RUN a \\\n#   keep   this  \n   \n  b\n',
    output: 'RUN a \\\n    #   keep   this\n\n    b\n',
  },
  {
    name: 'heredoc bodies and terminators are not touched',
    input: 'run <<EOF  \n   echo  a   \n\tEOF\nEOF\ncopy <<-END /x\n\t\tbody  \n\tEND\n   RUN b\n',
    output: 'RUN <<EOF\n   echo  a   \n\tEOF\nEOF\nCOPY <<-END /x\n\t\tbody  \n\tEND\nRUN b\n',
  },
  {
    name: 'a heredoc after continuation lines',
    input: 'RUN --mount=type=cache,target=/c \\\n  <<EOF\n  x \\\nEOF\n',
    output: 'RUN --mount=type=cache,target=/c \\\n    <<EOF\n  x \\\nEOF\n',
  },
  {
    name: 'values that keep their blanks (WORKDIR, legacy ENV) keep their continuation lines',
    input: 'WORKDIR /a \\\n  b\nENV MSG hello \\\n  world\nENV A=1 \\\n  B=2\nlabel x y \\\n z\n',
    output: 'WORKDIR /a \\\n  b\nENV MSG hello \\\n  world\nENV A=1 \\\n    B=2\nLABEL x y \\\n z\n',
  },
  {
    name: 'escape=` : backtick continues lines, backslash is plain, the directive is kept',
    input: '# escape=`  \n\nfrom mcr.microsoft.com/windows/servercore\nrun dir c:\\ `\n  && echo "x `\n y"\ncopy a c:\\\n',
    output: '# escape=`  \n\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo "x `\n y"\nCOPY a c:\\\n',
  },
  {
    name: 'CRLF line endings are kept',
    input: 'from a\r\n  run b \\\r\ncd  \r\n\r\n  # c  \r\n',
    output: 'FROM a\r\nRUN b \\\r\n    cd\r\n\r\n# c\r\n',
  },
  {
    name: 'ONBUILD: its keyword and its trigger keyword',
    input: 'FROM a\nonbuild run echo \\\n   hi\nonbuild \\\n  copy . /\n',
    output: 'FROM a\nONBUILD RUN echo \\\n    hi\nONBUILD \\\n    COPY . /\n',
  },
  {
    name: 'blanks after the escape character go, a form feed after it stays (it is not a continuation)',
    input: 'RUN a \\  \t\n  b\nRUN c \\\f\n',
    output: 'RUN a \\\n    b\nRUN c \\\f\n',
  },
  {
    name: 'a continuation line of only the escape character',
    input: 'RUN echo hi \\\n \\\n world \\\n\\\n good\\\n\\\nnight\n',
    output: 'RUN echo hi \\\n    \\\n    world \\\n    \\\n    good\\\n\\\nnight\n',
  },
  {
    name: 'flags spread over lines',
    input: 'COPY --chown=a:b \\\n   --chmod=644 \\\n      src /dst\n',
    output: 'COPY --chown=a:b \\\n    --chmod=644 \\\n    src /dst\n',
  },
  {
    name: 'a keyword cut by a continuation is left as written',
    input: 'ru\\\nn echo\n',
    output: 'ru\\\nn echo\n',
  },
  {
    name: 'a byte order mark stays first',
    input: '\uFEFF  from a\n',
    output: '\uFEFFFROM a\n',
  },
  {
    name: 'a byte order mark after blanks is not moved to the start (the parser would then skip it)',
    input: ' \uFEFFfrom a\n',
    output: ' \uFEFFfrom a\n',
  },
  {
    name: 'words that are not instructions keep their case',
    input: 'FROM a\nfron b\nonbuild bogus c\n',
    output: 'FROM a\nfron b\nONBUILD bogus c\n',
  },
  {
    name: 'blanks after a lone carriage return stay (removing them would change the line ends)',
    input: 'FROM a\nRUN b\r\t\nRUN c\t\r\n',
    output: 'FROM a\nRUN b\r\t\nRUN c\r\n',
  },
  {
    name: 'escape=` : blanks after a backslash ending a heredoc line may be part of the heredoc name',
    input: '# escape=`\nFROM a\nRUN <<E\\ \nx\nE \n',
    output: '# escape=`\nFROM a\nRUN <<E\\ \nx\nE \n',
  },
  {
    name: 'formatted text gives no edits',
    input: 'FROM a AS b\nRUN x \\\n    y\n# c\n',
    output: 'FROM a AS b\nRUN x \\\n    y\n# c\n',
  },
];

for (const c of cases) {
  test(`format: ${c.name}`, () => {
    const options = c.options ?? SPACES4;
    assert.equal(formatted(c.input, options), c.output);
    checkFormat(c.input, options, c.name);
  });
}

test('format: nothing to do for an empty file or an AST with an internal error', () => {
  assert.deepEqual(format(parse(''), '', SPACES4), []);
  const broken: DockerfileAst = { ...parse('  run a'), problems: [{ code: 'internal-error', message: 'x', range: parse('').problems[0]!.range }] };
  assert.deepEqual(format(broken, '  run a', SPACES4), []);
});

test('format: edits are in document order with LSP ranges', () => {
  const text = '  from a\nrun b   \n';
  const r = (sl: number, sc: number, el: number, ec: number): Range => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
  assert.deepEqual(format(parse(text), text, SPACES4), [
    { range: r(0, 0, 0, 2), newText: '' },
    { range: r(0, 2, 0, 6), newText: 'FROM' },
    { range: r(1, 0, 1, 3), newText: 'RUN' },
    { range: r(1, 5, 1, 8), newText: '' },
  ]);
});

test('formatRange: only edits on the lines of the range', () => {
  const text = 'from a\n  run b\nrun c \\\nd\ncmd e\n';
  const ast = parse(text);
  const range = (sl: number, el: number, ec = 0): Range => ({ start: { line: sl, character: 0 }, end: { line: el, character: ec } });
  assert.equal(applyEdits(text, formatRange(ast, text, range(1, 3, 1), SPACES4)), 'from a\nRUN b\nRUN c \\\n    d\ncmd e\n');
  assert.equal(applyEdits(text, formatRange(ast, text, range(1, 2), SPACES4)), 'from a\nRUN b\nrun c \\\nd\ncmd e\n');
  assert.deepEqual(formatRange(ast, text, range(4, 4, 5), SPACES4).map((e) => e.newText), ['CMD']);
});


test('format: the conformance fixtures keep their instructions and are fixed points (LF and CRLF)', () => {
  const dir = join(__dirname, '..', 'fixtures', 'dockerfile');
  assert.ok(existsSync(dir));
  const files = fixtureFiles(dir);
  assert.ok(files.length >= 30, `fixtures found: ${files.length}`);
  for (const file of files) {
    const lf = readFileSync(file, 'utf8');
    for (const [ending, text] of [['LF', lf], ['CRLF', lf.replace(/\n/g, '\r\n')]] as const) {
      for (const options of [SPACES4, SPACES2, TAB]) {
        const label = `${file} (${ending}, ${options.insertSpaces ? options.tabSize : 'tab'})`;
        const once = checkFormat(text, options, label);
        if (ending === 'CRLF') assert.equal(once.split('\r\n').length, text.split('\r\n').length, `${label}: line endings kept`);
      }
    }
  }
});


const KEYWORDS = ['from', 'RUN', 'Run', 'CMD', 'copy', 'ADD', 'ENV', 'env', 'ARG', 'LABEL', 'EXPOSE', 'WORKDIR', 'USER',
  'VOLUME', 'HEALTHCHECK', 'onbuild', 'ONBUILD run', 'SHELL', 'MAINTAINER', 'bogus', ''];
const WORDS = ['a', 'b=c', 'k="v  w"', "'q  r'", '"', "'", '\\', '`', '\\\\', '$x', '${x:-a b}', '<<EOF', '<<-EOF', "<<'E'",
  '["a", "b  c"]', '["a",', '[', ']', '--mount=type=cache,target=/x', '--chown="a b"', '--', 'AS', '#', '# c', '=',
  'é', '\u00a0', '\t', ' ', '\f', '\\ ', '`  ', 'EOF'];
const ENDS = ['\n', '\n', '\r\n', ' \\\n', '\\\n', '`\n', '\\  \n', '\\\r\n', '\\\t\n', ''];
const INDENTS = ['', '', ' ', '  ', '\t', '    ', ' \t '];

function randomDockerfile(r: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  let text = r() < 0.2 ? pick(['# escape=`\n', '# escape=\\\n', '# syntax=x\n']) : '';
  const lines = 1 + Math.floor(r() * 12);
  for (let i = 0; i < lines; i++) {
    let line = pick(INDENTS);
    const kind = r();
    if (kind < 0.1) line += pick(['# comment  ', '#', 'EOF', 'E', '\tEOF', '']);
    else {
      line += kind < 0.4 ? pick(WORDS) : pick(KEYWORDS);
      const n = Math.floor(r() * 5);
      for (let j = 0; j < n; j++) line += pick([' ', ' ', '  ', '\t', '']) + pick(WORDS);
    }
    text += line + pick(['', '', ' ', '\t ']) + pick(ENDS);
  }
  return text;
}

test('format: random Dockerfiles keep their instructions and are fixed points', () => {
  const seed = Number(process.env.BERTH_FUZZ_SEED ?? 0xf0a7);
  const r = rng(seed);
  for (let n = 0; n < 3000; n++) {
    const text = randomDockerfile(r);
    const options = [SPACES4, TAB, SPACES2][n % 3]!;
    checkFormat(text, options, `seed ${seed} case ${n}`);
  }
});
