// Completion in a Dockerfile (src/dockerfile/features/completion.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Position, type Range } from '../../src/dockerfile';
import { INSTRUCTIONS } from '../../src/dockerfile/docs';
import { complete } from '../../src/dockerfile/features/completion';
import { CompletionKind, type CompletionResult, type FeatureOptions, type ImageSource } from '../../src/dockerfile/features/types';
import { at, CURSOR } from '../helpers/dockerfile-text';

const CJK = /[\u4e00-\u9fff]/;


async function items(source: string, options: FeatureOptions = {}): Promise<CompletionResult[]> {
  const { text, position } = at(source);
  return complete(parse(text), text, position, options);
}

async function labels(source: string, options: FeatureOptions = {}): Promise<string[]> {
  return (await items(source, options)).map((i) => i.label);
}

function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/** A stand-in for the store the language server passes in: two local images. */
const store: ImageSource = {
  lookup: async () => undefined,
  names: async () => ['alpine:3.20', 'busybox:latest'],
};

const TRIGGERS = INSTRUCTIONS.filter((k) => !['ONBUILD', 'FROM', 'MAINTAINER'].includes(k));

test('completion: instructions at the start of a line, with snippets and their reference text', async () => {
  for (const source of [CURSOR, `FROM alpine\n${CURSOR}`, `FROM alpine\n\n${CURSOR}\nRUN true\n`, `FROM alpine\n   ${CURSOR}`]) {
    const got = await items(source);
    assert.deepEqual(got.map((i) => i.label).sort(), [...INSTRUCTIONS].sort(), JSON.stringify(source));
  }
  const got = await items(`FROM alpine\n${CURSOR}`);
  const from = got.find((i) => i.label === 'FROM')!;
  assert.deepEqual(from.textEdit, { range: range(1, 0, 0), newText: 'FROM ${1:image}' });
  assert.equal(from.snippet, true);
  assert.equal(from.kind, CompletionKind.Keyword);
  assert.ok(from.documentation?.startsWith('**FROM**'));
  const zh = (await items(`FROM alpine\n${CURSOR}`, { locale: 'zh-cn' })).find((i) => i.label === 'RUN')!;
  assert.ok(CJK.test(zh.documentation!));
  // the word being typed is replaced
  const typed = (await items(`FROM alpine\nWORK${CURSOR}`)).find((i) => i.label === 'WORKDIR')!;
  assert.deepEqual(typed.textEdit, { range: range(1, 0, 4), newText: 'WORKDIR ${1:/path}' });
  // on the keyword of an instruction that has arguments: the keyword alone, no snippet
  const existing = (await items(`FROM alpine\nCO${CURSOR}PY a b\n`)).find((i) => i.label === 'COPY')!;
  assert.deepEqual(existing.textEdit, { range: range(1, 0, 4), newText: 'COPY' });
  assert.equal(existing.snippet, undefined);
});

test('completion: before the first FROM, FROM and ARG come first', async () => {
  const sorted = (await items(CURSOR)).sort((a, b) => a.sortText!.localeCompare(b.sortText!)).map((i) => i.label);
  assert.deepEqual(sorted.slice(0, 2), ['FROM', 'ARG']);
  assert.equal(sorted.at(-1), 'MAINTAINER', 'the deprecated one comes last');
  const inStage = (await items(`FROM alpine\n${CURSOR}`)).sort((a, b) => a.sortText!.localeCompare(b.sortText!)).map((i) => i.label);
  assert.equal(inStage[0], 'FROM');
  assert.equal(inStage[1], 'RUN');
});

test('completion: instructions take the casing most of the file uses', async () => {
  assert.ok((await labels(`from alpine\nrun true\nCOPY a b\n${CURSOR}`)).includes('workdir'));
  const lower = (await items(`from alpine\nrun true\n${CURSOR}`)).find((i) => i.label === 'from')!;
  assert.equal(lower.textEdit!.newText, 'from ${1:image}');
  assert.ok((await labels(`FROM alpine\nrun true\nCOPY a b\n${CURSOR}`)).includes('WORKDIR'));
});

