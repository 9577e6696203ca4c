// The Dockerfile checks and the `lint` entry point (src/dockerfile/lint/index.ts): for every code a
// Dockerfile that has the problem (codes and exact ranges) and one that does not, quick fixes applied
// to the text, severities from settings, BuildKit's `# check=` directive, the parser's problems, rules
// that crash, and realistic Dockerfiles (multi-stage, heredocs, Windows `escape=`) that must stay clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/dockerfile/parse';
import type { Range } from '../../src/dockerfile/position';
import { lint, ruleInfo, RULES, type LintOptions } from '../../src/dockerfile/lint/index';
import { RUN_RULES } from '../../src/dockerfile/lint/run-rules';
import type { LintProblem, Rule } from '../../src/dockerfile/lint/types';
import { applyFix } from '../helpers/text-edits';

/** A stand-in for the engine's validator: lower-case repositories, no empty parts, a sane tag. */
function validateReference(ref: string): string | undefined {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (repository !== repository.toLowerCase()) return 'repository name must be lowercase';
  if (!/^[a-z0-9]+(?:[._:/-][a-z0-9]+)*$/.test(repository)) return 'invalid reference format';
  if (tag !== undefined && !/^\w[\w.-]{0,127}$/.test(tag)) return 'invalid reference format';
  if (at >= 0 && !/^sha256:[a-f0-9]{64}$/.test(ref.slice(at + 1))) return 'invalid reference format';
  return undefined;
}

/** The codes of the RUN checks, which another file tests; left out where only these rules are meant. */
const RUN_CODES = new Set(RUN_RULES.flatMap((r) => [r.code, ...(r.codes ?? [])]));

function run(text: string, options: LintOptions = {}): LintProblem[] {
  return lint(parse(text), text, { validateReference, ...options });
}

