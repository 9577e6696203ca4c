// The RUN checks (src/dockerfile/lint/run-rules.ts), each run on its own through a small harness that
// collects what it reports: codes and ranges (which must underline the offending word where it was
// written, across continuation lines and inside here-documents), quick fixes applied to the text, and
// the cases that must stay quiet (quotes, comments, here-document data, options on later lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argScope } from '../../src/dockerfile/arg-scope';
import { parse } from '../../src/dockerfile/parse';
import type { Range } from '../../src/dockerfile/position';
import { RUN_RULES, singleQuotedItems } from '../../src/dockerfile/lint/run-rules';
import type { LintContext, LintProblem, Rule } from '../../src/dockerfile/lint/types';
import { readScript } from '../../src/dockerfile/lint/shell/script';
import { applyFix } from '../helpers/text-edits';

type Found = Omit<LintProblem, 'severity'> & { severity: Rule['defaultSeverity'] };

function lintRuns(text: string): Found[] {
  const ast = parse(text);
  const ctx: LintContext = { ast, text, scope: argScope(ast) };
  const found: Found[] = [];
  for (const rule of RUN_RULES) {
    rule.check(ctx, (p) => found.push({ ...p, code: p.code ?? rule.code, severity: rule.defaultSeverity }));
  }
  return found;
}

function at(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}



/** `Code@line:char-line:char` of what `codes` report (all codes when absent), in report order. */
function report(text: string, codes?: string[]): string[] {
  return lintRuns(text)
    .filter((p) => !codes || codes.includes(p.code))
    .map((p) => `${p.code}@${at(p.range)}`);
}

interface Case {
  name: string;
  text: string;
  /** Codes looked at; others are ignored. */
  codes: string[];
  expect: string[];
}

function table(title: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      assert.deepEqual(report(c.text, c.codes), c.expect);
    });
  }
}

/** The text after applying the first fix of the only problem with `code`. */
function fixed(text: string, code: string): string {
  const problems = lintRuns(text).filter((p) => p.code === code);
  assert.equal(problems.length, 1, `one ${code} in ${JSON.stringify(text)}: ${JSON.stringify(problems)}`);
  const fix = problems[0]!.fixes?.[0];
  assert.ok(fix, `${code} has a fix`);
  return applyFix(text, fix);
}

test('every RUN rule has a distinct PascalCase code, a description and a severity', () => {
  const codes = RUN_RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const r of RUN_RULES) {
    assert.match(r.code, /^[A-Z][A-Za-z]+$/);
    assert.ok(r.description.length > 10);
  }
  const severities = Object.fromEntries(RUN_RULES.map((r) => [r.code, r.defaultSeverity]));
  assert.deepEqual(severities, {
    EmptyRun: 'error',
    AptGetMissingYes: 'warning',
    AptGetInstallRecommends: 'information',
    AptGetUpdateAlone: 'warning',
    AptListsNotRemoved: 'information',
    AptInsteadOfAptGet: 'warning',
    SudoInRun: 'warning',
    CdInsteadOfWorkdir: 'information',
    PipMissingNoCacheDir: 'warning',
    CurlAndWget: 'information',
    PipeWithoutPipefail: 'warning',
    ExecFormSingleQuotes: 'warning',
  });
});

table('EmptyRun', [
  { name: 'bare RUN', text: 'FROM alpine\nRUN\n', codes: ['EmptyRun'], expect: ['EmptyRun@1:0-1:3'] },
  { name: 'only flags', text: 'FROM alpine\nRUN --mount=type=cache,target=/x\n', codes: ['EmptyRun'], expect: ['EmptyRun@1:0-1:3'] },
  { name: 'empty exec form', text: 'FROM alpine\nRUN []\n', codes: ['EmptyRun'], expect: ['EmptyRun@1:0-1:3'] },
  { name: 'ONBUILD RUN', text: 'FROM alpine\nONBUILD RUN\n', codes: ['EmptyRun'], expect: ['EmptyRun@1:8-1:11'] },
  { name: 'trailing spaces', text: 'FROM alpine\nrun   \n', codes: ['EmptyRun'], expect: ['EmptyRun@1:0-1:3'] },
  { name: 'a command', text: 'FROM alpine\nRUN true\n', codes: ['EmptyRun'], expect: [] },
  { name: 'a here-document', text: 'FROM alpine\nRUN <<EOF\nEOF\n', codes: ['EmptyRun'], expect: [] },
]);

test('EmptyRun is an error', () => {
  const [p] = lintRuns('FROM alpine\nRUN\n');
  assert.equal(p?.severity, 'error');
  assert.match(p!.message, /requires at least one argument/);
});