test('completion: after ONBUILD, the instructions a trigger may be', async () => {
  assert.deepEqual((await labels(`FROM alpine\nONBUILD ${CURSOR}`)).sort(), [...TRIGGERS].sort());
  const typed = (await items(`FROM alpine\nONBUILD RU${CURSOR}`)).find((i) => i.label === 'RUN')!;
  assert.deepEqual(typed.textEdit, { range: range(1, 8, 10), newText: 'RUN ${1:command}' });
  assert.deepEqual(await labels(`FROM alpine\nONBUILD RUN ech${CURSOR}`), []);
  assert.deepEqual(await labels(`FROM alpine\nONBUILD COPY --${CURSOR}`), ['--from', '--chown', '--chmod', '--link', '--parents', '--exclude']);
});

test('completion: flags after `--`, only those the instruction takes and has not used', async () => {
  const cases: [string, string[]][] = [
    [`FROM alpine\nCOPY --${CURSOR}`, ['--from', '--chown', '--chmod', '--link', '--parents', '--exclude']],
    [`FROM alpine\nCOPY --from=a --exclude=x --${CURSOR} a b`, ['--chown', '--chmod', '--link', '--parents', '--exclude']],
    [`FROM alpine\nADD --${CURSOR}`, ['--chown', '--chmod', '--link', '--keep-git-dir', '--checksum', '--exclude']],
    [`FROM alpine\nRUN --mount=type=cache,target=/x --${CURSOR} true`, ['--mount', '--network', '--security']],
    [`FROM alpine\nRUN --network=none --${CURSOR}`, ['--mount', '--security']],
    [`FROM --${CURSOR}`, ['--platform']],
    [`FROM alpine\nHEALTHCHECK --interval=5s -${CURSOR}`, ['--timeout', '--start-period', '--start-interval', '--retries']],
    [`FROM alpine\nUSER --${CURSOR}`, []],
    [`FROM alpine\nCOPY a --${CURSOR}`, []],
    [`FROM alpine\nHEALTHCHECK CMD --${CURSOR}`, []],
  ];
  for (const [source, expected] of cases) assert.deepEqual(await labels(source), expected, source);
  const chown = (await items(`FROM alpine\nCOPY --ch${CURSOR} a b`)).find((i) => i.label === '--chown')!;
  assert.deepEqual(chown.textEdit, { range: range(1, 5, 9), newText: '--chown=' });
  assert.ok(chown.documentation?.startsWith('**COPY --chown**'));
  const link = (await items(`FROM alpine\nCOPY --${CURSOR}`)).find((i) => i.label === '--link')!;
  assert.equal(link.textEdit!.newText, '--link');
  const interval = (await items(`FROM alpine\nHEALTHCHECK --${CURSOR}`)).find((i) => i.label === '--interval')!;
  assert.equal(interval.textEdit!.newText, '--interval=${1:30s}');
  assert.equal(interval.snippet, true);
});

test('completion: after --from=, the stages before this one', async () => {
  const file = `FROM golang AS build\nFROM alpine AS test\nFROM scratch AS final\nCOPY --from=${CURSOR}\nFROM alpine AS later\n`;
  const got = await items(file);
  assert.deepEqual(got.map((i) => i.label), ['build', 'test']);
  assert.deepEqual(got[0]!.textEdit, { range: range(3, 12, 12), newText: 'build' });
  assert.equal(got[0]!.kind, CompletionKind.Reference);
  const typed = await items(file.replace(`=${CURSOR}`, `=bu${CURSOR}`));
  assert.deepEqual(typed[0]!.textEdit, { range: range(3, 12, 14), newText: 'build' });
  // with the store: local images after the stages
  assert.deepEqual(await labels(file, { images: store }), ['build', 'test', 'alpine:3.20', 'busybox:latest']);
  // RUN --mount from=
  assert.deepEqual(await labels(`FROM golang AS build\nFROM alpine\nRUN --mount=type=bind,from=${CURSOR}`), ['build']);
  assert.deepEqual(await labels(`FROM alpine\nRUN --mount=${CURSOR}`), ['type=bind', 'type=cache', 'type=tmpfs', 'type=secret', 'type=ssh']);
  assert.deepEqual(await labels(`FROM alpine\nRUN --network=${CURSOR}`), ['default', 'none', 'host']);
});

