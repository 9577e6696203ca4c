// Secrets stay secret: the berth CLI, as a real process, logs in to a registry behind a bearer token
// service with a known password, pulls, pushes, fails a pull and a login on purpose, and lists and checks
// its store. Every Authorization header it sent is recorded by a loopback proxy in front of the registry,
// so the bearer tokens it held are known too. Then every output of every command and every file written
// under the test's HOME, XDG folders, Docker config folder, store and TMPDIR is searched: the password
// (plain, URL-encoded or JSON-escaped) and the tokens appear nowhere; the base64 `user:password` pair is
// only in config.json (where Docker keeps it too), and config.json is mode 0600.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { pushTestImage, startRegistry, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';
import { tempDir } from '../helpers/tmp';

const MAIN = resolve(__dirname, '../../src/cli/main.ts');
const USER = 'alice';
const PASSWORD = 'K9#known-pa$$ word/"with\\odd+chars';

let dir: { path: string; cleanup: () => void };
let registry: Registry;
let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;
const outputs: { command: string; text: string }[] = [];

before(async () => {
  dir = tempDir('berth-secrets-');
  registry = await startRegistry({ auth: 'token', users: { [USER]: PASSWORD } });
  await pushTestImage(registry, 'private/app', '1');
  proxy = await startFaultProxy(registry.url, () => undefined);
  const home = join(dir.path, 'home');
  env = {
    PATH: process.env.PATH,
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    TMPDIR: join(dir.path, 'tmp'),
  };
});

after(async () => {
  await proxy?.stop();
  await registry?.stop();
  dir?.cleanup();
});

/** Runs the CLI as its own process (the store at its default place under XDG_DATA_HOME); records its output. */
function berth(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, cwd: resolve(__dirname, '../..'), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      outputs.push({ command: `berth ${args.join(' ')}`, text: stdout + stderr });
      done({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** Every regular file below `path`. */
function filesUnder(path: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

test('the password and the bearer tokens appear in no output and no file of Berth; config.json is 0600', async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(env.TMPDIR!, { recursive: true });
  const tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));

  const wrong = await berth(['login', '-u', USER, '--password-stdin', proxy.host], 'not-the-password\n');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /unauthorized: incorrect username or password/);

  const login = await berth(['login', '-u', USER, '--password-stdin', proxy.host], `${PASSWORD}\n`);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, 'Login Succeeded\n');

  const pull = await berth(['pull', `${proxy.host}/private/app:1`]);
  assert.equal(pull.code, 0, pull.stderr);
  const missing = await berth(['pull', `${proxy.host}/private/missing:1`]);
  assert.equal(missing.code, 1);
  assert.equal((await berth(['import', tarball, `${proxy.host}/private/bb:1`])).code, 0);
  const push = await berth(['push', `${proxy.host}/private/bb:1`]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await berth(['images', '--digests'])).code, 0);
  assert.equal((await berth(['inspect', `${proxy.host}/private/app:1`])).code, 0);
  assert.equal((await berth(['system', 'check'])).code, 0);

  const tokens = [...new Set(proxy.requests.map((r) => String(r.headers.authorization ?? '')).filter((a) => a.startsWith('Bearer ')).map((a) => a.slice(7)))];
  assert.ok(tokens.length > 0, 'Berth used bearer tokens');
  const basicPair = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const secrets: [string, string][] = [
    ['the password', PASSWORD],
    ['the URL-encoded password', encodeURIComponent(PASSWORD)],
    ['the JSON-escaped password', JSON.stringify(PASSWORD).slice(1, -1)],
    ...tokens.flatMap((t, i): [string, string][] => [[`bearer token ${i + 1}`, t], [`the signature of bearer token ${i + 1}`, t.split('.')[2]!]]),
  ];

  for (const { command, text } of outputs) {
    for (const [what, secret] of [...secrets, ['the base64 user:password', basicPair] as [string, string]]) {
      assert.ok(!text.includes(secret), `${what} is in the output of ${command}`);
    }
  }
  const config = join(env.DOCKER_CONFIG!, 'config.json');
  const files = filesUnder(dir.path).filter((f) => !f.endsWith('rootfs.tar'));
  assert.ok(files.includes(config), 'config.json was written');
  assert.ok(files.some((f) => f.includes(join('.local', 'share', 'berth'))), 'the store is under XDG_DATA_HOME');
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const [what, secret] of secrets) assert.ok(!text.includes(secret), `${what} is in ${file}`);
    if (file !== config) assert.ok(!text.includes(basicPair), `the base64 user:password is in ${file}`);
  }
  assert.equal(statSync(config).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(config, 'utf8')).auths[proxy.host].auth, basicPair);

  const logout = await berth(['logout', proxy.host]);
  assert.equal(logout.code, 0);
  assert.ok(!readFileSync(config, 'utf8').includes(basicPair), 'logout removed the credentials');
});
