// `berth build` as a user runs it: real Dockerfiles and context folders, RUN in the rootless sandbox,
// the store on disk. What the images hold is read back the way a user would: `berth inspect`, and a
// RUN of a child build that prints the files. (test/integration/build-fidelity.test.ts compares whole
// images with buildah's.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { berth, type CliResult } from '../helpers/cli';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';
import { startRegistry, pushTestImage, type Registry } from '../helpers/registry';
import { BundledEngine } from '../../src/engine/engine';

let dir: { path: string; cleanup: () => void };
let root: string;
let n = 0;

before(async () => {
  dir = tempDir('berth-build-');
  root = join(dir.path, 'store');
  const tarball = makeBusyboxTarball(join(dir.path, 'busybox.tar'));
  const r = await berth(root, ['import', '-c', 'CMD ["sh"]', tarball, 'busybox:latest']);
  assert.equal(r.code, 0, r.stderr);
});
after(() => dir.cleanup());

/** A context folder with these files (a string is a file's content; `Dockerfile` among them). */
function context(files: Record<string, string>): string {
  const ctx = join(dir.path, `ctx-${n++}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(ctx, name, '..'), { recursive: true });
    writeFileSync(join(ctx, name), content);
  }
  return ctx;
}

async function build(ctx: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return berth(root, ['build', ...args, ctx], env ? { env: { ...process.env, ...env } } : {});
}

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `build failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function inspect(name: string): Promise<Record<string, any>> {
  const r = ok(await berth(root, ['inspect', name]));
  return (JSON.parse(r.stdout) as Record<string, any>[])[0]!;
}

/** What `script` prints when run in a child build FROM `image`. */
async function runIn(image: string, script: string): Promise<string> {
  const ctx = context({ Dockerfile: `FROM ${image}\nRUN ${script}\n` });
  const r = ok(await build(ctx, ['--no-cache']));
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(' ---> Running in ')) + 1;
  const end = lines.findIndex((l) => l.startsWith('Removing intermediate container'));
  return lines.slice(start, end).join('\n');
}

function steps(out: string): string[] {
  return out.split('\n').filter((l) => /^Step \d+\/\d+ : /.test(l) || l === ' ---> Using cache' || l.startsWith(' ---> Running in'));
}

test('a build prints Docker\'s steps, runs RUN, tags the image, and -q prints only the ID', async () => {
  const ctx = context({
    Dockerfile: 'FROM busybox\nENV GREETING=hello\nCOPY a.txt /app/\nRUN echo "$GREETING from RUN" && cat /app/a.txt\nCMD ["cat", "/app/a.txt"]\n',
    'a.txt': 'file content\n',
  });
  const r = ok(await build(ctx, ['-t', 'demo/app:1', '-t', 'demo/app:latest']));
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'Step 1/5 : FROM busybox');
  assert.match(lines[1]!, /^ ---> [0-9a-f]{12}$/);
  assert.equal(lines[2], 'Step 2/5 : ENV GREETING=hello');
  const run = lines.indexOf('Step 4/5 : RUN echo "$GREETING from RUN" && cat /app/a.txt');
  assert.match(lines[run + 1]!, /^ ---> Running in [0-9a-f]{12}$/);
  assert.equal(lines[run + 2], 'hello from RUN');
  assert.equal(lines[run + 3], 'file content');
  assert.equal(lines[run + 4], `Removing intermediate container ${lines[run + 1]!.slice(-12)}`);
  const id = (await inspect('demo/app:1')).Id as string;
  assert.deepEqual(lines.slice(-3), [`Successfully built ${id.slice(7, 19)}`, 'Successfully tagged demo/app:1', 'Successfully tagged demo/app:latest']);
  const info = await inspect('demo/app:latest');
  assert.equal(info.Id, id);
  assert.deepEqual(info.Config.Cmd, ['cat', '/app/a.txt']);
  assert.ok((info.Config.Env as string[]).includes('GREETING=hello'));
  const images = ok(await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.equal(images.stdout, 'demo/app:1\ndemo/app:latest\nbusybox:latest\n', 'intermediate images are hidden');
  const all = ok(await berth(root, ['images', '-a', '--format', '{{.Repository}}'])).stdout;
  assert.equal(all.split('\n').filter((l) => l === '<none>').length, 3, `images -a shows the ENV, COPY and RUN steps:\n${all}`);
  assert.equal(await runIn('demo/app:1', 'cat /app/a.txt'), 'file content');
  const quiet = ok(await build(ctx, ['-q']));
  assert.equal(quiet.stdout, `${id}\n`);
});

test('a rebuild hits the cache at every step; changing one file rebuilds from the step that reads it', async () => {
  const ctx = context({
    Dockerfile: 'FROM busybox\nRUN echo one > /one\nCOPY first.txt /\nRUN cat /first.txt > /copy1\nCOPY second.txt /\nRUN cat /second.txt\n',
    'first.txt': 'first\n',
    'second.txt': 'second\n',
  });
  ok(await build(ctx, ['-t', 'cache/test']));
  const again = ok(await build(ctx, ['-t', 'cache/test']));
  assert.equal(again.stdout.split('\n').filter((l) => l === ' ---> Using cache').length, 5, again.stdout);
  assert.ok(!again.stdout.includes('Running in'));
  writeFileSync(join(ctx, 'second.txt'), 'changed\n');
  const changed = ok(await build(ctx, ['-t', 'cache/test']));
  assert.deepEqual(steps(changed.stdout), [
    'Step 1/6 : FROM busybox',
    'Step 2/6 : RUN echo one > /one', ' ---> Using cache',
    'Step 3/6 : COPY first.txt /', ' ---> Using cache',
    'Step 4/6 : RUN cat /first.txt > /copy1', ' ---> Using cache',
    'Step 5/6 : COPY second.txt /',
    'Step 6/6 : RUN cat /second.txt', changed.stdout.split('\n').find((l) => l.startsWith(' ---> Running in'))!,
  ]);
  assert.match(changed.stdout, /\nchanged\n/);
  const noCache = ok(await build(ctx, ['--no-cache']));
  assert.ok(!noCache.stdout.includes('Using cache'));
});

test('a RUN that fails ends the build with Docker\'s message; no image or tag appears and the sandbox is gone', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox\nRUN echo before > /f\nRUN echo output; exit 7\nRUN echo never\n' });
  const listing = ['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'];
  const imagesBefore = ok(await berth(root, listing)).stdout;
  const r = await build(ctx, ['-t', 'fails/here']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\noutput\n/);
  assert.equal(r.stderr.trim(), "Error: The command '/bin/sh -c echo output; exit 7' returned a non-zero code: 7");
  assert.ok(!r.stdout.includes('Step 4/4'));
  const imagesAfter = ok(await berth(root, listing)).stdout.split('\n');
  // only the step that succeeded is new, kept as a hidden intermediate image for the cache
  assert.deepEqual(imagesAfter.filter((l) => !imagesBefore.split('\n').includes(l)).map((l) => l.slice(13)), ['<none>:<none>']);
  assert.equal(ok(await berth(root, ['images'])).stdout.includes('fails/here'), false);
  assert.deepEqual(readdirSync(join(root, 'build')), [], 'the work folders are gone');
  assert.match(ok(await berth(root, ['system', 'check'])).stdout, /no problems found/);
  // the step that succeeded is cached for the next attempt, as Docker keeps it
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo before > /f\nRUN echo fixed\n');
  const retry = ok(await build(ctx, ['-t', 'fails/here']));
  assert.deepEqual(steps(retry.stdout).slice(0, 3), ['Step 1/3 : FROM busybox', 'Step 2/3 : RUN echo before > /f', ' ---> Using cache']);
});

