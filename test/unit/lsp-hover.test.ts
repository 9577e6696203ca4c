// Hover in a Dockerfile (src/dockerfile/features/hover.ts) and the reference texts it shows (src/dockerfile/docs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Position } from '../../src/dockerfile';
import {
  DIRECTIVE_DOCS,
  FLAG_DOCS,
  INSTRUCTION_DOCS,
  INSTRUCTION_FLAGS,
  INSTRUCTIONS,
  LOCALES,
  humanAge,
  humanSize,
  localeOf,
} from '../../src/dockerfile/docs';
import { hover } from '../../src/dockerfile/features/hover';
import type { FeatureOptions, ImageFacts, ImageSource } from '../../src/dockerfile/features/types';
import { at, CURSOR } from '../helpers/dockerfile-text';

const CJK = /[\u4e00-\u9fff]/;


async function hoverAt(source: string, options: FeatureOptions = {}): Promise<string | undefined> {
  const { text, position } = at(source);
  return (await hover(parse(text), text, position, options))?.markdown;
}

const DAY = 86_400_000;

/**
 * A stand-in for the store the language server passes in (the server reads Berth's local store; here a
 * table of one image), recording what was looked up.
 */
function fakeStore(): ImageSource & { lookups: string[] } {
  const facts: Record<string, ImageFacts> = {
    'alpine:3.20': {
      id: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      size: 2_130_000,
      created: new Date(Date.now() - 3 * DAY - 3_600_000).toISOString(),
      digest: 'alpine@sha256:beefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeefbeef',
    },
  };
  const lookups: string[] = [];
  return {
    lookups,
    async lookup(reference) {
      lookups.push(reference);
      return facts[reference];
    },
    async names() {
      return Object.keys(facts);
    },
  };
}

test('docs: every instruction, flag and directive has a description, syntax and example in both languages', () => {
  const all = { ...INSTRUCTION_DOCS, ...FLAG_DOCS, ...DIRECTIVE_DOCS };
  assert.equal(INSTRUCTIONS.length, 18);
  for (const [name, doc] of Object.entries(all)) {
    assert.ok(doc.anchor.length > 0, name);
    for (const locale of LOCALES) {
      const text = doc[locale];
      assert.ok(text.summary.length > 20, `${name} ${locale}: summary`);
      assert.ok(text.syntax.length > 0 && text.example.length > 0, `${name} ${locale}: syntax and example`);
    }
    assert.ok(CJK.test(doc['zh-cn'].summary), `${name}: the Chinese text is in Chinese`);
    assert.ok(!CJK.test(doc.en.summary), `${name}: the English text is in English`);
  }
  assert.deepEqual(INSTRUCTION_FLAGS, {
    FROM: ['platform'],
    RUN: ['mount', 'network', 'security'],
    ADD: ['chown', 'chmod', 'link', 'keep-git-dir', 'checksum', 'exclude'],
    COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
    HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
  });
});

test('hover: every instruction keyword, in both languages and any case', async () => {
  for (const keyword of INSTRUCTIONS) {
    for (const written of [keyword, keyword.toLowerCase()]) {
      const line = keyword === 'FROM' ? `${written} alpine` : `${written} x`;
      const source = keyword === 'FROM' ? `${line[0]}${CURSOR}${line.slice(1)}\n` : `FROM alpine\n${line.slice(0, 2)}${CURSOR}${line.slice(2)}\n`;
      const { text, position } = at(source);
      const ast = parse(text);
      const en = await hover(ast, text, position);
      assert.ok(en?.markdown.startsWith(`**${keyword}**`), `${written}: ${en?.markdown}`);
      assert.ok(!CJK.test(en!.markdown), `${written}: English`);
      assert.ok(en!.markdown.includes('https://docs.docker.com/reference/dockerfile/#'), `${written}: links the reference`);
      assert.deepEqual(en!.range, ast.instructions.find((i) => i.keyword === keyword)!.keywordRange);
      const zh = await hover(ast, text, position, { locale: 'zh-cn' });
      assert.ok(zh, `${written}: Chinese`);
      assert.ok(zh.markdown.startsWith(`**${keyword}**`) && CJK.test(zh.markdown), `${written}: Chinese`);
      assert.ok(zh.markdown.includes('示例'), `${written}: Chinese headings`);
    }
  }
});