const YES = ['AptGetMissingYes'];
table('AptGetMissingYes', [
  { name: 'install', text: 'FROM debian\nRUN apt-get install curl\n', codes: YES, expect: ['AptGetMissingYes@1:12-1:19'] },
  {
    name: 'install on a continuation line',
    text: 'FROM debian\nRUN apt-get update \\\n    # the tools\n    && apt-get install \\\n       curl\n',
    codes: YES,
    expect: ['AptGetMissingYes@3:15-3:22'],
  },
  { name: 'apt install', text: 'FROM debian\nRUN apt install curl\n', codes: YES, expect: ['AptGetMissingYes@1:8-1:15'] },
  { name: 'remove', text: 'FROM debian\nRUN apt-get remove curl\n', codes: YES, expect: ['AptGetMissingYes@1:12-1:18'] },
  { name: 'upgrade', text: 'FROM debian\nRUN apt-get update && apt-get dist-upgrade\n', codes: YES, expect: ['AptGetMissingYes@1:30-1:42'] },
  {
    name: 'an option with a value before the subcommand',
    text: 'FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confold install x\n',
    codes: YES,
    expect: ['AptGetMissingYes@1:47-1:54'],
  },
  {
    name: 'a RUN <<EOF script',
    text: 'FROM debian\nRUN <<EOF\nset -e\napt-get update\napt-get install curl\nEOF\n',
    codes: YES,
    expect: ['AptGetMissingYes@4:8-4:15'],
  },
  {
    name: 'RUN <<EOT bash',
    text: 'FROM debian\nRUN <<EOT bash\n  apt-get update\n  apt-get install vim\nEOT\n',
    codes: YES,
    expect: ['AptGetMissingYes@3:10-3:17'],
  },
  { name: 'exec form', text: 'FROM debian\nRUN ["apt-get", "install", "x"]\n', codes: YES, expect: ['AptGetMissingYes@1:16-1:25'] },
  { name: 'sh -c in exec form', text: 'FROM debian\nRUN ["sh", "-c", "apt-get install x"]\n', codes: YES, expect: ['AptGetMissingYes@1:26-1:33'] },
  { name: 'behind sudo and env', text: 'FROM debian\nRUN DEBIAN_FRONTEND=noninteractive sudo -E apt-get install x\n', codes: YES, expect: ['AptGetMissingYes@1:51-1:58'] },
  { name: 'in an ONBUILD', text: 'FROM debian\nONBUILD RUN apt-get install x\n', codes: YES, expect: ['AptGetMissingYes@1:20-1:27'] },
  { name: 'after if/then', text: 'FROM debian\nRUN if true; then apt-get install x; fi\n', codes: YES, expect: ['AptGetMissingYes@1:26-1:33'] },
  // Negatives.
  { name: '-y', text: 'FROM debian\nRUN apt-get install -y curl\n', codes: YES, expect: [] },
  { name: '-y before install', text: 'FROM debian\nRUN apt-get -y install curl\n', codes: YES, expect: [] },
  { name: '-y on a later line', text: 'FROM debian\nRUN apt-get install \\\n    curl \\\n    -y\n', codes: YES, expect: [] },
  { name: '--yes', text: 'FROM debian\nRUN apt-get install --yes curl\n', codes: YES, expect: [] },
  { name: '--assume-yes', text: 'FROM debian\nRUN apt-get install --assume-yes curl\n', codes: YES, expect: [] },
  { name: '-qq', text: 'FROM debian\nRUN apt-get -qq install curl\n', codes: YES, expect: [] },
  { name: '-q=2', text: 'FROM debian\nRUN apt-get -q=2 install curl\n', codes: YES, expect: [] },
  { name: '-qy', text: 'FROM debian\nRUN apt-get install -qy curl\n', codes: YES, expect: [] },
  { name: 'update only', text: 'FROM debian\nRUN apt-get update && apt-get install -y x\n', codes: YES, expect: [] },
  { name: 'in double quotes', text: 'FROM debian\nRUN echo "apt-get install curl"\n', codes: YES, expect: [] },
  { name: 'in single quotes', text: "FROM debian\nRUN sh -c 'apt-get install curl'\n", codes: YES, expect: [] },
  { name: 'in a shell comment', text: 'FROM debian\nRUN true # apt-get install curl\n', codes: YES, expect: [] },
  { name: 'in a Dockerfile comment', text: 'FROM debian\n# RUN apt-get install curl\nRUN true\n', codes: YES, expect: [] },
  { name: 'a package named install', text: 'FROM debian\nRUN apt-get install -y install\n', codes: YES, expect: [] },
  { name: 'escaped operator', text: 'FROM debian\nRUN echo a \\&\\& apt-get install x\n', codes: YES, expect: [] },
  { name: 'here-document data', text: 'FROM debian\nRUN cat <<EOF > /setup.sh\napt-get install curl\nEOF\n', codes: YES, expect: [] },
  { name: 'a python here-document', text: 'FROM debian\nRUN python3 <<EOF\nprint("apt-get install x")\nEOF\n', codes: YES, expect: [] },
  {
    name: 'a here-document inside a script',
    text: "FROM debian\nRUN <<EOF\ncat > /x.sh <<'X'\napt-get install x\nX\nEOF\n",
    codes: YES,
    expect: [],
  },
  { name: 'a python shebang', text: 'FROM debian\nRUN <<EOF\n#!/usr/bin/env python3\napt-get install x\nEOF\n', codes: YES, expect: [] },
  { name: 'options in a variable', text: 'FROM debian\nRUN apt-get $APT_OPTS install x\n', codes: YES, expect: [] },
  { name: 'flags in a variable', text: 'FROM debian\nRUN apt-get install ${INSTALL_FLAGS} x\n', codes: YES, expect: [] },
  {
    name: 'assume-yes configured earlier',
    text: 'FROM debian\nRUN echo \'APT::Get::Assume-Yes "true";\' > /etc/apt/apt.conf.d/90yes\nRUN apt-get install x\n',
    codes: YES,
    expect: [],
  },
  {
    name: '--assume-yes in an earlier RUN does not configure apt',
    text: 'FROM debian\nRUN apt-get install --assume-yes a\nRUN apt-get install b\n',
    codes: YES,
    expect: ['AptGetMissingYes@2:12-2:19'],
  },
  { name: '-o Assume-Yes', text: 'FROM debian\nRUN apt-get -o APT::Get::Assume-Yes=true install x\n', codes: YES, expect: [] },
]);