function at(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** `Code@line:char-line:char` of the problems (0-based, as LSP), RUN checks left out. */
function found(text: string, options?: LintOptions): string[] {
  return run(text, options)
    .filter((p) => !RUN_CODES.has(p.code))
    .map((p) => `${p.code}@${at(p.range)}`);
}



/** The text after applying the first fix of the first problem with `code`. */
function fixed(text: string, code: string): string {
  const problem = run(text).find((p) => p.code === code);
  assert.ok(problem, `${code} is reported`);
  assert.ok(problem.fixes?.length, `${code} has a fix`);
  return applyFix(text, problem.fixes[0]!);
}

interface Case {
  code: string;
  /** Has the problem: `expect` lists where `code` is reported. */
  bad: string;
  expect: string[];
  /** Has no `code` problem. */
  clean: string;
}

const CASES: Case[] = [
  // FROM
  { code: 'MissingFrom', bad: 'ARG A=1\nRUN echo hi\n', expect: ['0:0-0:7'], clean: 'FROM alpine:3.20\n' },
  {
    code: 'InstructionBeforeFrom',
    bad: 'ARG V=1\nENV A=b\nFROM alpine:3.20\n',
    expect: ['1:0-1:7'],
    clean: 'ARG V=1\n# comment\nFROM alpine:3.20\n',
  },
  { code: 'InvalidFrom', bad: 'FROM alpine:3.20 build\nFROM\n', expect: ['0:5-0:22', '1:0-1:4'], clean: 'FROM alpine:3.20 as build\n' },
  {
    code: 'InvalidImageReference',
    bad: 'FROM Alpine:3.20\nFROM alpine::1\n',
    expect: ['0:5-0:16', '1:5-1:14'],
    clean: 'ARG IMAGE=Bad\nFROM $IMAGE\nFROM scratch\nFROM ghcr.io/org/app:v1.2 AS a\nFROM a\n',
  },
  {
    code: 'ImplicitLatestTag',
    bad: 'FROM alpine\nFROM ghcr.io/org/app AS b\nARG REG=docker.io\nFROM $REG/library/node\n',
    expect: ['0:5-0:11', '1:5-1:20', '3:5-3:22'],
    clean:
      'ARG BASE=alpine\nFROM ${BASE} AS base\nFROM base\nFROM scratch\nFROM localhost:5000/app:1.0\n' +
      `FROM alpine@sha256:${'a'.repeat(64)}\nFROM \${IMAGE:-org/app}\n`,
  },
  { code: 'ExplicitLatestTag', bad: 'FROM ubuntu:latest AS x\n', expect: ['0:5-0:18'], clean: 'FROM ubuntu:24.04\nFROM ubuntu:latest-lts\n' },
  {
    code: 'UndefinedArgInFrom',
    bad: 'ARG VERSION=3.20\nFROM alpine:${VERSON}\nFROM --platform=$PLATFROM alpine:3.20\n',
    expect: ['1:12-1:21', '2:16-2:25'],
    clean: 'ARG VERSION=3.20\nFROM --platform=$BUILDPLATFORM alpine:${VERSION}\nFROM alpine:${TAG:-3.20}\n',
  },
  {
    code: 'InvalidDefaultArgInFrom',
    bad: 'ARG TAG\nARG IMAGE\nFROM alpine:$TAG\nFROM $IMAGE\n',
    expect: ['2:5-2:16', '3:5-3:11'],
    clean: 'ARG TAG=3.20\nFROM alpine:$TAG\nARG NAME\nFROM alpine:${NAME:-3.20}\nFROM alpine:$TARGETARCH\n',
  },
  {
    code: 'FromPlatformFlagConstDisallowed',
    bad: 'FROM --platform=linux/amd64 alpine:3.20\n',
    expect: ['0:5-0:27'],
    clean: 'FROM --platform=$BUILDPLATFORM alpine:3.20\nFROM --platform=linux/arm64 alpine:3.20 AS build-arm64\n',
  },
  {
    code: 'RedundantTargetPlatform',
    bad: 'FROM --platform=$TARGETPLATFORM alpine:3.20\n',
    expect: ['0:5-0:31'],
    clean: 'FROM --platform=$BUILDPLATFORM alpine:3.20\n',
  },
  // stage names
  {
    code: 'DuplicateStageName',
    bad: 'FROM alpine:3.20 AS build\nFROM alpine:3.20 AS Build\n',
    expect: ['1:20-1:25'],
    clean: 'FROM alpine:3.20 AS build\nFROM alpine:3.20 AS test\n',
  },
  {
    code: 'InvalidStageName',
    bad: 'FROM alpine:3.20 AS 1st\nFROM alpine:3.20 AS my@stage\n',
    expect: ['0:20-0:23', '1:20-1:28'],
    clean: 'FROM alpine:3.20 AS my-stage_1.0\n',
  },
  {
    code: 'ReservedStageName',
    bad: 'FROM alpine:3.20 AS scratch\nFROM alpine:3.20 AS Context\n',
    expect: ['0:20-0:27', '1:20-1:27'],
    clean: 'FROM scratch AS empty\nCOPY --from=context x y\n',
  },
  { code: 'StageNameCasing', bad: 'FROM alpine:3.20 AS Build\n', expect: ['0:20-0:25'], clean: 'FROM alpine:3.20 AS build\n' },
  {
    code: 'FromAsCasing',
    bad: 'FROM alpine:3.20 as build\nfrom alpine:3.20 AS test\n',
    expect: ['0:17-0:19', '1:17-1:19'],
    clean: 'FROM alpine:3.20 AS build\nfrom alpine:3.20 as test\nFrom alpine:3.20 aS mixed\n',
  },
  // COPY --from
  {
    code: 'InvalidCopyFrom',
    bad: 'FROM alpine:3.20 AS a\nCOPY --from=a x y\nCOPY --from=b x y\nCOPY --from=0 x y\nCOPY --from=7 x y\nFROM alpine:3.20 AS b\n',
    expect: ['1:12-1:13', '2:12-2:13', '3:12-3:13', '4:12-4:13'],
    clean: 'FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY --from=A x y\nCOPY --from=0 x y\nCOPY --from=nginx:1.27 x y\n',
  },
  {
    code: 'CopyFromUnknownStage',
    bad: 'FROM alpine:3.20 AS builder\nFROM alpine:3.20\nCOPY --from=Bulder x y\nCOPY --from=bad::ref x y\n',
    expect: ['2:12-2:18', '3:12-3:20'],
    clean: 'FROM alpine:3.20 AS builder\nFROM alpine:3.20\nCOPY --from=BUILDER x y\nCOPY --from=busybox x y\nCOPY --from=$X x y\n',
  },
  // flags
  {
    code: 'UnknownFlag',
    bad: 'FROM --platfrom=linux/amd64 alpine:3.20\nCOPY --form=a x y\nCMD --port 80\n',
    expect: ['0:5-0:27', '1:5-1:13', '2:4-2:10'],
    clean: 'FROM alpine:3.20\nCOPY --from=a --chown=1:1 --chmod=644 --link --parents --exclude=*.md x y\nADD --checksum=sha256:abc --keep-git-dir=true x y\n',
  },
  {
    code: 'InvalidFlag',
    bad: 'FROM alpine:3.20\nCOPY --from=a --from=b x y\nCOPY --chown x y\nCOPY --link=yes x y\n',
    expect: ['1:14-1:22', '2:5-2:12', '3:5-3:15'],
    clean: 'FROM alpine:3.20\nCOPY --exclude=a --exclude=b --link=false x y\n',
  },
  // every instruction
  {
    code: 'UnknownInstruction',
    bad: 'FROM alpine:3.20\nRUN apk add curl\n&& rm -rf /tmp\nCOPPY a b\n',
    expect: ['2:0-2:2', '3:0-3:5'],
    clean: 'FROM alpine:3.20\nRUN apk add curl \\\n && rm -rf /tmp\n',
  },
  {
    code: 'ConsistentInstructionCasing',
    bad: 'FROM alpine:3.20\nrun echo\nWorkdir /app\nONBUILD run echo\n',
    expect: ['1:0-1:3', '2:0-2:7', '3:8-3:11'],
    clean: 'from alpine:3.20\nrun echo\nworkdir /app\n',
  },
  {
    code: 'MissingArguments',
    bad: 'FROM alpine:3.20\nCOPY onlyone\nENV\nWORKDIR\n',
    expect: ['1:0-1:12', '2:0-2:3', '3:0-3:7'],
    clean: 'FROM alpine:3.20\nCOPY a /b/\nCOPY <<EOF /x\nhi\nEOF\nCMD\n',
  },
  {
    code: 'MaintainerDeprecated',
    bad: 'FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>\n',
    expect: ['1:0-1:38'],
    clean: 'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane Doe"\n',
  },
  {
    code: 'MultipleInstructionsDisallowed',
    bad: 'FROM alpine:3.20\nCMD ["a"]\nENTRYPOINT ["x"]\nCMD ["b"]\nENTRYPOINT ["y"]\nCMD ["c"]\n',
    expect: ['1:0-1:9', '2:0-2:16', '3:0-3:9'],
    clean: 'FROM alpine:3.20 AS a\nCMD ["a"]\nFROM a\nCMD ["b"]\n',
  },
  {
    code: 'NoEmptyContinuation',
    bad: 'FROM alpine:3.20\nRUN apk add \\\n\n    curl\n',
    expect: ['2:0-2:0'],
    clean: 'FROM alpine:3.20\nRUN apk add \\\n# a comment\n    curl\n',
  },
  {
    code: 'InvalidOnbuildTrigger',
    bad: 'FROM alpine:3.20\nONBUILD ONBUILD RUN x\nONBUILD FROM alpine\nONBUILD maintainer me\n',
    expect: ['1:8-1:15', '2:8-2:12', '3:8-3:18'],
    clean: 'FROM alpine:3.20\nONBUILD COPY . /app\nONBUILD RUN make\n',
  },
  {
    code: 'InvalidShell',
    bad: 'FROM alpine:3.20\nSHELL /bin/bash -c\nSHELL []\n',
    expect: ['1:6-1:18', '2:6-2:8'],
    clean: 'FROM alpine:3.20\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n',
  },
  // key-value pairs
  {
    code: 'LegacyKeyValueFormat',
    bad: 'FROM alpine:3.20\nENV A b\nLABEL version 1.0\n',
    expect: ['1:0-1:7', '2:0-2:17'],
    clean: 'FROM alpine:3.20\nENV A=b C="d e"\nLABEL version=1.0\n',
  },
  {
    code: 'EmptyKey',
    bad: 'FROM alpine:3.20\nLABEL =x\nENV ""=y\n',
    expect: ['1:6-1:8', '2:4-2:8'],
    clean: 'FROM alpine:3.20\nLABEL a=\n',
  },
  {
    code: 'UnterminatedQuote',
    bad: 'FROM alpine:3.20\nLABEL a="x b=y\nENV C \'d\n',
    expect: ['1:6-1:14', '2:4-2:8'],
    clean: 'FROM alpine:3.20\nLABEL a="x" b=\'y "z\'\nENV C="it\'s"\n',
  },
  {
    code: 'DuplicateLabel',
    bad: 'FROM alpine:3.20\nLABEL a=1 b=2\nLABEL a=3\n',
    expect: ['1:6-1:9'],
    clean: 'FROM alpine:3.20 AS one\nLABEL a=1\nFROM one\nLABEL a=2\n',
  },
  {
    code: 'SecretsUsedInArgOrEnv',
    bad: 'ARG GITHUB_TOKEN\nFROM alpine:3.20\nENV DB_PASSWORD=x AWS_SECRET_ACCESS_KEY=y\nARG API_KEY\n',
    expect: ['0:4-0:16', '2:4-2:15', '2:18-2:39', '3:4-3:11'],
    clean: 'FROM python:3.12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D PUBLIC_KEY=x\nARG TOKENIZER=fast\nLABEL password=x\n',
  },
  // EXPOSE, STOPSIGNAL, HEALTHCHECK
  {
    code: 'InvalidExpose',
    bad: 'FROM alpine:3.20\nEXPOSE 80/http 70000 90-80 abc\n',
    expect: ['1:10-1:14', '1:15-1:20', '1:21-1:26', '1:27-1:30'],
    clean: 'FROM alpine:3.20\nEXPOSE 80 443/tcp 53/udp 9000-9010/sctp $PORT\n',
  },
  {
    code: 'ExposeProtoCasing',
    bad: 'FROM alpine:3.20\nEXPOSE 80/TCP 53/Udp\n',
    expect: ['1:10-1:13', '1:17-1:20'],
    clean: 'FROM alpine:3.20\nEXPOSE 80/tcp\n',
  },
  {
    code: 'ExposeInvalidFormat',
    bad: 'FROM alpine:3.20\nEXPOSE 8080:80 127.0.0.1:53:53/udp\n',
    expect: ['1:7-1:14', '1:15-1:34'],
    clean: 'FROM alpine:3.20\nEXPOSE 80\n',
  },
  {
    code: 'InvalidStopSignal',
    bad: 'FROM alpine:3.20\nSTOPSIGNAL SIGFOO\nSTOPSIGNAL 0\n',
    expect: ['1:11-1:17', '2:11-2:12'],
    clean: 'FROM alpine:3.20\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL quit\nSTOPSIGNAL 9\nSTOPSIGNAL SIGRTMIN+3\nSTOPSIGNAL $SIG\n',
  },
  {
    code: 'InvalidHealthcheck',
    bad:
      'FROM alpine:3.20\nHEALTHCHECK --interval=5x --timeout=-1s --start-period=10us --retries=two CMD true\n' +
      'HEALTHCHECK NONE x\nHEALTHCHECK CHECK true\nHEALTHCHECK CMD\n',
    expect: ['1:12-1:25', '1:26-1:39', '1:40-1:59', '1:60-1:73', '2:12-2:18', '3:12-3:17', '4:12-4:15'],
    clean:
      'FROM alpine:3.20\nHEALTHCHECK --interval=30s --timeout=1m30s --start-period=0 --start-interval=1.5s --retries=3 CMD curl -f http://localhost/ || exit 1\n' +
      'FROM alpine:3.20\nHEALTHCHECK NONE\nFROM alpine:3.20\nHEALTHCHECK cmd ["true"]\n',
  },
  // stage-wide
  {
    code: 'WorkdirRelativePath',
    bad: 'FROM alpine:3.20\nWORKDIR app\nWORKDIR /srv\nWORKDIR sub\n',
    expect: ['1:8-1:11'],
    clean: 'FROM alpine:3.20 AS base\nWORKDIR /app\nFROM base\nWORKDIR sub\nFROM scratch\nWORKDIR rel\nFROM alpine:3.20\nWORKDIR $HOME\nWORKDIR x\n',
  },
  {
    code: 'JSONArgsRecommended',
    bad: 'FROM alpine:3.20\nCMD node server.js\nENTRYPOINT [node, app.js]\n',
    expect: ['1:0-1:18', '2:0-2:25'],
    clean: 'FROM alpine:3.20\nCMD ["node", "server.js"]\nFROM alpine:3.20\nSHELL ["/bin/ash", "-c"]\nCMD node server.js\n',
  },
  {
    code: 'UndefinedVar',
    bad:
      'ARG VERSION=1\nFROM alpine:3.20\nENV APP_HOME=/srv\nWORKDIR $APP_HOM\nCOPY app-$VERSION.tgz /tmp/\n' +
      'USER $APP_USER\nENV A=1 B=$A\nARG APP_USER=app\nFROM scratch\nCOPY $SRC /\nWORKDIR $DIR\nENV DIR=/x\n',
    expect: ['3:8-3:16', '4:9-4:17', '5:5-5:14', '6:10-6:12', '9:5-9:9', '10:8-10:12'],
    clean:
      'ARG VERSION=1\nFROM golang:1.22\nARG VERSION\nENV PATH=$GOPATH/bin:$PATH\nCOPY app-$VERSION.tgz /tmp/\n' +
      'WORKDIR $GOPATH/src/${PROJECT:-app}\nARG TARGETARCH\nLABEL arch=$TARGETARCH\nARG A=1 B=$A\nRUN echo $UNDEFINED_IN_RUN\n' +
      'ENV PYTHONPATH=/app:$PYTHONPATH CFLAGS="$CFLAGS -O2"\nENV LD_LIBRARY_PATH /x:$LD_LIBRARY_PATH\nCOPY . $JAVA_HOME/lib/\nENV JAVA_HOME=/opt/java\n',
  },
  {
    code: 'InvalidCheckDirective',
    bad: '# check=skip=A;fail=true\nFROM alpine:3.20\n',
    expect: ['0:8-0:24'],
    clean: '# check=skip=A,B;error=false\nFROM alpine:3.20\n',
  },
];

for (const c of CASES) {
  test(`lint: ${c.code} is reported where the problem is`, () => {
    const got = found(c.bad).filter((f) => f.startsWith(`${c.code}@`));
    assert.deepEqual(got, c.expect.map((r) => `${c.code}@${r}`));
  });
  test(`lint: ${c.code} stays quiet on a clean case`, () => {
    assert.deepEqual(found(c.clean).filter((f) => f.startsWith(`${c.code}@`)), []);
  });
}

test('lint: every code has a positive and a clean case in the table', () => {
  const tested = new Set(CASES.map((c) => c.code));
  const mine = RULES.filter((r) => !RUN_RULES.includes(r)).map((r) => r.code);
  assert.deepEqual(mine.filter((code) => !tested.has(code) && code !== 'TooManyLayers'), []);
});

test('lint: TooManyLayers at the 128th layer of a stage chain, once', () => {
  const steps = (n: number, from: number): string => Array.from({ length: n }, (_, k) => `RUN echo ${from + k}\n`).join('');
  const text = `FROM alpine:3.20 AS base\n${steps(100, 0)}FROM base\n${steps(40, 100)}FROM alpine:3.20\n${steps(127, 0)}`;
  assert.deepEqual(
    found(text).filter((f) => f.startsWith('TooManyLayers')),
    ['TooManyLayers@129:0-129:12'],
  );
  const problem = run(text).find((p) => p.code === 'TooManyLayers')!;
  assert.equal(problem.severity, 'error');
});

// ---- quick fixes --------------------------------------------------------------------------------

interface FixCase {
  code: string;
  text: string;
  expect: string;
}

const FIXES: FixCase[] = [
  { code: 'FromAsCasing', text: 'FROM alpine:3.20 as build\n', expect: 'FROM alpine:3.20 AS build\n' },
  { code: 'FromAsCasing', text: 'from alpine:3.20 AS build\n', expect: 'from alpine:3.20 as build\n' },
  {
    code: 'StageNameCasing',
    text: 'FROM alpine:3.20 AS Build\nFROM Build AS test\nFROM alpine:3.20\nCOPY --from=BUILD /a /b\n',
    expect: 'FROM alpine:3.20 AS build\nFROM build AS test\nFROM alpine:3.20\nCOPY --from=build /a /b\n',
  },
  { code: 'ConsistentInstructionCasing', text: 'FROM alpine:3.20\nCopy a b\nRUN x\n', expect: 'FROM alpine:3.20\nCOPY a b\nRUN x\n' },
  { code: 'ConsistentInstructionCasing', text: 'from alpine:3.20\nrun a\nCOPY a b\n', expect: 'from alpine:3.20\nrun a\ncopy a b\n' },
  {
    code: 'MaintainerDeprecated',
    text: 'FROM alpine:3.20\nMAINTAINER Jane "JD" Doe <jane@example.com>\n',
    expect: 'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane \\"JD\\" Doe <jane@example.com>"\n',
  },
  {
    code: 'MaintainerDeprecated',
    text: '# escape=`\nFROM alpine:3.20\nMAINTAINER "Jane $Doe"\n',
    expect: '# escape=`\nFROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane `$Doe"\n',
  },
  { code: 'NoEmptyContinuation', text: 'FROM alpine:3.20\nRUN a \\\n   \n  b\n', expect: 'FROM alpine:3.20\nRUN a \\\n  b\n' },
  { code: 'LegacyKeyValueFormat', text: 'FROM alpine:3.20\nENV A b\n', expect: 'FROM alpine:3.20\nENV A=b\n' },
  { code: 'LegacyKeyValueFormat', text: 'FROM alpine:3.20\nENV MSG hello  world\n', expect: 'FROM alpine:3.20\nENV MSG="hello  world"\n' },
  {
    code: 'LegacyKeyValueFormat',
    text: 'FROM alpine:3.20\nLABEL desc "a \\"b\\"" \'c $d\' $HOME\n',
    expect: 'FROM alpine:3.20\nLABEL desc="a \\"b\\" c \\$d $HOME"\n',
  },
  { code: 'LegacyKeyValueFormat', text: 'FROM alpine:3.20\nLABEL maintainer "Jane Doe"\n', expect: 'FROM alpine:3.20\nLABEL maintainer="Jane Doe"\n' },
  { code: 'ExposeProtoCasing', text: 'FROM alpine:3.20\nEXPOSE 80/TCP\n', expect: 'FROM alpine:3.20\nEXPOSE 80/tcp\n' },
  { code: 'ExposeInvalidFormat', text: 'FROM alpine:3.20\nEXPOSE 0.0.0.0:8080:80/tcp\n', expect: 'FROM alpine:3.20\nEXPOSE 80/tcp\n' },
  { code: 'JSONArgsRecommended', text: 'FROM alpine:3.20\nCMD node server.js --port=8080\n', expect: 'FROM alpine:3.20\nCMD ["node", "server.js", "--port=8080"]\n' },
  {
    code: 'JSONArgsRecommended',
    text: 'FROM alpine:3.20\nENTRYPOINT exec nginx -g "daemon off;"\n',
    expect: 'FROM alpine:3.20\nENTRYPOINT ["/bin/sh", "-c", "exec nginx -g \\"daemon off;\\""]\n',
  },
  {
    code: 'JSONArgsRecommended',
    text: 'FROM alpine:3.20\nCMD ./start.sh && \\\n    tail -f /dev/null\n',
    expect: 'FROM alpine:3.20\nCMD ["/bin/sh", "-c", "./start.sh &&     tail -f /dev/null"]\n',
  },
  {
    code: 'JSONArgsRecommended',
    text: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD ping -t localhost\n',
    expect: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD ["ping", "-t", "localhost"]\n',
  },
  { code: 'WorkdirRelativePath', text: 'FROM alpine:3.20\nWORKDIR ./app\n', expect: 'FROM alpine:3.20\nWORKDIR /app\n' },
  { code: 'UnknownInstruction', text: 'FROM alpine:3.20\nrnu echo\n', expect: 'FROM alpine:3.20\nrun echo\n' },
  { code: 'UnknownFlag', text: 'FROM alpine:3.20\nCOPY --chwon=1 a b\n', expect: 'FROM alpine:3.20\nCOPY --chown=1 a b\n' },
  {
    code: 'RedundantTargetPlatform',
    text: 'FROM --platform=$TARGETPLATFORM alpine:3.20 AS a\n',
    expect: 'FROM alpine:3.20 AS a\n',
  },
  {
    code: 'UndefinedVar',
    text: 'ARG VERSION=1\nFROM alpine:3.20\n  COPY app-$VERSION.tgz /tmp/\n',
    expect: 'ARG VERSION=1\nFROM alpine:3.20\n  ARG VERSION\n  COPY app-$VERSION.tgz /tmp/\n',
  },
  {
    code: 'UndefinedVar',
    text: 'FROM alpine:3.20\nENV APP_HOME=/srv\nWORKDIR ${APP_HOM}/data\n',
    expect: 'FROM alpine:3.20\nENV APP_HOME=/srv\nWORKDIR ${APP_HOME}/data\n',
  },
  {
    code: 'MultipleInstructionsDisallowed',
    text: 'FROM alpine:3.20\nCMD ["a"]\nCMD ["b"]\n',
    expect: 'FROM alpine:3.20\nCMD ["b"]\n',
  },
];

for (const [n, f] of FIXES.entries()) {
  test(`lint: the ${f.code} fix #${n} gives the expected text`, () => {
    const result = fixed(f.text, f.code);
    assert.equal(result, f.expect);
    assert.deepEqual(found(result).filter((x) => x.startsWith(`${f.code}@`)), [], 'the fixed text no longer has the problem');
  });
}

test('lint: a fix that deletes the last line stays inside the document', () => {
  const text = 'FROM alpine:3.20\nRUN a \\\n   ';
  const p = run(text).find((x) => x.code === 'NoEmptyContinuation')!;
  assert.equal(at(p.fixes![0]!.edits[0]!.range), '1:7-2:3');
  assert.equal(applyFix(text, p.fixes![0]!), 'FROM alpine:3.20\nRUN a \\');
});

test('lint: JSONArgsRecommended offers no conversion for arguments that merely look like JSON', () => {
  const p = run('FROM alpine:3.20\nCMD [node, app.js]\n').find((x) => x.code === 'JSONArgsRecommended')!;
  assert.equal(p.fixes, undefined);
  assert.match(p.message, /look like JSON/);
});

test('lint: InvalidDefaultArgInFrom sees an empty tag without the engine\'s validator', () => {
  const text = 'ARG TAG\nFROM alpine:$TAG\n';
  assert.deepEqual(lint(parse(text), text).map((p) => p.code), ['InvalidDefaultArgInFrom']);
});

test('lint: UndefinedVar suggests the ARG of the same name when used before its definition', () => {
  const p = run('FROM alpine:3.20\nWORKDIR /$DIR\nARG DIR=x\n').find((x) => x.code === 'UndefinedVar')!;
  assert.match(p.message, /defined later, by the ARG on line 3/);
});

// ---- tags, severities, the check directive, parse problems -------------------------------------

test('lint: deprecated and unnecessary code is tagged', () => {
  const problems = run('FROM alpine:3.20\nMAINTAINER me\nCMD ["a"]\nCMD ["b"]\nLABEL a=1\nLABEL a=2\n');
  const tags = Object.fromEntries(problems.map((p) => [p.code, p.tags]));
  assert.deepEqual(tags.MaintainerDeprecated, ['deprecated']);
  assert.deepEqual(tags.MultipleInstructionsDisallowed, ['unnecessary']);
  assert.deepEqual(tags.DuplicateLabel, ['unnecessary']);
});

test('lint: default severities are errors only for what the build refuses', () => {
  const problems = run('FROM alpine\nCOPPY a b\n');
  const severity = Object.fromEntries(problems.map((p) => [p.code, p.severity]));
  assert.equal(severity.ImplicitLatestTag, 'warning');
  assert.equal(severity.UnknownInstruction, 'error');
});

test('lint: severities from settings change or silence a code; unknown values are ignored', () => {
  const text = 'FROM alpine\nfrom alpine:3.20\n';
  assert.deepEqual(
    run(text, { severities: { ImplicitLatestTag: 'off', ConsistentInstructionCasing: 'hint' } }).map((p) => [p.code, p.severity]),
    [['ConsistentInstructionCasing', 'hint']],
  );
  assert.deepEqual(
    run(text, { severities: { ImplicitLatestTag: 'error', ConsistentInstructionCasing: 'loud' as never } }).map((p) => [p.code, p.severity]),
    [['ImplicitLatestTag', 'error'], ['ConsistentInstructionCasing', 'warning']],
  );
});

test('lint: # check=skip= skips the named checks', () => {
  const text = '# check=skip=ImplicitLatestTag, FromAsCasing\nFROM alpine as a\nCMD x\n';
  assert.deepEqual(found(text), ['JSONArgsRecommended@2:0-2:5']);
});

test('lint: # check=skip=all skips the warnings but not what fails the build', () => {
  const text = '# check=skip=all\nFROM alpine as a\nCMD x\nCOPPY a b\n';
  assert.deepEqual(found(text), ['UnknownInstruction@3:0-3:5']);
});

test('lint: # check=error=true makes warnings errors', () => {
  const problems = run('# check=error=true\nFROM alpine\n');
  assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['ImplicitLatestTag', 'error']]);
  const both = run('# check=skip=FromAsCasing;error=true\nFROM alpine:3.20 as a\nCMD x\n');
  assert.deepEqual(both.map((p) => [p.code, p.severity]), [['JSONArgsRecommended', 'error']]);
});

