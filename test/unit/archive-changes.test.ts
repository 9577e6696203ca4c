import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, parseCommandForm } from '../../src/engine/archive/changes';
import { parseGoDuration } from '../../src/engine/build/healthcheck';
import { isBerthError } from '../../src/engine/errors';

function refused(changes: string[], message: RegExp): void {
  assert.throws(() => applyChanges(changes), (e: unknown) => isBerthError(e, 'INVALID_ARGUMENT') && message.test(e.message));
}

test('CMD and ENTRYPOINT take the exec (JSON) and the shell form', () => {
  assert.deepEqual(applyChanges(['CMD ["/bin/sh", "-c", "echo hi"]']).Cmd, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(applyChanges(['CMD echo "hi there"']).Cmd, ['/bin/sh', '-c', 'echo "hi there"']);
  assert.deepEqual(applyChanges(['entrypoint ["/bin/app"]']).Entrypoint, ['/bin/app']);
  assert.deepEqual(applyChanges(['ENTRYPOINT /bin/app --flag']).Entrypoint, ['/bin/sh', '-c', '/bin/app --flag']);
  // Not a JSON list of strings: Docker falls back to the shell form.
  assert.deepEqual(applyChanges(['CMD [1, 2]']).Cmd, ['/bin/sh', '-c', '[1, 2]']);
  assert.deepEqual(parseCommandForm('[]'), { json: [] });
});

test('ENTRYPOINT clears a CMD set before this import, but not one set by the same changes', () => {
  assert.equal('Cmd' in applyChanges(['ENTRYPOINT ["/a"]'], { Cmd: ['sh'] }), false);
  assert.deepEqual(applyChanges(['CMD ["x"]', 'ENTRYPOINT ["/a"]']).Cmd, ['x']);
});

test('ENV takes k=v pairs with quotes and escapes, the legacy "k v" form, and expands earlier variables', () => {
  assert.deepEqual(applyChanges(['ENV A=1 B="two words" C=a\\ b D=\'$A\'']).Env, ['A=1', 'B=two words', 'C=a b', 'D=$A']);
  assert.deepEqual(applyChanges(['ENV GREETING hello   world']).Env, ['GREETING=hello   world']);
  assert.deepEqual(applyChanges(['ENV P=/bin', 'ENV P=$P:/usr/bin Q=${P}x R=${NOPE:-dflt} S=${P:+set}']).Env, ['P=/bin:/usr/bin', 'Q=/binx', 'R=dflt', 'S=set']);
  // Within one ENV line, variables expand to their value before the line.
  assert.deepEqual(applyChanges(['ENV A=1', 'ENV A=2 B=$A']).Env, ['A=2', 'B=1']);
});

test('EXPOSE takes ports, protocols and ranges', () => {
  assert.deepEqual(applyChanges(['EXPOSE 80 53/udp 8000-8002/TCP']).ExposedPorts, { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {}, '8002/tcp': {} });
});

test('LABEL takes quoted keys and values and the legacy form', () => {
  assert.deepEqual(applyChanges(['LABEL "com.example.vendor"="ACME Inc" version=1.0 desc="a \\"quoted\\" word"', 'LABEL legacy some value']).Labels, {
    'com.example.vendor': 'ACME Inc',
    version: '1.0',
    desc: 'a "quoted" word',
    legacy: 'some value',
  });
});

test('VOLUME, USER, WORKDIR, ONBUILD, STOPSIGNAL and HEALTHCHECK', () => {
  const c = applyChanges([
    'VOLUME ["/data", "/logs"]',
    'VOLUME /a /b',
    'USER app:app',
    'WORKDIR /srv',
    'WORKDIR app/../web/',
    'ONBUILD RUN make',
    'STOPSIGNAL SIGQUIT',
    'HEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD curl -f http://localhost/',
  ]);
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {}, '/a': {}, '/b': {} });
  assert.equal(c.User, 'app:app');
  assert.equal(c.WorkingDir, '/srv/web');
  assert.deepEqual(c.OnBuild, ['RUN make']);
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 30e9, Timeout: 90e9, Retries: 3 });
  assert.deepEqual(applyChanges(['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
  assert.deepEqual(applyChanges(['HEALTHCHECK CMD ["true"]']).Healthcheck, { Test: ['CMD', 'true'] });
});

test('blank lines and comments are skipped; the base config is not changed in place', () => {
  const base = { Env: ['A=1'] };
  const out = applyChanges(['', '   ', '# a comment', 'ENV B=2'], base);
  assert.deepEqual(out.Env, ['A=1', 'B=2']);
  assert.deepEqual(base.Env, ['A=1']);
});

test('an instruction that is not a change command is refused in Docker\'s words', () => {
  refused(['RUN echo hi'], /^invalid -c\/--change "RUN echo hi": "RUN" is not a valid change command; use one of CMD, ENTRYPOINT/);
  refused(['FROM busybox'], /"FROM" is not a valid change command/);
  refused(['COPY . /'], /"COPY" is not a valid change command/);
});

test('bad change lines are refused with the line and the reason', () => {
  refused(['CMD'], /^invalid -c\/--change "CMD": CMD requires at least one argument$/);
  refused(['ENV A=1 B'], /invalid -c\/--change "ENV A=1 B": Syntax error - can't find = in "B". Must be of the form: name=value/);
  refused(['ENV A'], /ENV must have two arguments/);
  refused(['ENV ="x"'], /ENV names can not be blank/);
  refused(['ENV A="unterminated'], /matching double-quote/);
  refused(['LABEL'], /LABEL requires at least one argument/);
  refused(['EXPOSE 80/xyz'], /invalid proto: xyz/);
  refused(['EXPOSE http'], /invalid containerPort: http/);
  // a host part is dropped, as BuildKit does (the linter's ExposeInvalidFormat warns about it)
  assert.deepEqual(applyChanges(['EXPOSE 8080:80 127.0.0.1:53:53/udp']).ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  refused(['EXPOSE 90-80'], /invalid range/);
  refused(['VOLUME [""]'], /VOLUME specified can not be an empty string/);
  refused(['USER'], /USER requires exactly one argument/);
  refused(['WORKDIR'], /WORKDIR requires exactly one argument/);
  refused(['ONBUILD ONBUILD RUN x'], /Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/);
  refused(['ONBUILD FROM x'], /FROM isn't allowed as an ONBUILD trigger/);
  refused(['STOPSIGNAL SIGNOPE'], /Invalid signal: SIGNOPE/);
  refused(['HEALTHCHECK --interval=10us CMD true'], /cannot be less than 1ms/);
  refused(['HEALTHCHECK --retries=-1 CMD true'], /--retries cannot be negative/);
  refused(['HEALTHCHECK --bogus=1 CMD true'], /Unknown flag: bogus/);
  refused(['HEALTHCHECK NONE extra'], /HEALTHCHECK NONE takes no arguments/);
  refused(['HEALTHCHECK RUN true'], /Unknown type "RUN" in HEALTHCHECK \(try CMD\)/);
});

test('Go durations parse as time.ParseDuration does', () => {
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.throws(() => parseGoDuration('10'), /invalid duration/);
  assert.throws(() => parseGoDuration('1x'), /invalid duration/);
});