test('hover: every flag of every instruction, in both languages', async () => {
  for (const [keyword, flags] of Object.entries(INSTRUCTION_FLAGS)) {
    for (const flag of flags) {
      const args = keyword === 'HEALTHCHECK' ? 'CMD true' : keyword === 'FROM' ? 'alpine' : keyword === 'RUN' ? 'true' : 'a b';
      const source = `FROM alpine AS base\n${keyword} --${flag.slice(0, 1)}${CURSOR}${flag.slice(1)}=x ${args}\n`;
      for (const locale of LOCALES) {
        const markdown = await hoverAt(source, { locale });
        assert.ok(markdown?.startsWith(`**${keyword} --${flag}**`), `${keyword} --${flag} ${locale}: ${markdown}`);
        assert.ok(markdown);
        assert.equal(CJK.test(markdown), locale === 'zh-cn', `${keyword} --${flag} ${locale}`);
      }
    }
  }
  // the `--` and the value of a flag are the flag too
  assert.ok((await hoverAt(`FROM alpine\nRUN -${CURSOR}-network=none true`))?.startsWith('**RUN --network**'));
  assert.ok((await hoverAt(`FROM alpine\nRUN --network=no${CURSOR}ne true`))?.startsWith('**RUN --network**'));
  // a flag the instruction does not take has no text
  assert.equal(await hoverAt(`FROM alpine\nCOPY --net${CURSOR}work=none a b`), undefined);
});

test('hover: parser directives, in both languages', async () => {
  for (const [name, value] of [['syntax', 'docker/dockerfile:1'], ['escape', '`'], ['check', 'skip=all']] as const) {
    const en = await hoverAt(`# ${name.slice(0, 2)}${CURSOR}${name.slice(2)}=${value}\nFROM alpine\n`);
    assert.ok(en?.startsWith(`**# ${name}=**`) && en.includes('Parser directive'), `${name}: ${en}`);
    const zh = await hoverAt(`#${CURSOR} ${name}=${value}\nFROM alpine\n`, { locale: 'zh-cn' });
    assert.ok(zh?.includes('解析器指令'), `${name}: ${zh}`);
  }
  // a directive-like comment after the first instruction is a comment
  assert.equal(await hoverAt(`FROM alpine\n# sy${CURSOR}ntax=docker/dockerfile:1\n`), undefined);
});

test('hover: locale names other than en and zh-cn fall back to English; zh and zh-CN are Chinese', () => {
  assert.equal(localeOf(undefined), 'en');
  assert.equal(localeOf('fr'), 'en');
  assert.equal(localeOf('zh-CN'), 'zh-cn');
  assert.equal(localeOf('zh'), 'zh-cn');
});

test('hover: the image of a FROM that the store has, its reference expanded with the global ARG defaults', async () => {
  const store = fakeStore();
  const en = await hoverAt(`ARG BASE=alpine\nARG TAG=3.20\nFROM \${BASE}:\${TAG${CURSOR}} AS build\n`, { images: store });
  // the cursor is on the closing brace of ${TAG}: the variable, not the image
  assert.ok(en?.startsWith('**TAG**'), en);
  const image = await hoverAt(`ARG BASE=alpine\nARG TAG=3.20\nFROM \${BASE}${CURSOR}:\${TAG} AS build\n`, { images: store });
  assert.deepEqual(store.lookups, ['alpine:3.20']);
  assert.ok(image);
  assert.ok(image.includes('`alpine:3.20` — local image'), image);
  assert.ok(image.includes('`${BASE}:${TAG}` → `alpine:3.20`'), 'shows the reference as written and as looked up');
  assert.ok(image.includes('| ID | `0123456789ab` |'), 'the ID is 12 hex digits');
  assert.ok(image.includes('| Size | 2.13MB |'));
  assert.ok(image.includes('| Created | 3 days ago |'));
  assert.ok(image.includes('| Digest | `alpine@sha256:beef'));
  const zh = await hoverAt(`FROM alp${CURSOR}ine:3.20\n`, { images: store, locale: 'zh-cn' });
  assert.ok(zh?.includes('本地镜像') && zh.includes('| 大小 | 2.13MB |') && zh.includes('| 创建时间 | 3 天前 |'), zh);
});