test('lint: the parser\'s problems are errors with the parser\'s codes', () => {
  const problems = run('FROM alpine:3.20\nRUN <<EOF\necho hi\n');
  const heredoc = problems.find((p) => p.code === 'unterminated-heredoc');
  assert.ok(heredoc);
  assert.equal(heredoc.severity, 'error');
  assert.equal(at(heredoc.range), '1:4-1:9');
  assert.deepEqual(found('FROM alpine:3.20\nLABEL a=b c\n'), ['missing-equals@1:10-1:11']);
  assert.deepEqual(found(''), ['no-instructions@0:0-0:0']);
  assert.deepEqual(found('FROM alpine:3.20\nRUN <<EOF\necho hi\n', { severities: { 'unterminated-heredoc': 'off' } }), []);
});

test('lint: problems come sorted by position', () => {
  const problems = run('FROM alpine\nCOPPY a b\nfrom alpine:latest as X\n');
  const keys = problems.map((p) => p.range.start.line * 1000 + p.range.start.character);
  assert.deepEqual(keys, [...keys].sort((a, b) => a - b));
});

// ---- robustness ---------------------------------------------------------------------------------

test('lint: a rule that throws is dropped, the others still report', () => {
  const crashing: Rule = {
    code: 'Crashing',
    defaultSeverity: 'error',
    description: 'throws halfway',
    check(_ctx, report) {
      report({ message: 'partial', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } });
      throw new Error('boom');
    },
  };
  RULES.unshift(crashing);
  try {
    assert.deepEqual(found('FROM alpine\n'), ['ImplicitLatestTag@0:5-0:11']);
  } finally {
    RULES.splice(RULES.indexOf(crashing), 1);
  }
});

