// The build context on real files: .dockerignore (and <Dockerfile>.dockerignore), walking, COPY globs,
// paths outside the context, and checksums that change when content changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext } from '../../src/engine/build/context';
import { tempDir } from '../helpers/tmp';

function fixture(): { path: string; cleanup: () => void } {
  const dir = tempDir('berth-context-');
  const w = (p: string, text = p): void => {
    mkdirSync(join(dir.path, p, '..'), { recursive: true });
    writeFileSync(join(dir.path, p), text);
  };
  w('Dockerfile', 'FROM scratch');
  w('app/main.go');
  w('app/util.go');
  w('app/README.md');
  w('node_modules/x/index.js');
  w('logs/a.log');
  w('logs/keep.log');
  w('secret.env');
  symlinkSync('app/main.go', join(dir.path, 'link'));
  writeFileSync(join(dir.path, '.dockerignore'), 'node_modules\nlogs\n!logs/keep.log\n*.env\n**/*.md\n');
  return dir;
}

test('walk honours .dockerignore, enters an ignored folder only for its exceptions, and sorts', async () => {
  const dir = fixture();
  try {
    const ctx = await BuildContext.open(dir.path);
    const paths = (await ctx.walk()).map((e) => e.path);
    assert.deepEqual(paths, ['.', '.dockerignore', 'Dockerfile', 'app', 'app/main.go', 'app/util.go', 'link', 'logs/keep.log']);
    const link = (await ctx.walk()).find((e) => e.path === 'link')!;
    assert.equal(link.type, 'symlink');
    assert.equal(link.linkTarget, 'app/main.go');
  } finally {
    dir.cleanup();
  }
});

test('COPY globs match within segments; ignored files are not found', async () => {
  const dir = fixture();
  try {
    const ctx = await BuildContext.open(dir.path);
    assert.deepEqual((await ctx.glob('app/*.go')).map((e) => e.path), ['app/main.go', 'app/util.go']);
    assert.deepEqual((await ctx.glob('app/m?in.[a-z]o')).map((e) => e.path), ['app/main.go']);
    assert.deepEqual((await ctx.glob('*.env')).map((e) => e.path), []);
    assert.deepEqual((await ctx.glob('secret.env')).map((e) => e.path), []);
    assert.equal((await ctx.stat('app'))?.type, 'directory');
    await assert.rejects(ctx.stat('../outside'), /outside the build context/);
  } finally {
    dir.cleanup();
  }
});

test('<Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore', async () => {
  const dir = fixture();
  try {
    writeFileSync(join(dir.path, 'Dockerfile.dockerignore'), 'app\n');
    const ctx = await BuildContext.open(dir.path, { dockerfile: join(dir.path, 'Dockerfile') });
    const paths = (await ctx.walk()).map((e) => e.path);
    assert.ok(!paths.includes('app/main.go'));
    assert.ok(paths.includes('node_modules/x/index.js'));
  } finally {
    dir.cleanup();
  }
});

test('the checksum of COPY sources changes with content, mode and name, and not otherwise', async () => {
  const dir = fixture();
  try {
    const ctx = await BuildContext.open(dir.path);
    const sum = async (): Promise<string> => ctx.checksum(await ctx.walk('app'));
    const a = await sum();
    assert.equal(await sum(), a);
    writeFileSync(join(dir.path, 'app', 'util.go'), 'changed');
    const b = await sum();
    assert.notEqual(b, a);
    writeFileSync(join(dir.path, 'logs', 'a.log'), 'ignored files do not count');
    assert.equal(await ctx.checksum(await ctx.walk('app')), b);
  } finally {
    dir.cleanup();
  }
});

test('a missing context is a clear error', async () => {
  await assert.rejects(BuildContext.open('/nonexistent/berth/context'), /the build context \/nonexistent\/berth\/context does not exist/);
});
