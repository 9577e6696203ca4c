// The bundled CLI (dist/cli.js, built by `npm test`) as a real process: the store's default location,
// BERTH_ROOT, --root, and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/tmp';

const CLI = resolve(__dirname, '../../dist/cli.js');

function run(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the store defaults to $XDG_DATA_HOME/berth; BERTH_ROOT and --root override it', () => {
  const dir = tempDir();
  try {
    const base = { PATH: process.env.PATH, HOME: join(dir.path, 'home') };
    assert.equal(run(['images'], { ...base, XDG_DATA_HOME: join(dir.path, 'xdg') }).code, 0);
    assert.ok(existsSync(join(dir.path, 'xdg', 'berth', 'oci-layout')));
    assert.equal(run(['images'], base).code, 0);
    assert.ok(existsSync(join(dir.path, 'home', '.local', 'share', 'berth', 'index.json')) || existsSync(join(dir.path, 'home', '.local', 'share', 'berth', 'oci-layout')));
    assert.equal(run(['images'], { ...base, BERTH_ROOT: join(dir.path, 'env-root') }).code, 0);
    assert.ok(existsSync(join(dir.path, 'env-root', 'oci-layout')));
    assert.equal(run(['--root', join(dir.path, 'flag-root'), 'images'], { ...base, BERTH_ROOT: join(dir.path, 'env-root') }).code, 0);
    assert.ok(existsSync(join(dir.path, 'flag-root', 'oci-layout')));
  } finally {
    dir.cleanup();
  }
});

test('the process exits 1 on an operation error and 125 on a usage error', () => {
  const dir = tempDir();
  try {
    const env = { PATH: process.env.PATH, BERTH_ROOT: dir.path };
    const missing = run(['rmi', 'nosuch:1'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: No such image: nosuch:1\n');
    assert.equal(run(['images', '--nope'], env).code, 125);
    const version = run(['--version'], env);
    assert.match(version.stdout, /^Berth version \d+\.\d+\.\d+\n$/);
  } finally {
    dir.cleanup();
  }
});