test('AptGetMissingYes: the fix adds -y after the subcommand', () => {
  assert.equal(fixed('FROM debian\nRUN apt-get install curl\n', 'AptGetMissingYes'), 'FROM debian\nRUN apt-get install -y curl\n');
  assert.equal(
    fixed('FROM debian\nRUN apt-get update && apt-get install \\\n  curl\n', 'AptGetMissingYes'),
    'FROM debian\nRUN apt-get update && apt-get install -y \\\n  curl\n',
  );
  assert.equal(
    fixed('FROM debian\nRUN <<EOF\napt-get install curl\nEOF\n', 'AptGetMissingYes'),
    'FROM debian\nRUN <<EOF\napt-get install -y curl\nEOF\n',
  );
  assert.equal(fixed('FROM debian\nRUN ["apt-get", "install", "x"]\n', 'AptGetMissingYes'), 'FROM debian\nRUN ["apt-get", "install", "-y", "x"]\n');
  const fix = lintRuns('FROM debian\nRUN apt-get install x\n').find((p) => p.code === 'AptGetMissingYes')!.fixes![0]!;
  assert.equal(fix.preferred, true);
});

const RECOMMENDS = ['AptGetInstallRecommends'];
table('AptGetInstallRecommends', [
  { name: 'install', text: 'FROM debian\nRUN apt-get install -y curl\n', codes: RECOMMENDS, expect: ['AptGetInstallRecommends@1:12-1:19'] },
  { name: 'apt install', text: 'FROM debian\nRUN apt install -y curl\n', codes: RECOMMENDS, expect: ['AptGetInstallRecommends@1:8-1:15'] },
  { name: 'only install, not upgrade', text: 'FROM debian\nRUN apt-get upgrade -y\n', codes: RECOMMENDS, expect: [] },
  { name: 'with the option', text: 'FROM debian\nRUN apt-get install -y --no-install-recommends curl\n', codes: RECOMMENDS, expect: [] },
  { name: 'the option on a later line', text: 'FROM debian\nRUN apt-get install -y \\\n  --no-install-recommends curl\n', codes: RECOMMENDS, expect: [] },
  { name: '-o APT::Install-Recommends', text: 'FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false x\n', codes: RECOMMENDS, expect: [] },
  {
    name: 'configured by a COPY here-document',
    text: 'FROM debian\nCOPY <<EOF /etc/apt/apt.conf.d/99norecommends\nAPT::Install-Recommends "false";\nEOF\nRUN apt-get install -y curl\n',
    codes: RECOMMENDS,
    expect: [],
  },
]);

test('AptGetInstallRecommends: information, the fix adds --no-install-recommends', () => {
  const p = lintRuns('FROM debian\nRUN apt-get install -y curl\n').find((x) => x.code === 'AptGetInstallRecommends')!;
  assert.equal(p.severity, 'information');
  assert.equal(
    fixed('FROM debian\nRUN apt-get install -y curl\n', 'AptGetInstallRecommends'),
    'FROM debian\nRUN apt-get install --no-install-recommends -y curl\n',
  );
});