test('completion: in a FROM, local images and earlier stages; after the image, AS; after AS, nothing', async () => {
  const file = `FROM golang AS build\nFROM ${CURSOR}\n`;
  const got = await items(file, { images: store });
  assert.deepEqual(got.map((i) => i.label), ['build', 'alpine:3.20', 'busybox:latest', 'scratch']);
  assert.equal(got[1]!.kind, CompletionKind.Module);
  assert.deepEqual(got[1]!.textEdit, { range: range(1, 5, 5), newText: 'alpine:3.20' });
  const typed = await items(`FROM alp${CURSOR}\n`, { images: store });
  assert.deepEqual(typed.find((i) => i.label === 'alpine:3.20')!.textEdit, { range: range(0, 5, 8), newText: 'alpine:3.20' });
  assert.deepEqual(await labels(`FROM --platform=linux/amd64 ${CURSOR}`, { images: store }), ['alpine:3.20', 'busybox:latest', 'scratch']);
  assert.deepEqual(await labels(`FROM alpine ${CURSOR}`), ['AS']);
  assert.deepEqual(await labels(`from alpine ${CURSOR}`), ['as']);
  assert.deepEqual(await labels(`FROM alpine AS ${CURSOR}`, { images: store }), []);
  assert.deepEqual(await labels(`FROM alpine AS bu${CURSOR}`, { images: store }), []);
  // no store, or a store that fails: stages and scratch only
  const failing: ImageSource = { lookup: () => Promise.reject(new Error('x')), names: () => Promise.reject(new Error('x')) };
  assert.deepEqual(await labels(file, { images: failing }), ['build', 'scratch']);
  assert.deepEqual(await labels(file), ['build', 'scratch']);
});

test('completion: after $ or ${, the ARG and ENV names visible there, with their values', async () => {
  const head = 'ARG BASE=alpine\nFROM $BASE\nARG VERSION=1.2\nENV HOME_DIR=/app\n';
  const got = await items(`${head}WORKDIR $${CURSOR}`);
  assert.deepEqual(got.map((i) => i.label), ['VERSION', 'HOME_DIR']);
  const version = got[0]!;
  assert.equal(version.detail, '1.2');
  assert.equal(version.kind, CompletionKind.Variable);
  assert.deepEqual(version.textEdit, { range: range(4, 9, 9), newText: 'VERSION' });
  assert.ok(version.documentation?.startsWith('**VERSION** — build argument (ARG), line 3'));
  // ${ closes the brace unless it is there
  assert.deepEqual((await items(`${head}WORKDIR \${HO${CURSOR}`)).find((i) => i.label === 'HOME_DIR')!.textEdit, {
    range: range(4, 10, 12),
    newText: 'HOME_DIR}',
  });
  assert.equal((await items(`${head}WORKDIR \${HO${CURSOR}}`)).find((i) => i.label === 'HOME_DIR')!.textEdit!.newText, 'HOME_DIR');
  // in FROM: the global ARGs and the platform ARGs
  const from = await labels(`ARG BASE=alpine\nFROM $${CURSOR}`);
  assert.ok(from.includes('BASE') && from.includes('TARGETPLATFORM') && from.includes('BUILDARCH'), from.join());
  assert.ok((await labels(`ARG BASE=alpine\nFROM --platform=$${CURSOR} alpine`)).includes('BUILDPLATFORM'));
  // RUN sees ARG and ENV; CMD only ENV; exec-form RUN nothing; an escaped $ nothing; ONBUILD nothing
  assert.deepEqual(await labels(`${head}RUN echo $${CURSOR}`), ['VERSION', 'HOME_DIR']);
  assert.deepEqual(await labels(`${head}CMD echo $${CURSOR}`), ['HOME_DIR']);
  assert.deepEqual(await labels(`${head}RUN ["echo", "$${CURSOR}"]`), []);
  assert.deepEqual(await labels(`${head}WORKDIR \\$${CURSOR}`), []);
  assert.deepEqual(await labels(`${head}ONBUILD WORKDIR $${CURSOR}`), []);
  // in a heredoc body of RUN
  assert.deepEqual(await labels(`${head}RUN <<EOF\necho $${CURSOR}\nEOF\n`), ['VERSION', 'HOME_DIR']);
});