test('hover: a FROM image the store lacks, scratch, no store, a failing store', async () => {
  const store = fakeStore();
  assert.ok((await hoverAt(`FROM busy${CURSOR}box\n`, { images: store }))?.includes('Not in the local store'));
  assert.ok((await hoverAt(`FROM busy${CURSOR}box\n`, { images: store, locale: 'zh-cn' }))?.includes('本地存储中没有该镜像'));
  assert.ok((await hoverAt(`FROM scr${CURSOR}atch\n`))?.includes('empty image'));
  assert.equal(await hoverAt(`FROM alp${CURSOR}ine:3.20\n`), undefined, 'no store, no image facts');
  const failing: ImageSource = {
    lookup: () => Promise.reject(new Error('store locked')),
    names: () => Promise.reject(new Error('store locked')),
  };
  assert.equal(await hoverAt(`FROM alp${CURSOR}ine:3.20\n`, { images: failing }), undefined);
});

test('sizes and ages are written as docker writes them', () => {
  const sizes: [number, string][] = [
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [2_130_000, '2.13MB'],
    [77_900_000, '77.9MB'],
    [133_000_000, '133MB'],
    [999_999, '1e+03kB'],
    [1_234_567_890, '1.23GB'],
  ];
  for (const [bytes, text] of sizes) assert.equal(humanSize(bytes), text, String(bytes));
  const now = Date.parse('2025-01-10T00:00:00Z');
  const ages: [number, string, string][] = [
    [500, 'Less than a second ago', '不到 1 秒前'],
    [45_000, '45 seconds ago', '45 秒前'],
    [90_000, 'About a minute ago', '大约 1 分钟前'],
    [3_600_000, 'About an hour ago', '大约 1 小时前'],
    [5 * 3_600_000, '5 hours ago', '5 小时前'],
    [3 * DAY, '3 days ago', '3 天前'],
    [20 * DAY, '2 weeks ago', '2 周前'],
    [100 * DAY, '3 months ago', '3 个月前'],
    [800 * DAY, '2 years ago', '2 年前'],
  ];
  for (const [ago, en, zh] of ages) {
    const created = new Date(now - ago).toISOString();
    assert.equal(humanAge(created, 'en', now), en);
    assert.equal(humanAge(created, 'zh-cn', now), zh);
  }
  assert.equal(humanAge('not a time', 'en', now), undefined);
});

test('hover: variables, where they are defined and what they hold', async () => {
  const file = [
    'ARG BASE=alpine', //             0
    'ARG TAG=3.20', //                1
    'FROM $BASE:$TAG AS build', //    2
    'ARG TAG', //                     3
    'ARG MODE=release', //            4
    'ENV HOME_DIR=/app MODE=env', //  5
    'WORKDIR $HOME_DIR', //           6
    'RUN echo ${TAG:-none} $MODE $BASE $i $HTTP_PROXY', // 7
    'COPY $NOWHERE \\$HOME_DIR /x/', // 8
    'CMD echo $TAG $HOME_DIR', //     9
    'FROM --platform=$BUILDPLATFORM alpine', // 10
    'RUN echo $TARGETARCH', //        11
  ];
  const cases: [number, string, string | undefined][] = [
    [2, '$BA', '**BASE** — build argument (ARG), line 1\n\nDefault: `alpine`'],
    [2, '$TA', '**TAG** — build argument (ARG), line 2\n\nDefault: `3.20`'],
    [6, '$HOME', '**HOME_DIR** — environment variable (ENV), line 6\n\nValue: `/app`'],
    [7, '${TA', '**TAG** — build argument (ARG), line 4\n\nNo default here; takes the default of the global ARG on line 2: `3.20`'],
    [7, '$MO', '**MODE** — environment variable (ENV), line 6\n\nValue: `env`'],
    [7, '$BA', '**BASE** — a global ARG (line 1), but this stage does not declare it'],
    [7, '$i', undefined],
    [7, '$HTTP', '**HTTP_PROXY**\n\nPredefined proxy argument'],
    [8, '$NOW', '**NOWHERE** — no ARG or ENV defines it before this line'],
    [8, '\\$HOME', undefined],
    [9, '$TA', undefined],
    [9, '$HOME', '**HOME_DIR** — environment variable (ENV), line 6'],
    [10, '$BUILD', '**BUILDPLATFORM** — platform argument (BuildKit)'],
    [11, '$TARGET', '**TARGETARCH** — a platform argument BuildKit defines, but this stage does not declare it'],
  ];
  for (const [line, prefix, expected] of cases) {
    const lines = [...file];
    const col = lines[line]!.indexOf(prefix) + prefix.length;
    lines[line] = lines[line]!.slice(0, col) + CURSOR + lines[line]!.slice(col);
    const markdown = await hoverAt(lines.join('\n'));
    if (expected === undefined) assert.equal(markdown, undefined, `${line} ${prefix}`);
    else assert.ok(markdown?.startsWith(expected), `${line} ${prefix}: ${markdown}`);
  }
  const zh = await hoverAt(file.join('\n').replace('$HOME_DIR', `$HO${CURSOR}ME_DIR`), { locale: 'zh-cn' });
  assert.equal(zh, '**HOME_DIR** — 环境变量（ENV），第 6 行\n\n值：`/app`');
});