const UPDATE = ['AptGetUpdateAlone'];
table('AptGetUpdateAlone', [
  { name: 'alone', text: 'FROM debian\nRUN apt-get update\n', codes: UPDATE, expect: ['AptGetUpdateAlone@1:12-1:18'] },
  {
    name: 'install in the next RUN',
    text: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n',
    codes: UPDATE,
    expect: ['AptGetUpdateAlone@1:12-1:18'],
  },
  { name: 'with something else', text: 'FROM debian\nRUN apt-get -q update && echo done\n', codes: UPDATE, expect: ['AptGetUpdateAlone@1:15-1:21'] },
  { name: 'with an install', text: 'FROM debian\nRUN apt-get update && apt-get install -y curl\n', codes: UPDATE, expect: [] },
  { name: 'with an upgrade', text: 'FROM debian\nRUN apt-get update && apt-get upgrade -y\n', codes: UPDATE, expect: [] },
  { name: 'install through xargs', text: 'FROM debian\nRUN apt-get update && xargs apt-get install -y < /pkgs.txt\n', codes: UPDATE, expect: [] },
  {
    name: 'install in the RUN <<EOF script',
    text: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n',
    codes: UPDATE,
    expect: [],
  },
  { name: 'in an echo', text: 'FROM debian\nRUN echo apt-get update\n', codes: UPDATE, expect: [] },
]);

