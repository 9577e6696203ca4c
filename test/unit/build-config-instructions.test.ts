// Config-only instructions of a parsed Dockerfile applied in order, as the builder applies them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/dockerfile/index';
import { applyConfigInstruction, envLookup, isConfigInstruction, type ConfigState } from '../../src/engine/build/config-instructions';

function build(dockerfile: string, base: ConfigState['config'] = {}): ConfigState {
  const ast = parse(dockerfile);
  const state: ConfigState = { config: structuredClone(base), cmdSet: false };
  for (const inst of ast.instructions) if (isConfigInstruction(inst.keyword)) applyConfigInstruction(state, inst, envLookup(state.config.Env), ast.escapeChar);
  return state;
}

test('ENV expands earlier ENV; LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL', () => {
  const s = build([
    'FROM scratch',
    'ENV APP=/srv/app VERSION=1.2',
    'ENV DATA=${APP}/data',
    'LABEL org.opencontainers.image.version="$VERSION" "multi word"="yes"',
    'EXPOSE 80 443/tcp 53/udp 8000-8002',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache $APP/tmp',
    'USER app:app',
    'WORKDIR $APP',
    'WORKDIR sub/../bin',
    'STOPSIGNAL SIGQUIT',
  ].join('\n'));
  assert.deepEqual(s.config.Env, ['APP=/srv/app', 'VERSION=1.2', 'DATA=/srv/app/data']);
  const legacy = build('FROM scratch\nENV GREETING hello world');
  assert.deepEqual(legacy.config.Env, ['GREETING=hello world']);
  assert.deepEqual(s.config.Labels, { 'org.opencontainers.image.version': '1.2', 'multi word': 'yes' });
  assert.deepEqual(Object.keys(s.config.ExposedPorts!).sort(), ['443/tcp', '53/udp', '80/tcp', '8000/tcp', '8001/tcp', '8002/tcp']);
  assert.deepEqual(Object.keys(s.config.Volumes!).sort(), ['/cache', '/data', '/logs', '/srv/app/tmp']);
  assert.equal(s.config.User, 'app:app');
  assert.equal(s.config.WorkingDir, '/srv/app/bin');
  assert.equal(s.config.StopSignal, 'SIGQUIT');
});

test('CMD and ENTRYPOINT: exec and shell forms, SHELL, and ENTRYPOINT clearing an inherited CMD', () => {
  const s = build('FROM x\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nENTRYPOINT ["/entry"]\nCMD echo $HOME', { Cmd: ['base'] });
  assert.deepEqual(s.config.Shell, ['/bin/bash', '-eo', 'pipefail', '-c']);
  assert.deepEqual(s.config.Entrypoint, ['/entry']);
  assert.deepEqual(s.config.Cmd, ['/bin/bash', '-eo', 'pipefail', '-c', 'echo $HOME']);
  assert.equal(build('FROM x\nENTRYPOINT ["/e"]', { Cmd: ['base'] }).config.Cmd, undefined);
  assert.deepEqual(build('FROM x\nCMD ["a"]\nENTRYPOINT ["/e"]', { Cmd: ['base'] }).config.Cmd, ['a']);
  assert.throws(() => build('FROM x\nSHELL /bin/sh -c'), /SHELL requires the arguments to be in JSON form/);
});

test('HEALTHCHECK, ONBUILD and MAINTAINER', () => {
  const s = build('FROM x\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1\nONBUILD COPY . /src\nMAINTAINER Kate Smith <ksmith@example.com>');
  assert.deepEqual(s.config.Healthcheck, { Interval: 5e9, Retries: 3, Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] });
  assert.deepEqual(s.config.OnBuild, ['COPY . /src']);
  assert.equal(s.author, 'Kate Smith <ksmith@example.com>');
  assert.deepEqual(build('FROM x\nHEALTHCHECK NONE').config.Healthcheck, { Test: ['NONE'] });
  assert.throws(() => build('FROM x\nONBUILD ONBUILD RUN x'), /Chaining ONBUILD/);
  assert.throws(() => build('FROM x\nSTOPSIGNAL NOPE'), /Invalid signal: NOPE/);
  assert.throws(() => build('FROM x\nEXPOSE 80/http'), /invalid proto: http/);
  assert.throws(() => build('FROM x\nENV A=${B:?unset}'), /unset/);
  assert.throws(() => build('FROM x\nENV A=1 LEGACY value'), /can't find = in "LEGACY"/);
});