test('hover: on the name an ARG or ENV defines', async () => {
  const file = `ARG TAG=3.20\nFROM alpine\nARG T${CURSOR}AG\n`;
  assert.ok((await hoverAt(file))?.startsWith('**TAG** — build argument (ARG), line 3\n\nNo default here; takes the default of the global ARG on line 1'));
  assert.ok((await hoverAt(`FROM alpine\nENV A=1 ${CURSOR}B=2\n`))?.startsWith('**B** — environment variable (ENV), line 2\n\nValue: `2`'));
});

test('hover: variables in heredoc bodies of RUN, and of COPY when the delimiter is not quoted', async () => {
  const base = 'FROM alpine\nARG GREETING=hi\n';
  assert.ok((await hoverAt(`${base}RUN <<EOF\necho $GREE${CURSOR}TING\nEOF\n`))?.startsWith('**GREETING**'));
  assert.ok((await hoverAt(`${base}COPY <<EOF /x\n$GREE${CURSOR}TING\nEOF\n`))?.startsWith('**GREETING**'));
  assert.equal(await hoverAt(`${base}COPY <<"EOF" /x\n$GREE${CURSOR}TING\nEOF\n`), undefined);
  assert.equal(await hoverAt(`${base}RUN <<EOF\necho h${CURSOR}i\nEOF\n`), undefined);
});

test('hover: stage names in FROM, --from and --mount', async () => {
  const file = [
    'FROM golang:1.22 AS build',
    'FROM build AS test',
    'FROM alpine',
    'COPY --from=build /out /out',
    'COPY --from=0 /out /out',
    'RUN --mount=type=bind,from=test,target=/t ls /t',
  ].join('\n');
  const mark = (line: number, prefix: string): string => {
    const lines = file.split('\n');
    const col = lines[line]!.indexOf(prefix) + prefix.length;
    lines[line] = lines[line]!.slice(0, col) + CURSOR + lines[line]!.slice(col);
    return lines.join('\n');
  };
  assert.equal(await hoverAt(mark(0, 'AS bu')), '**Build stage `build`** (index 0, line 1)\n\nBased on image `golang:1.22`');
  assert.equal(await hoverAt(mark(1, 'FROM bu')), '**Build stage `build`** (index 0, line 1)\n\nBased on image `golang:1.22`');
  assert.equal(await hoverAt(mark(1, 'AS te')), '**Build stage `test`** (index 1, line 2)\n\nBased on build stage `build`');
  assert.ok((await hoverAt(mark(3, '--from=bu')))?.startsWith('**Build stage `build`**'));
  assert.ok((await hoverAt(mark(4, '--from=')))?.startsWith('**Build stage `build`**'), 'a stage by index');
  assert.ok((await hoverAt(mark(5, 'from=te')))?.startsWith('**Build stage `test`**'));
  assert.equal(await hoverAt(mark(1, 'FROM bu'), { locale: 'zh-cn' }), '**构建阶段 `build`**（序号 0，第 1 行）\n\n基于镜像 `golang:1.22`');
  // a stage is not its own base, and a later stage is not a base
  const self = await hoverAt(`FROM a${CURSOR}pp AS app\nFROM alpine AS app2\n`, { images: fakeStore() });
  assert.ok(self?.includes('Not in the local store'), self);
});