test('lint: a validator that throws does not stop linting', () => {
  const text = 'FROM Alpine:3.20\nFROM alpine\n';
  const problems = lint(parse(text), text, {
    validateReference: () => {
      throw new Error('boom');
    },
  });
  assert.deepEqual(problems.map((p) => p.code), ['ImplicitLatestTag']);
});

test('lint: never throws, whatever the input', () => {
  assert.deepEqual(lint({} as never, ''), []);
  const pieces = ['FROM ', 'RUN ', 'COPY --from=', 'ARG ', 'ENV ', 'LABEL ', '$', '${', '}', '"', "'", '\\\n', '`\n', '<<EOF\n', 'EOF\n', '\n', ' ', 'AS ', '--', '=', '[', ']', ':', '/', '# check=skip=', 'ONBUILD ', 'HEALTHCHECK ', 'EXPOSE ', '# escape=`\n'];
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let n = 0; n < 300; n++) {
    let text = '';
    for (let k = 0; k < 40; k++) text += pieces[Math.floor(random() * pieces.length)];
    assert.ok(Array.isArray(run(text)));
  }
});

test('lint: 5,000 lines of mixed instructions are linted', () => {
  const lines: string[] = ['ARG BASE=alpine:3.20', 'FROM $BASE AS base'];
  for (let i = 0; lines.length < 5000; i++) {
    if (i % 400 === 0) lines.push(`FROM base AS s${i}`);
    lines.push(
      `ENV V${i}=value${i} PATH=/opt/${i}/bin:$PATH`,
      `RUN echo $V${i} && \\`,
      '    make -j4',
      `COPY --chown=app:app src${i} /app/$V${i}`,
      `LABEL k${i}="v ${i}"`,
      `WORKDIR /app/$V${i}`,
      `EXPOSE ${1000 + i}`,
      `# comment ${i}`,
      `USER $MISSING${i % 10}`,
      'CMD node app.js',
    );
  }
  const text = lines.join('\n');
  const problems = run(text);
  assert.ok(problems.some((p) => p.code === 'TooManyLayers'));
  assert.ok(problems.some((p) => p.code === 'MultipleInstructionsDisallowed'));
});

