// The parts of the RUN sandbox that need no namespaces: the user a command runs as (runc's rules),
// the scripts' shell quoting, and the errors that say why a sandbox could not be set up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBerthError } from '../../src/engine/errors';
import { setupError } from '../../src/engine/build/sandbox-process';
import { q } from '../../src/engine/build/sandbox-script';
import { resolveUser } from '../../src/engine/build/sandbox-user';
import { tempDir } from '../helpers/tmp';

let dir: { path: string; cleanup: () => void };
let root: string;
before(() => {
  dir = tempDir('berth-user-');
  root = join(dir.path, 'rootfs');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'shared'));
  writeFileSync(join(root, 'shared/passwd'), 'root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001:App:/home/app:/bin/sh\nbroken line\n');
  symlinkSync('/shared/passwd', join(root, 'etc/passwd'));
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nwheel:x:10:root,app\nstaff:x:50: app \napp:x:1001:\n');
});
after(() => dir.cleanup());

test('a user is found by name or number, with its groups from /etc/group', async () => {
  assert.deepEqual(await resolveUser(root, undefined), { uid: 0, gid: 0, groups: [10], home: '/root' });
  assert.deepEqual(await resolveUser(root, 'app'), { uid: 1000, gid: 1001, groups: [10, 50], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '1000'), { uid: 1000, gid: 1001, groups: [10, 50], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, groups: [], home: '/' }, 'a number need not be in the file');
});

test('an explicit group replaces the primary group and the supplementary ones', async () => {
  assert.deepEqual(await resolveUser(root, 'app:staff'), { uid: 1000, gid: 50, groups: [], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, 'app:77'), { uid: 1000, gid: 77, groups: [], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '5:wheel'), { uid: 5, gid: 10, groups: [], home: '/' });
});

test('a name missing from the files is an error that names it, as Docker\'s', async () => {
  await assert.rejects(resolveUser(root, 'ghost'), (e) => isBerthError(e, 'INVALID_ARGUMENT') && e.message === 'unable to find user ghost: no matching entries in passwd file');
  await assert.rejects(resolveUser(root, 'app:ghosts'), (e) => isBerthError(e, 'INVALID_ARGUMENT') && e.message === 'unable to find group ghosts: no matching entries in group file');
});

test('words are quoted for the shell so that it reads them back unchanged', () => {
  for (const word of ['plain', 'usr/lib', "it's", 'a b', '$HOME', '`x`', '"q"', '']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${q(word)}`]).toString(), word);
  }
});

test('a sandbox that cannot be set up says why, and points to the Docker Engine backend when the machine cannot run RUN', () => {
  const hint = 'Use the Docker Engine backend: berth --engine docker build …';
  const userns = setupError('namespaces', 'unshare: unshare failed: Operation not permitted', hint);
  assert.equal(userns.code, 'UNSUPPORTED');
  assert.equal(userns.message, `RUN needs Linux user namespaces, which this machine does not allow (unshare: unshare failed: Operation not permitted). ${hint}`);
  const overlay = setupError('overlay', 'mount: sandbox/m: wrong fs type', hint);
  assert.equal(overlay.code, 'UNSUPPORTED');
  assert.match(overlay.message, /overlayfs mounted in a user namespace \(Linux 5\.11 or newer\)/);
  const other = setupError('workdir', 'mkdir: cannot create directory', hint);
  assert.equal(other.code, 'IO');
  assert.match(other.message, /failed at its "workdir" step: mkdir: cannot create directory/);
});
