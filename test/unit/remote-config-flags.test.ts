// The global flags --insecure-registry and --registry-mirror reach the registry configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isInsecure, loadRegistryConfig } from '../../src/engine/remote/registry-config';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

test('flags add insecure registries and mirrors; mirrors from flags come first', async () => {
  const dir = tempDir();
  try {
    const env = { HOME: dir.path, BERTH_REGISTRY_MIRRORS: 'https://env-mirror.example' };
    const config = await loadRegistryConfig({ env, daemonJsonPath: join(dir.path, 'none.json'), insecure: ['reg.example:5000', '10.1.0.0/16'], mirrors: ['http://flag-mirror.example:5000'] });
    assert.equal(isInsecure('reg.example:5000', config), true);
    assert.equal(isInsecure('10.1.2.3:443', config), true);
    assert.equal(isInsecure('other.example', config), false);
    assert.deepEqual(config.mirrors, ['http://flag-mirror.example:5000/', 'https://env-mirror.example/']);
  } finally {
    dir.cleanup();
  }
});

test('a bad --insecure-registry value is refused with the flag named', async () => {
  const dir = tempDir();
  try {
    const env = { PATH: process.env.PATH, HOME: dir.path, XDG_CONFIG_HOME: join(dir.path, 'xdg'), DOCKER_CONFIG: join(dir.path, 'docker') };
    const r = await berth(join(dir.path, 'store'), ['--insecure-registry', 'ftp://nope', 'pull', 'busybox'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--insecure-registry/);
    const h = await berth(join(dir.path, 'store'), ['--help'], { env });
    assert.match(h.stdout, /--insecure-registry list/);
  } finally {
    dir.cleanup();
  }
});