test('with SOURCE_DATE_EPOCH two builds without cache give the same image', async () => {
  const ctx = context({
    Dockerfile: 'FROM busybox\nCOPY . /src/\nRUN mkdir -p /out && echo built > /out/file && ln -s file /out/link\nLABEL x=y\n',
    'a.txt': 'a\n',
    'sub/b.txt': 'b\n',
  });
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const one = ok(await build(ctx, ['--no-cache', '-q'], env)).stdout.trim();
  const two = ok(await build(ctx, ['--no-cache', '-q'], env)).stdout.trim();
  assert.match(one, /^sha256:[0-9a-f]{64}$/);
  assert.equal(two, one);
  const info = await inspect(one);
  assert.equal(info.Created, '2023-11-14T22:13:20Z');
  const three = ok(await build(ctx, ['--no-cache', '-q'])).stdout.trim();
  assert.notEqual(three, one, 'without it, the times differ');
});

test('more than 127 layers is refused before any work', async () => {
  const ctx = context({ Dockerfile: `FROM busybox\n${'RUN true\n'.repeat(128)}` });
  const r = await build(ctx);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /128 layers, more than the 127 an image can have; combine RUN, COPY and ADD steps/);
});

test('multi-stage: --target, COPY --from a stage by name and index, FROM an earlier stage, ARG before FROM', async () => {
  const ctx = context({
    Dockerfile: [
      'ARG BASE=busybox',
      'FROM $BASE AS builder',
      'ARG GREETING=hi',
      'RUN mkdir /out && echo "$GREETING" > /out/greeting',
      'FROM builder AS tested',
      'RUN cat /out/greeting > /out/tested',
      'FROM busybox',
      'COPY --from=builder /out/greeting /final/',
      'COPY --from=1 /out/tested /final/tested',
      'CMD ["cat", "/final/greeting"]',
    ].join('\n'),
  });
  const r = ok(await build(ctx, ['-t', 'multi/final', '--build-arg', 'GREETING=hello']));
  assert.match(r.stdout, /Step 1\/9 : FROM \$BASE AS builder/);
  assert.equal(await runIn('multi/final', 'cat /final/greeting /final/tested'), 'hello\nhello');
  const t = ok(await build(ctx, ['-t', 'multi/builder', '--target', 'builder']));
  assert.match(t.stdout, /Step 3\/3 : RUN/);
  assert.equal(await runIn('multi/builder', 'cat /out/greeting; ls /final 2>&1 || true'), 'hi\nls: /final: No such file or directory');
  const bad = await build(ctx, ['--target', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /target stage "nope" could not be found; the stages are builder, tested, 2/);
});

const STAT = 'cd / && find /copied /owned /glob /unpacked /web /inline.txt | sort | xargs stat -c "%A %u %g %s %Y %N"';

test('COPY and ADD: globs, folders, .dockerignore with exceptions, --chown, --chmod, a local tar, a URL, a heredoc', async () => {
  const server: Server = createServer((req, res) => {
    if (req.url === '/files/remote.txt') {
      res.writeHead(200, { 'last-modified': 'Tue, 14 Nov 2023 22:13:20 GMT' });
      res.end('from the web\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const ctx = context({
      Dockerfile: [
        'FROM busybox',
        'RUN echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:1000:" >> /etc/group',
        'COPY *.txt /glob/',
        'COPY src /copied',
        'COPY --chown=app:app --chmod=0600 src/one.txt /owned',
        `ADD http://127.0.0.1:${port}/files/remote.txt /web/`,
        'ADD archive.tar /unpacked/',
        'ENV WHO=world',
        'COPY <<EOF /inline.txt',
        'inline $WHO',
        'EOF',
        "COPY <<'EOF' /raw.txt",
        'raw $WHO',
        'EOF',
        `RUN ${STAT}`,
      ].join('\n'),
      'a.txt': 'a\n',
      'b.txt': 'b\n',
      'secret.txt': 'must not be copied\n',
      'keep.log': 'kept by an exception\n',
      'drop.log': 'ignored\n',
      'src/one.txt': 'one\n',
      'src/deep/two.txt': 'two\n',
      '.dockerignore': 'secret.txt\n*.log\n!keep.log\n',
    });
    mkdirSync(join(ctx, 'tarsrc/inner'), { recursive: true });
    writeFileSync(join(ctx, 'tarsrc/inner/packed.txt'), 'packed\n');
    execFileSync('tar', ['-cf', join(ctx, 'archive.tar'), '-C', join(ctx, 'tarsrc'), 'inner']);
    symlinkSync('one.txt', join(ctx, 'src/link'));
    const built = ok(await build(ctx, ['-t', 'copy/test']));
    // a RUN in the same build sees the copied files exactly as a later build unpacking the layers does
    const sameBuild = built.stdout.split('\n');
    const lastOf = (prefix: string): number => sameBuild.map((l) => l.startsWith(prefix)).lastIndexOf(true);
    const seen = sameBuild.slice(lastOf(' ---> Running in') + 1, lastOf('Removing intermediate')).join('\n');
    assert.equal(seen, await runIn('copy/test', STAT));
    assert.match(seen, /^drwxr-xr-x 0 0 \d+ \d+ \/copied\n/);
    const listing = await runIn('copy/test', 'cd / && ls /glob && find /copied | sort && stat -c "%A %u %g" /owned /web/remote.txt && cat /unpacked/inner/packed.txt /web/remote.txt /inline.txt /raw.txt && readlink /copied/link');
    assert.equal(listing, [
      'a.txt', 'b.txt',
      '/copied', '/copied/deep', '/copied/deep/two.txt', '/copied/link', '/copied/one.txt',
      '-rw------- 1000 1000', '-rw------- 0 0',
      'packed', 'from the web', 'inline world', 'raw $WHO',
      'one.txt',
    ].join('\n'));
    const ignored = context({ Dockerfile: 'FROM busybox\nCOPY . /all/\n', 'secret.txt': 's', 'keep.log': 'k', 'drop.log': 'd', 'x/y.log': 'y', '.dockerignore': 'secret.txt\n*.log\n!keep.log\n' });
    ok(await build(ignored, ['-t', 'copy/ignored']));
    assert.equal(await runIn('copy/ignored', 'cd /all && find . -type f | sort'), './.dockerignore\n./Dockerfile\n./keep.log\n./x/y.log');
    const missing = await build(context({ Dockerfile: 'FROM busybox\nCOPY nothere.txt /\n' }));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /COPY failed: "nothere.txt" not found in the build context or excluded by .dockerignore/);
  } finally {
    server.close();
  }
});

test('ONBUILD triggers run in a child build; USER, WORKDIR and the rest of the config land in the image', async () => {
  const parent = context({
    Dockerfile: [
      'FROM busybox',
      'RUN echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd',
      'ONBUILD RUN echo triggered > /tmp/triggered',
      'WORKDIR /work/dir',
      'USER app',
      'EXPOSE 80 53/udp',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s CMD true',
      'LABEL a=b',
      'ENTRYPOINT ["/bin/sh", "-c"]',
    ].join('\n'),
  });
  ok(await build(parent, ['-t', 'onbuild/parent', '--label', 'from=flag']));
  const p = (await inspect('onbuild/parent')).Config;
  assert.deepEqual(p.OnBuild, ['RUN echo triggered > /tmp/triggered']);
  assert.equal(p.WorkingDir, '/work/dir');
  assert.equal(p.User, 'app');
  assert.deepEqual(p.ExposedPorts, { '53/udp': {}, '80/tcp': {} });
  assert.deepEqual(p.Volumes, { '/data': {} });
  assert.equal(p.StopSignal, 'SIGINT');
  assert.deepEqual(p.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5_000_000_000 });
  assert.deepEqual(p.Labels, { a: 'b', from: 'flag' });
  assert.deepEqual(p.Entrypoint, ['/bin/sh', '-c']);
  const child = context({ Dockerfile: 'FROM onbuild/parent\nRUN id -u; pwd; cat /tmp/triggered\n' });
  const r = ok(await build(child, ['-t', 'onbuild/child']));
  assert.match(r.stdout, /# Executing 1 build trigger\n/);
  assert.match(r.stdout, /\n1000\n\/work\/dir\ntriggered\n/);
  const c = (await inspect('onbuild/child')).Config;
  assert.equal(c.OnBuild, null);
});

test('FROM pulls a missing base image from a registry; --pull refreshes it', async () => {
  const registry: Registry = await startRegistry();
  try {
    const tarball = makeBusyboxTarball(join(dir.path, 'pushed.tar'));
    await pushTestImage(registry, 'base/busybox', '1', { layers: [readFileSync(tarball)] });
    const ctx = context({ Dockerfile: `FROM ${registry.host}/base/busybox:1\nRUN echo pulled\n` });
    const r = ok(await build(ctx, ['-t', 'pulled/child']));
    assert.match(r.stdout, new RegExp(`1: Pulling from base/busybox\n`));
    assert.match(r.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/base\/busybox:1\n ---> [0-9a-f]{12}\n/);
    const again = ok(await build(ctx, ['--pull']));
    assert.match(again.stdout, /Pulling from base\/busybox/);
  } finally {
    await registry.stop();
  }
});

test('bad input: a missing Dockerfile, a parse error, an unknown instruction, an invalid tag, a bad base name', async () => {
  const empty = context({ 'a.txt': 'x' });
  let r = await build(empty);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot find the Dockerfile .*\/Dockerfile; name it with -f FILE/);
  r = await build(context({ Dockerfile: 'FROM busybox\nRUN <<EOF\necho unterminated\n' }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Dockerfile parse error on line \d+/);
  r = await build(context({ Dockerfile: 'FROM busybox\nFROBNICATE now\n' }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Dockerfile line 2: FROBNICATE: unknown instruction FROBNICATE/);
  r = await build(context({ Dockerfile: 'FROM busybox\n' }), ['-t', 'Bad:Name']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid reference format/);
  r = await build(context({ Dockerfile: 'FROM UPPER/case\n' }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Dockerfile line 1: FROM: .*invalid reference format/);
  r = await build(context({ Dockerfile: 'RUN true\nFROM busybox\n' }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /RUN comes before the first FROM; only ARG may/);
  r = await build(context({ Dockerfile: 'FROM busybox\nCOPY --nope=1 a b\n' }));
  assert.match(r.stderr, /unknown flag: --nope/);
  const stdin = context({ 'a.txt': 'from stdin\n' });
  r = ok(await berth(root, ['build', '-f', '-', '-t', 'stdin/df', stdin], { stdin: 'FROM busybox\nCOPY a.txt /\n' }));
  assert.equal(await runIn('stdin/df', 'cat /a.txt'), 'from stdin');
});

test('RUN for another processor is refused with a reason; builder prune removes the build cache and keeps tagged images', async () => {
  const arm = context({ Dockerfile: 'FROM scratch\nCOPY a /a\nRUN true\n', a: 'a' });
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const r = await build(arm, ['--platform', other]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Dockerfile line 3: RUN: RUN cannot execute ${other} programs on this linux/\\w+ machine`));
  const before = ok(await berth(root, ['images', '-a', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n');
  assert.ok(before.includes('<none>:<none>'));
  const pruned = ok(await berth(root, ['builder', 'prune', '-f']));
  assert.match(pruned.stdout, /^Deleted build cache objects:\n([0-9a-f]{25}\n)+\nTotal reclaimed space: /);
  const after = ok(await berth(root, ['images', '-a', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n');
  assert.deepEqual(after.filter((l) => l !== '<none>:<none>'), before.filter((l) => l !== '<none>:<none>'), 'tagged images stay');
  assert.ok(after.filter((l) => l === '<none>:<none>').length < before.filter((l) => l === '<none>:<none>').length);
  assert.match(ok(await berth(root, ['system', 'check'])).stdout, /no problems found/);
  assert.equal(await runIn('demo/app:1', 'cat /app/a.txt'), 'file content');
});

test('a cancelled build stops its RUN, leaves no work folder, and the store lists what it listed before', async () => {
  const engine = await BundledEngine.open(root);
  const ctx = context({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 60\n' });
  const before = ok(await berth(root, ['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout;
  const controller = new AbortController();
  const started = Date.now();
  const building = engine.build({
    context: ctx, tags: ['cancelled/build'], signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'output' && e.chunk.toString().includes('started')) controller.abort();
    },
  });
  await assert.rejects(building, (e: Error & { code?: string }) => e.code === 'CANCELLED');
  assert.ok(Date.now() - started < 30_000, 'the sleep was killed');
  assert.deepEqual(readdirSync(join(root, 'build')), []);
  assert.equal(ok(await berth(root, ['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout, before);
  assert.match(ok(await berth(root, ['system', 'check'])).stdout, /no problems found/);
  await engine.close();
});
