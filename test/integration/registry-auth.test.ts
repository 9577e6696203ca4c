// Logging in and out, and pulling and pushing, against the real registry with htpasswd basic auth and
// behind a bearer token service (the harness serves the tokens; the registry checks them).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startRegistry, pushTestImage, type Registry } from '../helpers/registry';
import { makeBusyboxTarball } from '../helpers/rootfs';

const PASSWORD = 'Sup3r-secret-pw!';

/** Every file below `dir`, recursively, with its text. */
function allFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    if (name.isDirectory()) out.push(...allFiles(p));
    else if (name.isFile()) out.push({ path: p, text: readFileSync(p).toString('latin1') });
  }
  return out;
}

for (const mode of ['basic', 'token'] as const) {
  describe(`registry with ${mode} auth`, () => {
    let dir: { path: string; cleanup: () => void };
    let registry: Registry;
    let env: NodeJS.ProcessEnv;
    let tarball: string;
    const outputs: string[] = [];
    const run = async (root: string, args: string[], stdin?: string) => {
      const r = await berth(root, args, { env, stdin });
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    before(async () => {
      dir = tempDir(`berth-auth-${mode}-`);
      registry = await startRegistry({ auth: mode, users: { alice: PASSWORD } });
      env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
      tarball = makeBusyboxTarball(join(dir.path, 'rootfs.tar'));
      await pushTestImage(registry, 'private/app', '1');
    });

    after(async () => {
      await registry?.stop();
      dir?.cleanup();
    });

    test('without a login, pull and push say how to log in', async () => {
      const root = join(dir.path, 'anon');
      const pull = await run(root, ['pull', `${registry.host}/private/app:1`]);
      assert.equal(pull.code, 1);
      assert.match(pull.stderr, new RegExp(`pull access denied for ${registry.host.replace(/\./g, '\\.')}/private/app, repository does not exist or may require 'berth login'`));
      assert.equal((await run(root, ['import', tarball, `${registry.host}/private/bb:1`])).code, 0);
      const push = await run(root, ['push', `${registry.host}/private/bb:1`]);
      assert.equal(push.code, 1);
      assert.match(push.stderr, new RegExp(`log in with "berth login ${registry.host.replace(/\./g, '\\.')}"`));
    });

    test('login with a wrong password fails and stores nothing', async () => {
      const r = await run(join(dir.path, 'wrong'), ['login', '-u', 'alice', '--password-stdin', registry.host], 'not-the-password\n');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /unauthorized: incorrect username or password/);
      assert.throws(() => readFileSync(join(dir.path, 'docker', 'config.json')));
    });

    test('login, pull, push, logout; config.json is 0600; the password appears in no output and no file of Berth', async () => {
      const root = join(dir.path, 'user');
      const login = await run(root, ['login', '-u', 'alice', '--password-stdin', registry.host], `${PASSWORD}\n`);
      assert.equal(login.code, 0, login.stderr);
      assert.equal(login.stdout, 'Login Succeeded\n');
      assert.match(login.stderr, /^WARNING! Your password will be stored unencrypted in .*\/config\.json\./);
      const config = join(dir.path, 'docker', 'config.json');
      assert.equal(statSync(config).mode & 0o777, 0o600);
      assert.ok(JSON.parse(readFileSync(config, 'utf8')).auths[registry.host].auth);
      const pull = await run(root, ['pull', `${registry.host}/private/app:1`]);
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal((await run(root, ['import', tarball, `${registry.host}/private/bb:1`])).code, 0);
      const push = await run(root, ['push', `${registry.host}/private/bb:1`]);
      assert.equal(push.code, 0, push.stderr);
      assert.match(push.stdout, /1: digest: sha256:[a-f0-9]{64} size: \d+\n$/);
      if (mode === 'token') assert.ok(registry.tokenRequests > 0, 'tokens were requested from the token service');
      const logout = await run(root, ['logout', registry.host]);
      assert.equal(logout.stdout, `Removing login credentials for ${registry.host}\n`);
      assert.equal(JSON.parse(readFileSync(config, 'utf8')).auths?.[registry.host], undefined);
      assert.equal((await run(root, ['logout', registry.host])).stdout, `Not logged in to ${registry.host}\n`);
      for (const text of outputs) assert.ok(!text.includes(PASSWORD), 'the password is not printed');
      for (const f of allFiles(root)) assert.ok(!f.text.includes(PASSWORD), `the password is not in ${f.path}`);
    });

    test('-p on the command line works and warns', async () => {
      const r = await run(join(dir.path, 'p'), ['login', '-u', 'alice', '-p', PASSWORD, registry.host]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.\n/);
    });

    test('login without a terminal and without -u says so', async () => {
      const r = await run(join(dir.path, 'tty'), ['login', registry.host]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /Cannot perform an interactive login from a non TTY device/);
    });
  });
}