test('completion: parser directives at the top of the file', async () => {
  const got = await items(`# ${CURSOR}\nFROM alpine\n`);
  assert.deepEqual(got.map((i) => i.label), ['syntax=', 'escape=', 'check=']);
  assert.deepEqual(got[0]!.textEdit, { range: range(0, 2, 2), newText: 'syntax=' });
  assert.ok(got[0]!.documentation?.startsWith('**# syntax=**'));
  assert.deepEqual(await labels(`# syntax=docker/dockerfile:1\n#${CURSOR}\nFROM alpine\n`), ['escape=', 'check=']);
  assert.deepEqual((await items(`# esc${CURSOR}\nFROM alpine\n`))[1]!.textEdit, { range: range(0, 2, 5), newText: 'escape=' });
  assert.deepEqual(await labels(`# escape=${CURSOR}\nFROM alpine\n`), ['\\', '`']);
  assert.deepEqual(await labels(`# syntax=${CURSOR}`), ['docker/dockerfile:1', 'docker/dockerfile:1-labs']);
  // once an instruction, a comment or an empty line came, # starts a comment
  assert.deepEqual(await labels(`FROM alpine\n# ${CURSOR}\n`), []);
  assert.deepEqual(await labels(`# a comment\n# ${CURSOR}\nFROM alpine\n`), []);
  assert.deepEqual(await labels(`\n# ${CURSOR}\nFROM alpine\n`), []);
});

test('completion: no instructions in heredoc bodies, comments, continuation lines or arguments', async () => {
  const sources = [
    `FROM alpine\nRUN <<EOF\n${CURSOR}\nEOF\n`,
    `FROM alpine\nRUN <<EOF\nFR${CURSOR}\nEOF\n`,
    `FROM alpine\nCOPY <<EOF /etc/motd\n${CURSOR}`,
    `FROM alpine\nRUN <<-EOF\n\t${CURSOR}\n\tEOF\n`,
    `FROM alpine\n# ${CURSOR}\n`,
    `FROM alpine\n# RU${CURSOR}\n`,
    `FROM alpine\nRUN apt-get update \\\n    ${CURSOR}\n`,
    `FROM alpine\nRUN apt-get update \\\n${CURSOR}`,
    `FROM alpine\nRUN apt-get update \\\n# a comment\n  ${CURSOR}\n`,
    `FROM alpine\nRUN ech${CURSOR}`,
    `FROM alpine\nCOPY a ${CURSOR}`,
  ];
  for (const source of sources) assert.deepEqual(await labels(source), [], JSON.stringify(source));
  // after the terminator, instructions again
  assert.ok((await labels(`FROM alpine\nRUN <<EOF\necho hi\nEOF\n${CURSOR}`)).includes('RUN'));
});

test('completion: with escape=` the backtick continues lines and escapes $', async () => {
  const head = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nARG DIR=C:\\app\n';
  assert.ok((await labels(`${head}RUN dir C:\\\n${CURSOR}`)).includes('WORKDIR'), 'a backslash at the end is a path');
  assert.deepEqual(await labels(`${head}RUN dir C:\\ \`\n${CURSOR}`), []);
  assert.deepEqual(await labels(`${head}RUN dir C:\\ \`\n   ${CURSOR}\n  && echo done\n`), []);
  assert.deepEqual(await labels(`${head}WORKDIR \`$${CURSOR}`), []);
  assert.deepEqual(await labels(`${head}WORKDIR \\$${CURSOR}`), ['DIR']);
  assert.deepEqual(await labels(`# escape=${CURSOR}`), ['\\', '`']);
});