const LISTS = ['AptListsNotRemoved'];
table('AptListsNotRemoved', [
  { name: 'not removed', text: 'FROM debian\nRUN apt-get update && apt-get install -y curl\n', codes: LISTS, expect: ['AptListsNotRemoved@1:22-1:37'] },
  {
    name: 'a builder stage only copied from does not ship its lists; the final stage and its parents do',
    text: 'FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\nCOPY --from=build /x /x\n',
    codes: LISTS,
    expect: ['AptListsNotRemoved@3:22-3:37'],
  },
  {
    name: 'the last install is underlined',
    text: 'FROM debian\nRUN apt-get install -y a \\\n && apt-get install -y b\n',
    codes: LISTS,
    expect: ['AptListsNotRemoved@2:4-2:19'],
  },
  {
    name: 'removed before the install',
    text: 'FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\n',
    codes: LISTS,
    expect: ['AptListsNotRemoved@1:53-1:68'],
  },
  {
    name: 'removed in a later RUN',
    text: 'FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n',
    codes: LISTS,
    expect: ['AptListsNotRemoved@1:22-1:37'],
  },
  {
    name: 'removed',
    text: 'FROM debian\nRUN apt-get update \\\n && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n',
    codes: LISTS,
    expect: [],
  },
  { name: 'removed, quoted', text: 'FROM debian\nRUN apt-get install -y x; rm -rf "/var/lib/apt/lists/"*\n', codes: LISTS, expect: [] },
  { name: 'apt-get distclean', text: 'FROM debian\nRUN apt-get install -y x && apt-get distclean\n', codes: LISTS, expect: [] },
  {
    name: 'lists in a cache mount',
    text: 'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y x\n',
    codes: LISTS,
    expect: [],
  },
  {
    name: 'removed in the RUN <<EOF script',
    text: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y x\nrm -rf /var/lib/apt/lists/*\nEOF\n',
    codes: LISTS,
    expect: [],
  },
]);

const APT = ['AptInsteadOfAptGet'];
table('AptInsteadOfAptGet', [
  {
    name: 'apt update and install',
    text: 'FROM debian\nRUN apt update && apt install -y curl\n',
    codes: APT,
    expect: ['AptInsteadOfAptGet@1:4-1:7', 'AptInsteadOfAptGet@1:18-1:21'],
  },
  { name: 'a full path', text: 'FROM debian\nRUN /usr/bin/apt install -y curl\n', codes: APT, expect: ['AptInsteadOfAptGet@1:4-1:16'] },
  { name: 'apt list has no apt-get twin', text: 'FROM debian\nRUN apt list --installed\n', codes: APT, expect: [] },
  { name: 'apt-cache', text: 'FROM debian\nRUN apt-cache policy curl\n', codes: APT, expect: [] },
  { name: 'a package named apt', text: 'FROM debian\nRUN apt-get install -y apt\n', codes: APT, expect: [] },
]);

test('AptInsteadOfAptGet: the fix writes apt-get', () => {
  assert.equal(fixed('FROM debian\nRUN apt update\n', 'AptInsteadOfAptGet'), 'FROM debian\nRUN apt-get update\n');
  assert.equal(fixed('FROM debian\nRUN ["/usr/bin/apt", "update"]\n', 'AptInsteadOfAptGet'), 'FROM debian\nRUN ["/usr/bin/apt-get", "update"]\n');
});

const SUDO = ['SudoInRun'];
table('SudoInRun', [
  { name: 'sudo', text: 'FROM debian\nRUN sudo apt-get install -y curl\n', codes: SUDO, expect: ['SudoInRun@1:4-1:8'] },
  { name: 'after &&', text: 'FROM debian\nRUN make && \\\n  sudo make install\n', codes: SUDO, expect: ['SudoInRun@2:2-2:6'] },
  { name: 'sudo -u', text: 'FROM debian\nRUN sudo -u app npm ci\n', codes: SUDO, expect: ['SudoInRun@1:4-1:8'] },
  { name: 'installing sudo', text: 'FROM debian\nRUN apt-get install -y sudo\n', codes: SUDO, expect: [] },
  { name: 'a group named sudo', text: 'FROM debian\nRUN usermod -aG sudo app\n', codes: SUDO, expect: [] },
  { name: 'in quotes', text: 'FROM debian\nRUN echo "app ALL=(ALL) NOPASSWD: ALL # sudo" > /etc/sudoers.d/app\n', codes: SUDO, expect: [] },
]);

test('SudoInRun: the message says to use USER root', () => {
  const p = lintRuns('FROM debian\nRUN sudo true\n').find((x) => x.code === 'SudoInRun')!;
  assert.match(p.message, /USER root/);
});

const CD = ['CdInsteadOfWorkdir'];
table('CdInsteadOfWorkdir', [
  { name: 'cd first', text: 'FROM golang\nRUN cd /src && go build ./...\n', codes: CD, expect: ['CdInsteadOfWorkdir@1:4-1:6'] },
  { name: 'cd alone', text: 'FROM golang\nRUN cd /src\n', codes: CD, expect: ['CdInsteadOfWorkdir@1:4-1:6'] },
  { name: 'first in a RUN <<EOF script', text: 'FROM golang\nRUN <<EOF\ncd /src\nmake\nEOF\n', codes: CD, expect: ['CdInsteadOfWorkdir@2:0-2:2'] },
  { name: 'not first', text: 'FROM golang\nRUN mkdir -p /src && cd /src && make\n', codes: CD, expect: [] },
  { name: 'in a subshell', text: 'FROM golang\nRUN (cd /src && make)\n', codes: CD, expect: [] },
  { name: 'a temporary directory', text: 'FROM golang\nRUN cd "$(mktemp -d)" && make\n', codes: CD, expect: [] },
  { name: 'cd -', text: 'FROM golang\nRUN cd - && make\n', codes: CD, expect: [] },
]);

test('CdInsteadOfWorkdir: information naming the WORKDIR to use', () => {
  const [chain] = lintRuns('FROM golang\nRUN cd /src && make\n').filter((x) => x.code === 'CdInsteadOfWorkdir');
  assert.equal(chain?.severity, 'information');
  assert.match(chain!.message, /WORKDIR \/src/);
  const [alone] = lintRuns('FROM golang\nRUN cd /src\n').filter((x) => x.code === 'CdInsteadOfWorkdir');
  assert.match(alone!.message, /no effect/);
});

const PIP = ['PipMissingNoCacheDir'];
table('PipMissingNoCacheDir', [
  { name: 'pip install', text: 'FROM python\nRUN pip install flask\n', codes: PIP, expect: ['PipMissingNoCacheDir@1:8-1:15'] },
  { name: 'pip install -r', text: 'FROM python\nRUN pip install -r requirements.txt\n', codes: PIP, expect: ['PipMissingNoCacheDir@1:8-1:15'] },
  { name: 'pip3', text: 'FROM python\nRUN pip3 install --upgrade pip\n', codes: PIP, expect: ['PipMissingNoCacheDir@1:9-1:16'] },
  { name: 'python -m pip', text: 'FROM python\nRUN python3 -m pip install x\n', codes: PIP, expect: ['PipMissingNoCacheDir@1:19-1:26'] },
  { name: 'a venv pip', text: 'FROM python\nRUN /opt/venv/bin/pip install x\n', codes: PIP, expect: ['PipMissingNoCacheDir@1:22-1:29'] },
  { name: 'with the option', text: 'FROM python\nRUN pip install --no-cache-dir flask\n', codes: PIP, expect: [] },
  { name: 'the option on a later line', text: 'FROM python\nRUN pip install \\\n  --no-cache-dir \\\n  flask\n', codes: PIP, expect: [] },
  { name: 'ENV PIP_NO_CACHE_DIR', text: 'FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n', codes: PIP, expect: [] },
  {
    name: 'ENV in the stage built FROM',
    text: 'FROM python AS base\nENV PIP_NO_CACHE_DIR=off\nFROM base\nRUN pip install flask\n',
    codes: PIP,
    expect: [],
  },
  { name: 'ENV in another stage', text: 'FROM python AS a\nENV PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install x\n', codes: PIP, expect: ['PipMissingNoCacheDir@3:8-3:15'] },
  { name: 'ONBUILD after ENV', text: 'FROM python\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install -r r.txt\n', codes: PIP, expect: [] },
  {
    name: 'ONBUILD after ARG (not in the later build)',
    text: 'FROM python\nARG PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install -r r.txt\n',
    codes: PIP,
    expect: ['PipMissingNoCacheDir@2:16-2:23'],
  },
  { name: 'an assignment before pip', text: 'FROM python\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n', codes: PIP, expect: [] },
  { name: 'a cache mount', text: 'FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n', codes: PIP, expect: [] },
  { name: 'pip options in a variable', text: 'FROM python\nRUN pip install $PIP_ARGS flask\n', codes: PIP, expect: [] },
  { name: 'uv pip', text: 'FROM python\nRUN uv pip install flask\n', codes: PIP, expect: [] },
  { name: 'pip freeze', text: 'FROM python\nRUN pip freeze > /requirements.txt\n', codes: PIP, expect: [] },
]);

test('PipMissingNoCacheDir: the fix adds --no-cache-dir', () => {
  assert.equal(fixed('FROM python\nRUN pip install flask\n', 'PipMissingNoCacheDir'), 'FROM python\nRUN pip install --no-cache-dir flask\n');
});

const CURL = ['CurlAndWget'];
table('CurlAndWget', [
  {
    name: 'both in a stage',
    text: 'FROM debian\nRUN curl -fsSLo /a https://example.com/a\nRUN wget -q https://example.com/b\n',
    codes: CURL,
    expect: ['CurlAndWget@2:4-2:8'],
  },
  {
    name: 'both in one RUN, reported once',
    text: 'FROM debian\nRUN wget -q x && curl -fsSL y && curl z\n',
    codes: CURL,
    expect: ['CurlAndWget@1:17-1:21'],
  },
  { name: 'in different stages', text: 'FROM debian AS a\nRUN curl -fsSLO x\nFROM debian\nRUN wget -q y\n', codes: CURL, expect: [] },
  { name: 'installed, not used', text: 'FROM debian\nRUN apt-get install -y curl wget\nRUN curl -fsSLO x\n', codes: CURL, expect: [] },
]);

test('CurlAndWget: the message points at the first tool', () => {
  const [p] = lintRuns('FROM debian\nRUN curl -fsSLO x\nRUN wget y\n').filter((x) => x.code === 'CurlAndWget');
  assert.match(p!.message, /curl \(line 2\)/);
});

const PIPE = ['PipeWithoutPipefail'];
table('PipeWithoutPipefail', [
  { name: 'a pipe', text: 'FROM debian\nRUN curl -fsSL x | tar -xz\n', codes: PIPE, expect: ['PipeWithoutPipefail@1:17-1:18'] },
  { name: 'the first pipe only', text: 'FROM debian\nRUN a | b && c | d\n', codes: PIPE, expect: ['PipeWithoutPipefail@1:6-1:7'] },
  { name: 'on a continuation line', text: 'FROM debian\nRUN curl -fsSL x \\\n  | tar -xz\n', codes: PIPE, expect: ['PipeWithoutPipefail@2:2-2:3'] },
  { name: '|&', text: 'FROM debian\nRUN make |& tee log\n', codes: PIPE, expect: ['PipeWithoutPipefail@1:9-1:11'] },
  { name: 'pipefail set after the pipe', text: 'FROM debian\nRUN a | b; set -o pipefail\n', codes: PIPE, expect: ['PipeWithoutPipefail@1:6-1:7'] },
  { name: 'in a RUN <<EOF script', text: 'FROM debian\nRUN <<EOF\nset -e\ncurl x | sh\nEOF\n', codes: PIPE, expect: ['PipeWithoutPipefail@3:7-3:8'] },
  { name: 'an ONBUILD RUN', text: 'FROM debian\nONBUILD RUN a | b\n', codes: PIPE, expect: ['PipeWithoutPipefail@1:14-1:15'] },
  // Negatives.
  { name: 'set -o pipefail', text: 'FROM debian\nRUN set -o pipefail && curl x | tar -xz\n', codes: PIPE, expect: [] },
  { name: 'set -euo pipefail', text: 'FROM debian\nRUN set -euo pipefail; curl x | tar -xz\n', codes: PIPE, expect: [] },
  { name: 'set -eux -o pipefail', text: 'FROM debian\nRUN set -eux -o pipefail; a | b\n', codes: PIPE, expect: [] },
  {
    name: 'SHELL with pipefail',
    text: 'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl x | tar -xz\n',
    codes: PIPE,
    expect: [],
  },
  { name: 'SHELL -eo pipefail', text: 'FROM debian\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN a | b\n', codes: PIPE, expect: [] },
  {
    name: 'SHELL inherited from the stage built FROM',
    text: 'FROM debian AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM base\nRUN a | b\n',
    codes: PIPE,
    expect: [],
  },
  { name: 'a pipe in quotes', text: 'FROM debian\nRUN echo "a | b"\n', codes: PIPE, expect: [] },
  { name: 'an escaped pipe', text: 'FROM debian\nRUN echo a \\| b\n', codes: PIPE, expect: [] },
  { name: 'a pipe in a comment', text: 'FROM debian\nRUN true # a | b\n', codes: PIPE, expect: [] },
  { name: '||', text: 'FROM debian\nRUN a || b\n', codes: PIPE, expect: [] },
  { name: 'a pipe in $(...)', text: 'FROM debian\nRUN echo "$(a | b)" && echo $(c | d)\n', codes: PIPE, expect: [] },
  { name: 'exec form', text: 'FROM debian\nRUN ["sh", "-c", "a | b"]\n', codes: PIPE, expect: [] },
  { name: 'PowerShell', text: 'FROM debian\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem | Select-Object Name\n', codes: PIPE, expect: [] },
  {
    name: 'a Windows image (cmd)',
    text: '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ | findstr Windows\n',
    codes: PIPE,
    expect: [],
  },
  { name: 'bash -o pipefail <<EOF', text: 'FROM debian\nRUN bash -o pipefail <<EOF\na | b\nEOF\n', codes: PIPE, expect: [] },
  { name: 'here-document data', text: 'FROM debian\nRUN cat <<EOF > /x\na | b\nEOF\n', codes: PIPE, expect: [] },
  { name: 'pipefail in the script', text: 'FROM debian\nRUN <<EOF\nset -euxo pipefail\na | b\nEOF\n', codes: PIPE, expect: [] },
]);

test('PipeWithoutPipefail: without a known shell, the message tells about SHELL and offers no fix', () => {
  const [p] = lintRuns('FROM debian\nRUN a | b\n').filter((x) => x.code === 'PipeWithoutPipefail');
  assert.match(p!.message, /SHELL \["\/bin\/bash", "-o", "pipefail", "-c"\]/);
  assert.equal(p!.fixes, undefined);
});

test('PipeWithoutPipefail: with bash, the fix sets pipefail first', () => {
  assert.equal(
    fixed('FROM debian\nSHELL ["/bin/bash", "-c"]\nRUN curl x | sh\n', 'PipeWithoutPipefail'),
    'FROM debian\nSHELL ["/bin/bash", "-c"]\nRUN set -o pipefail && curl x | sh\n',
  );
  assert.equal(
    fixed('FROM debian\nRUN <<EOF\n#!/bin/bash\ncurl x | sh\nEOF\n', 'PipeWithoutPipefail'),
    'FROM debian\nRUN <<EOF\n#!/bin/bash\nset -o pipefail\ncurl x | sh\nEOF\n',
  );
  assert.equal(
    fixed('FROM debian\nRUN bash <<EOF\ncurl x | sh\nEOF\n', 'PipeWithoutPipefail'),
    'FROM debian\nRUN bash <<EOF\nset -o pipefail\ncurl x | sh\nEOF\n',
  );
});

const QUOTES = ['ExecFormSingleQuotes'];
table('ExecFormSingleQuotes', [
  { name: 'RUN', text: "FROM alpine\nRUN ['echo', 'hi']\n", codes: QUOTES, expect: ['ExecFormSingleQuotes@1:4-1:18'] },
  { name: 'CMD', text: "FROM alpine\nCMD ['node', 'server.js']\n", codes: QUOTES, expect: ['ExecFormSingleQuotes@1:4-1:25'] },
  { name: 'ENTRYPOINT, mixed quotes', text: 'FROM alpine\nENTRYPOINT ["tini", \'--\']\n', codes: QUOTES, expect: ['ExecFormSingleQuotes@1:11-1:25'] },
  { name: 'ONBUILD CMD', text: "FROM alpine\nONBUILD CMD ['a']\n", codes: QUOTES, expect: ['ExecFormSingleQuotes@1:12-1:17'] },
  { name: 'JSON', text: 'FROM alpine\nCMD ["node", "server.js"]\n', codes: QUOTES, expect: [] },
  { name: 'not an array of strings', text: "FROM alpine\nCMD ['a', 1]\n", codes: QUOTES, expect: [] },
  { name: 'a trailing comma', text: "FROM alpine\nCMD ['a',]\n", codes: QUOTES, expect: [] },
  { name: 'shell form', text: "FROM alpine\nCMD echo ['a']\n", codes: QUOTES, expect: [] },
  { name: 'COPY is not checked here', text: "FROM alpine\nCOPY ['a', '/b']\n", codes: QUOTES, expect: [] },
]);

test('ExecFormSingleQuotes: the fix writes JSON, keeping the layout', () => {
  assert.equal(fixed("FROM alpine\nCMD ['node', 'server.js']\n", 'ExecFormSingleQuotes'), 'FROM alpine\nCMD ["node", "server.js"]\n');
  assert.equal(
    fixed("FROM alpine\nENTRYPOINT [ 'sh', \\\n  '-c', 'echo \"hi\"' ]\n", 'ExecFormSingleQuotes'),
    'FROM alpine\nENTRYPOINT [ "sh", \\\n  "-c", "echo \\"hi\\"" ]\n',
  );
  const after = fixed("FROM alpine\nRUN ['echo', 'it\\'s', 'C:\\\\x']\n", 'ExecFormSingleQuotes');
  assert.deepEqual(parse(after).instructions[1]!.json, ['echo', "it's", 'C:\\x']);
});

test('singleQuotedItems reads only arrays that double quotes would make JSON', () => {
  assert.deepEqual(singleQuotedItems("['a']"), [{ start: 1, end: 4, json: '"a"' }]);
  assert.equal(singleQuotedItems('["a"]'), undefined);
  assert.equal(singleQuotedItems("['a' 'b']"), undefined);
  assert.equal(singleQuotedItems("['a'] x"), undefined);
  assert.equal(singleQuotedItems("['a"), undefined);
});

test('ranges are right with CRLF line ends and tab-stripped here-documents', () => {
  assert.deepEqual(report('FROM debian\r\nRUN apt-get update \\\r\n && apt-get install curl\r\n', YES), ['AptGetMissingYes@2:12-2:19']);
  assert.deepEqual(report('FROM debian\nRUN <<-EOF\n\tapt-get install curl\n\tEOF\n', YES), ['AptGetMissingYes@2:9-2:16']);
});

test('every range lies in the document and fixes apply cleanly', () => {
  const text = [
    'FROM debian AS build',
    'RUN cd /x && sudo apt update && apt install curl | tee log \\',
    '  && pip install flask && wget y',
    "CMD ['a', 'b']",
    'RUN <<EOF',
    'apt-get install -y x',
    'EOF',
    '',
  ].join('\n');
  const lines = text.split('\n');
  const found = lintRuns(text);
  assert.ok(found.length >= 8);
  for (const p of found) {
    for (const pos of [p.range.start, p.range.end]) {
      assert.ok(pos.line < lines.length && pos.character <= lines[pos.line]!.length, `${p.code} ${at(p.range)}`);
    }
    for (const fix of p.fixes ?? []) assert.equal(typeof applyFix(text, fix), 'string');
  }
});

test('the shell reader cuts at operators and newlines, keeping quotes, substitutions and comments whole', () => {
  const s = readScript('a "b c" \'d|e\' $(f | g) `h;i` && j||k ; l | m & n # o | p\nq 2>&1 > /dev/null\n(r)');
  const words = s.commands.map((c) => c.words.map((w) => w.value).join(' '));
  assert.deepEqual(words, ['a b c d|e $(f | g) `h;i`', 'j', 'k', 'l', 'm', 'n', 'q', 'r']);
  assert.deepEqual(
    s.operators.map((o) => o.text),
    ['&&', '||', ';', '|', '&', '\n', '\n', '(', ')'],
  );
  assert.deepEqual(s.commands[6]!.redirects.map((r) => [r.fd, r.operator, r.target?.value]), [
    [2, '>&', '1'],
    [undefined, '>', '/dev/null'],
  ]);
  const heredoc = readScript('cat <<X > f\na | b\nX\nc | d');
  assert.deepEqual(
    heredoc.commands.map((c) => c.words.map((w) => w.value).join(' ')),
    ['cat', 'c', 'd'],
  );
  assert.deepEqual(heredoc.operators.map((o) => o.text), ['\n', '|']);
});

test('never throws, and keeps ranges inside the document, on generated RUN instructions', () => {
  const tokens = [
    'apt-get', 'apt', 'install', 'update', '-y', 'sudo', 'cd', '/x', 'pip', 'curl', 'wget', '|', '||', '&&', ';',
    '&', '(', ')', '"', "'", '\\', '\\\n', '\n', '$(', '`', '#', '<<EOF', '<<-X', '>', '2>&1', '[', ']', ',', 'set',
    '-o', 'pipefail', 'RUN', 'ONBUILD', 'SHELL', '["bash", "-c"]', 'EOF', '\t', ' ', '\r\n', 'é', '😀',
  ];
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 400; round++) {
    let text = 'FROM debian\nRUN ';
    const length = 1 + next(30);
    for (let i = 0; i < length; i++) text += `${tokens[next(tokens.length)]} `;
    const lines = text.split(/\r\n|\r|\n/);
    for (const p of lintRuns(text)) {
      for (const pos of [p.range.start, p.range.end]) {
        assert.ok(pos.line < lines.length && pos.character <= lines[pos.line]!.length, `${p.code} ${at(p.range)} in ${JSON.stringify(text)}`);
      }
      for (const fix of p.fixes ?? []) applyFix(text, fix);
    }
  }
});
