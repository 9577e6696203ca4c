// `berth --engine docker` (and BERTH_ENGINE=docker) against a REAL dockerd 20.10 and a REAL registry:
// the verbs print what they print over the bundled engine, and the docker CLI of the same daemon sees
// the result. An engine that does not answer is one clear line, not a stack trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { startRegistry, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { berth, tempDir, type CliResult } from '../helpers/cli';

let dir: { path: string; cleanup: () => void };
let dockerd: Dockerd | undefined;
let registry: Registry | undefined;
let env: NodeJS.ProcessEnv;

/** `berth --engine docker ARGS` with DOCKER_HOST on the test daemon; fails the test on a non-zero exit. */
async function run(args: string[], options: { env?: NodeJS.ProcessEnv; ok?: boolean } = {}): Promise<CliResult> {
  const r = await berth(join(dir.path, 'unused-store'), ['--engine', 'docker', ...args], { env: options.env ?? env, cwd: dir.path });
  if (options.ok !== false) assert.equal(r.code, 0, `berth ${args.join(' ')}\n${r.stderr}`);
  return r;
}

const docker = (args: string[]): Promise<string> => dockerd!.docker(args).then((s) => s.trim());

before(async () => {
  assert.ok(canRunDockerd(), 'these tests need root and dockerd from Debian docker.io: apt-get install docker.io');
  dir = tempDir('berth-cli-docker-');
  registry = await startRegistry();
  dockerd = await startDockerd({ insecureRegistries: [registry.host] });
  mkdirSync(join(dir.path, 'docker'));
  env = { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}`, DOCKER_CONFIG: join(dir.path, 'docker'), HOME: dir.path };
  delete env.BERTH_ENGINE;
});

after(async () => {
  await dockerd?.stop();
  await registry?.stop();
  dir?.cleanup();
});

test('import, images, tag, push, rmi and pull through the Docker engine', async () => {
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));
  const id = (await run(['import', '-c', 'CMD ["/bin/sh"]', tarball, 'cli-test/bb:1'])).stdout.trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  assert.equal(await docker(['image', 'inspect', '--format', '{{.Id}}', 'cli-test/bb:1']), id);
  const images = await run(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  assert.equal(images.stdout, `cli-test/bb:1 ${id.slice(7, 19)}\n`);
  const pushed = `${registry!.host}/cli/bb:1`;
  await run(['tag', 'cli-test/bb:1', pushed]);
  const push = await run(['push', pushed]);
  assert.match(push.stdout, /^1: digest: sha256:[a-f0-9]{64} size: \d+$/m);
  const rmi = await run(['rmi', pushed]);
  assert.equal(rmi.stdout, `Untagged: ${pushed}\nUntagged: ${registry!.host}/cli/bb@${/digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)![1]}\n`);
  const pull = await run(['pull', pushed]);
  assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${pushed.replace(/[.]/g, '\\.')}\n${pushed.replace(/[.]/g, '\\.')}\n$`));
  assert.equal(await docker(['image', 'inspect', '--format', '{{.Id}}', pushed]), id);
});

test('build with a RUN step prints the builder\'s steps; save -o and load -i keep the ID (BERTH_ENGINE)', async () => {
  const ctx = join(dir.path, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM cli-test/bb:1\nRUN echo built by the engine > /note && cat /note\n');
  const build = await run(['build', '-t', 'cli-test/built:1', ctx]);
  assert.match(build.stdout, /^Step 1\/2 : FROM cli-test\/bb:1$/m);
  assert.match(build.stdout, /^Step 2\/2 : RUN echo built by the engine > \/note && cat \/note$/m);
  assert.match(build.stdout, /^built by the engine$/m);
  assert.match(build.stdout, /^Successfully built [a-f0-9]{12}\nSuccessfully tagged cli-test\/built:1$/m);
  const id = await docker(['image', 'inspect', '--format', '{{.Id}}', 'cli-test/built:1']);
  const file = join(dir.path, 'built.tar');
  const viaEnv = { ...env, BERTH_ENGINE: 'docker' };
  const save = await berth(join(dir.path, 'unused-store'), ['save', '-o', file, 'cli-test/built:1'], { env: viaEnv });
  assert.equal(save.code, 0, save.stderr);
  assert.deepEqual(readdirSync(dir.path).filter((n) => n.startsWith('built.tar')), ['built.tar'], 'no temporary file is left');
  await run(['rmi', 'cli-test/built:1']);
  const load = await run(['load', '-i', file]);
  assert.equal(load.stdout, 'Loaded image: cli-test/built:1\n');
  assert.equal(await docker(['image', 'inspect', '--format', '{{.Id}}', 'cli-test/built:1']), id);
  assert.ok(!existsSync(join(dir.path, 'unused-store')), 'the bundled store is never opened');
});

test('an engine that does not answer, and an unknown engine name, are one clear line each', async () => {
  const gone = await run(['images'], { env: { ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, ok: false });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^Error: cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock: no socket there\. Start the engine .*DOCKER_HOST.*--engine bundled/);
  assert.equal(gone.stderr.split('\n').filter(Boolean).length, 1, gone.stderr);
  const bad = await berth(join(dir.path, 'unused-store'), ['--engine', 'dockr', 'images'], { env });
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /--engine "dockr" is not an engine; use one of: bundled, docker/);
  const help = await berth(join(dir.path, 'unused-store'), ['--help'], { env });
  assert.match(help.stdout, /--engine string\s+The engine to use: "bundled" \(default, no daemon\) or "docker"/);
});