test('completion: CRLF files', async () => {
  const file = `# syntax=docker/dockerfile:1\r\nFROM golang AS build\r\nFROM alpine\r\nCOPY --from=bu${CURSOR}\r\n\r\n`;
  const got = await items(file);
  assert.deepEqual(got.map((i) => i.label), ['build']);
  assert.deepEqual(got[0]!.textEdit, { range: range(3, 12, 14), newText: 'build' });
  const blank = await items(file.replace(CURSOR, '').replace('\r\n\r\n', `\r\n${CURSOR}\r\n`));
  assert.equal(blank.length, INSTRUCTIONS.length);
  assert.deepEqual(blank[0]!.textEdit!.range, range(4, 0, 0));
  assert.deepEqual(await labels(`FROM alpine\r\nRUN a \\\r\n${CURSOR}\r\n  b\r\n`), []);
  assert.deepEqual(await labels(`FROM alpine\r\nENV A=1\r\nRUN echo $${CURSOR}\r\n`), ['A']);
  assert.deepEqual(await labels(`#${CURSOR}\r\nFROM alpine\r\n`), ['syntax=', 'escape=', 'check=']);
});

test('completion: never throws, whatever the position', async () => {
  const text = 'FROM alpine\nRUN true\n';
  const ast = parse(text);
  for (const position of [{ line: 99, character: 0 }, { line: 0, character: 500 }, { line: -1, character: -1 }, { line: 1.5, character: NaN }]) {
    const got = await complete(ast, text, position);
    assert.ok(Array.isArray(got));
  }
  // an AST of another text: data, never an exception
  assert.ok(Array.isArray(await complete(parse('FROM a\nCOPY --from=x a b\n'), 'x', { line: 1, character: 9 })));
});

test('completion: a 5,000-line file answers from the AST the server already has', async () => {
  const lines = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:12-slim'];
  for (let stage = 0; lines.length < 5000; stage++) {
    lines.push(stage === 0 ? 'FROM ${BASE} AS s0' : `FROM s${stage - 1} AS s${stage}`, 'ARG VERSION=1', `ENV HOME_DIR=/opt/${stage}`);
    lines.push('RUN set -eux; \\', '    apt-get update; \\', '    rm -rf /var/lib/apt/lists/*');
    lines.push(`COPY --chown=1000 --from=s0 src/ $HOME_DIR/`, 'HEALTHCHECK --interval=30s CMD curl -f http://localhost/', 'CMD ["/bin/app"]');
  }
  lines.push('');
  const text = lines.join('\n');
  const ast = parse(text);
  const last = lines.length - 1;
  const cases: [Position, (r: CompletionResult[]) => boolean][] = [
    [{ line: last, character: 0 }, (r) => r.length === INSTRUCTIONS.length],
    [{ line: 17, character: 25 }, (r) => r.some((i) => i.label === 's0')], // COPY --from= in the second stage
    [{ line: last - 3, character: lines[last - 3]!.indexOf('$') + 1 }, (r) => r.some((i) => i.label === 'HOME_DIR')], // after $
    [{ line: last - 3, character: 7 }, (r) => r.some((i) => i.label === '--chown')],
  ];
  const started = performance.now();
  let calls = 0;
  for (let round = 0; round < 5; round++) {
    for (const [position, ok] of cases) {
      const got = await complete(ast, text, position, { images: store });
      calls++;
      assert.ok(ok(got), `${JSON.stringify(position)}: ${got.map((i) => i.label).slice(0, 5).join()}`);
    }
  }
  const each = (performance.now() - started) / calls;
  assert.ok(each < 20, `${each.toFixed(2)} ms per completion`);
});