test('hover: ONBUILD triggers show their own keyword and flags', async () => {
  assert.ok((await hoverAt(`FROM alpine\nONBUILD CO${CURSOR}PY --from=x a b\n`))?.startsWith('**COPY**'));
  assert.ok((await hoverAt(`FROM alpine\nONBUILD COPY --fr${CURSOR}om=x a b\n`))?.startsWith('**COPY --from**'));
  assert.ok((await hoverAt(`FROM alpine\nONB${CURSOR}UILD RUN true\n`))?.startsWith('**ONBUILD**'));
});

test('hover: nothing on whitespace, comments, heredoc text, plain arguments, or outside the file', async () => {
  const sources = [
    `FROM alpine${CURSOR} AS x\n`,
    `FROM alpine\nRUN${CURSOR} echo hi\n`,
    `FROM alpine\n${CURSOR}\nRUN true\n`,
    `FROM alpine\n  ${CURSOR}  \n`,
    `FROM alpine\n# a com${CURSOR}ment\n`,
    `FROM alpine\nRUN ech${CURSOR}o hi\n`,
    `FROM alpine\nRUN <<EOF\nech${CURSOR}o hi\nEOF\n`,
    `FROM alpine\n${CURSOR}`,
    `${CURSOR}`,
  ];
  for (const source of sources) assert.equal(await hoverAt(source), undefined, JSON.stringify(source));
  const text = 'FROM alpine\n';
  const ast = parse(text);
  for (const position of [{ line: 99, character: 0 }, { line: 0, character: 500 }, { line: -1, character: -1 }]) {
    assert.equal(await hover(ast, text, position), undefined);
  }
});

test('hover: CRLF line ends and the backtick escape', async () => {
  const { text, position } = at(`# escape=\`\r\nFROM alpine\r\nRUN dir C:\\ \`\r\n  && ec${CURSOR}ho $X\r\nCOPY a b\r\n`);
  const ast = parse(text);
  assert.equal(await hover(ast, text, position), undefined);
  const copy = await hover(ast, text, { line: 4, character: 1 });
  assert.ok(copy);
  assert.ok(copy.markdown.startsWith('**COPY**'));
  assert.deepEqual(copy.range, { start: { line: 4, character: 0 }, end: { line: 4, character: 4 } });
  assert.ok((await hover(ast, text, { line: 0, character: 3 }))?.markdown.startsWith('**# escape=**'));
});

test('hover: a 5,000-line file answers from the AST the server already has', async () => {
  const lines = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:12-slim'];
  for (let stage = 0; lines.length < 5000; stage++) {
    lines.push(stage === 0 ? 'FROM ${BASE} AS s0' : `FROM s${stage - 1} AS s${stage}`, 'ARG VERSION=1', `ENV HOME_DIR=/opt/${stage}`);
    lines.push('RUN set -eux; \\', '    apt-get update; \\', '    rm -rf /var/lib/apt/lists/*');
    lines.push(`COPY --chown=1000 --from=s0 src/ $HOME_DIR/`, 'HEALTHCHECK --interval=30s CMD curl -f http://localhost/', 'CMD ["/bin/app"]');
  }
  const text = lines.join('\n');
  const ast = parse(text);
  const positions: Position[] = [];
  for (let line = 0; line < 5000; line += 97) positions.push({ line, character: 2 }, { line, character: 12 });
  const started = performance.now();
  for (const p of positions) await hover(ast, text, p, { images: fakeStore() });
  const each = (performance.now() - started) / positions.length;
  assert.ok(each < 20, `${each.toFixed(2)} ms per hover`);
});