// ---- settings -----------------------------------------------------------------------------------

test('ruleInfo: every code once, with its default severity and a description', () => {
  const info = ruleInfo();
  const codes = info.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const rule of RULES) assert.ok(codes.includes(rule.code), rule.code);
  for (const code of ['unterminated-heredoc', 'missing-equals', 'no-instructions']) assert.ok(codes.includes(code), code);
  for (const r of info) {
    assert.ok(['error', 'warning', 'information', 'hint'].includes(r.defaultSeverity), r.code);
    assert.ok(r.description.length > 10, r.code);
  }
  assert.equal(info.find((r) => r.code === 'UndefinedVar')?.defaultSeverity, 'warning');
  assert.equal(info.find((r) => r.code === 'DuplicateStageName')?.defaultSeverity, 'error');
});

// ---- clean Dockerfiles --------------------------------------------------------------------------

const CLEAN: Record<string, string> = {
  'a multi-stage Go build': `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG ALPINE_VERSION=3.20

FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION}-alpine\${ALPINE_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM build AS test
RUN go test ./...

FROM alpine:\${ALPINE_VERSION} AS runtime
RUN addgroup -S app && adduser -S app -G app
COPY --from=build --chown=app:app /out/app /usr/local/bin/app
USER app
EXPOSE 8080/tcp
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["/usr/local/bin/app", "health"]
STOPSIGNAL SIGTERM
LABEL org.opencontainers.image.title="app" \\
      org.opencontainers.image.source="https://example.com/app"
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["serve"]
`,
  'a Node.js app': `FROM node:20-alpine AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY . .
EXPOSE \${PORT}
USER node
CMD ["node", "server.js"]
`,
  'heredocs': `# syntax=docker/dockerfile:1.7
FROM debian:12-slim
ARG APP_USER=app
RUN <<EOF
set -e
useradd --create-home "$APP_USER"
echo "FROM alpine" > /tmp/not-an-instruction
EOF
COPY <<-"CONF" /etc/app/app.conf
	user = $APP_USER
	EXPOSE nothing
	CONF
COPY --chmod=755 <<EOF /usr/local/bin/start
#!/bin/sh
exec /usr/local/bin/app "\$@"
EOF
RUN <<PY python3
print("done")
PY
USER $APP_USER
CMD ["/usr/local/bin/start"]
`,
  'a Windows image with escape=`': `# escape=\`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
WORKDIR C:\\app
ENV APP_HOME=C:\\app
COPY app.ps1 C:\\app\\
COPY config\\ C:\\app\\config\\
RUN Write-Host 'installing'; \`
    New-Item -ItemType Directory -Path C:\\data
LABEL description="Windows \`"server\`" image"
EXPOSE 80
CMD ["powershell", "-File", "C:\\\\app\\\\app.ps1"]
`,
  'a Python service with global ARGs and ONBUILD': `ARG PYTHON_VERSION=3.12
FROM python:\${PYTHON_VERSION}-slim AS base
ARG PYTHON_VERSION
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PIP_NO_CACHE_DIR=1
LABEL python.version=$PYTHON_VERSION
WORKDIR /srv
ONBUILD COPY requirements.txt /srv/
ONBUILD RUN pip install -r requirements.txt

FROM base AS app
COPY . /srv
VOLUME ["/srv/data"]
EXPOSE 8000
CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]
`,
  'lower-case instructions': `from alpine:3.20 as build
workdir /src
copy . .
run make
from scratch
copy --from=build /src/out /app
entrypoint ["/app"]
`,
};

for (const [name, text] of Object.entries(CLEAN)) {
  test(`lint: ${name} has no problems`, () => {
    assert.deepEqual(found(text), []);
  });
}
