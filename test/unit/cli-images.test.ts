// The CLI's local verbs against a store on disk, asserting what a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Store } from '../../src/engine/store/store';
import { hexOf } from '../../src/engine/oci/digest';
import { addImage } from '../helpers/images';
import { commitImage } from '../../src/engine/store/images';
import { berth } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const DAY = 86_400_000;

async function withStore(fn: (root: string, store: Store) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(dir.path, await Store.open(dir.path));
  } finally {
    dir.cleanup();
  }
}

test('images on an empty store prints Docker\'s header', () => withStore(async (root) => {
  const r = await berth(root, ['images']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
}));

test('images shows repository, tag, short ID, age and size as Docker prints them', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36'], layers: [Buffer.alloc(4_261_215)], created: new Date(Date.now() - 2 * DAY - 1000).toISOString() });
  const other = await addImage(store, { tags: ['localhost:5000/team/app:v2'], layers: [Buffer.alloc(63_100_000)], created: new Date(Date.now() - 3 * 3600_000).toISOString() });
  const r = await berth(root, ['images']);
  assert.equal(r.code, 0, r.stderr);
  const id = hexOf(img.id).slice(0, 12);
  const id2 = hexOf(other.id).slice(0, 12);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(lines[1]!, new RegExp(`^localhost:5000/team/app\\s+v2\\s+${id2}\\s+3 hours ago\\s+63.1MB$`));
  assert.match(lines[2]!, new RegExp(`^busybox\\s+1.36\\s+${id}\\s+2 days ago\\s+4.26MB$`));
  assert.match(lines[3]!, new RegExp(`^busybox\\s+latest\\s+${id}\\s+2 days ago\\s+4.26MB$`));
  assert.equal(lines.length, 4);
  // Columns line up: every row starts its TAG and SIZE values where the header starts them.
  const tagCol = lines[0]!.indexOf('TAG');
  const sizeCol = lines[0]!.indexOf('SIZE');
  assert.deepEqual(lines.slice(1).map((l) => l.slice(tagCol).split(' ')[0]), ['v2', '1.36', 'latest']);
  assert.deepEqual(lines.slice(1).map((l) => l.slice(sizeCol)), ['63.1MB', '4.26MB', '4.26MB']);
}));

test('images -q, --no-trunc, --format and {{json .}}', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/busybox:latest'] });
  assert.equal((await berth(root, ['images', '-q'])).stdout, `${hexOf(img.id).slice(0, 12)}\n`);
  assert.equal((await berth(root, ['images', '-q', '--no-trunc'])).stdout, `${img.id}\n`);
  assert.equal((await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout, `busybox:latest ${hexOf(img.id).slice(0, 12)}\n`);
  const json = JSON.parse((await berth(root, ['images', '--format', '{{json .}}'])).stdout);
  assert.equal(json.Repository, 'busybox');
  assert.equal(json.Tag, 'latest');
  assert.equal(json.Digest, '<none>');
  const table = (await berth(root, ['images', '--format', 'table {{.ID}}\\t{{.Tag}}'])).stdout;
  assert.equal(table, `IMAGE ID       TAG\n${hexOf(img.id).slice(0, 12)}   latest\n`);
}));

test('images filters: dangling, reference, label, before, since, and the REPOSITORY argument', () => withStore(async (root, store) => {
  const old = await addImage(store, { tags: ['docker.io/library/app:1'], created: new Date(Date.now() - 3 * DAY).toISOString(), labels: { tier: 'web' } });
  await addImage(store, { tags: ['docker.io/library/app:1'], created: new Date(Date.now() - 2 * DAY).toISOString() });
  await addImage(store, { tags: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:musl'], created: new Date(Date.now() - DAY).toISOString(), labels: { tier: 'base' } });
  const names = async (...args: string[]): Promise<string> => (await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', ...args])).stdout.trim().split('\n').sort().join(' ');
  assert.equal(await names(), '<none>:<none> app:1 busybox:latest busybox:musl');
  assert.equal(await names('-f', 'dangling=true'), '<none>:<none>');
  assert.equal(await names('-f', 'dangling=false'), 'app:1 busybox:latest busybox:musl');
  assert.equal(await names('-f', 'reference=busy*'), 'busybox:latest busybox:musl');
  assert.equal(await names('-f', 'reference=*:musl'), 'busybox:musl');
  assert.equal(await names('busybox'), 'busybox:latest busybox:musl');
  assert.equal(await names('busybox:musl'), 'busybox:musl');
  assert.equal(await names('-f', 'label=tier'), '<none>:<none> busybox:latest busybox:musl');
  assert.equal(await names('-f', 'label=tier=web'), '<none>:<none>');
  assert.equal(await names('-f', 'before=app:1'), '<none>:<none>');
  assert.equal(await names('-f', `since=${hexOf(old.id).slice(0, 12)}`), 'app:1 busybox:latest busybox:musl');
  const bad = await berth(root, ['images', '-f', 'color=red']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid filter 'color'/);
}));

test('images --digests shows repo digests', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/busybox:latest'] });
  const [rec] = await store.images();
  const digest = `sha256:${'a'.repeat(64)}`;
  await commitImage(store, { id: img.id, manifest: rec!.manifest, size: rec!.size, created: rec!.created }, { repoDigests: [`docker.io/library/busybox@${digest}`] });
  const r = await berth(root, ['images', '--digests']);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(lines[1]!, new RegExp(`^busybox\\s+latest\\s+${digest}\\s+`));
  const inspect = JSON.parse((await berth(root, ['inspect', 'busybox'])).stdout);
  assert.deepEqual(inspect[0].RepoDigests, [`busybox@${digest}`]);
}));

test('tag by reference, ID and ID prefix; bad targets get Docker\'s message', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/test:latest'] });
  assert.equal((await berth(root, ['tag', 'test:latest', 'user/test:latest'])).code, 0);
  assert.equal((await berth(root, ['tag', hexOf(img.id).slice(0, 12), 'ouruser/sinatra:devel'])).code, 0);
  assert.equal((await berth(root, ['image', 'tag', img.id, 'localhost:5000/test'])).code, 0);
  const out = (await berth(root, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.trim().split('\n').sort();
  assert.deepEqual(out, ['localhost:5000/test:latest', 'ouruser/sinatra:devel', 'test:latest', 'user/test:latest']);
  const upper = await berth(root, ['tag', 'test', 'User/Test']);
  assert.equal(upper.code, 1);
  assert.equal(upper.stderr, 'Error: invalid reference format: repository name must be lowercase\n');
  const missing = await berth(root, ['tag', 'nosuch', 'x']);
  assert.equal(missing.stderr, 'Error: No such image: nosuch\n');
  const usage = await berth(root, ['tag', 'onlyone']);
  assert.equal(usage.code, 125);
  assert.match(usage.stderr, /"berth image tag" requires exactly 2 arguments/);
}));

test('inspect prints Docker\'s JSON; -f runs a Go template', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/busybox:latest'], config: { Cmd: ['sh'], Env: ['PATH=/bin'] } });
  const r = await berth(root, ['inspect', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('[\n    {\n        "Id": "sha256:'));
  const [j] = JSON.parse(r.stdout);
  assert.equal(j.Id, img.id);
  assert.deepEqual(j.RepoTags, ['busybox:latest']);
  assert.deepEqual(Object.keys(j), ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'RootFS', 'Metadata']);
  assert.deepEqual(j.Config.Cmd, ['sh']);
  assert.equal(j.RootFS.Type, 'layers');
  assert.equal(j.Size, img.size);
  assert.equal((await berth(root, ['inspect', '-f', '{{.Architecture}}', 'busybox'])).stdout, 'amd64\n');
  assert.equal((await berth(root, ['image', 'inspect', '--format', '{{index .RepoTags 0}}', 'busybox'])).stdout, 'busybox:latest\n');
  assert.deepEqual(JSON.parse((await berth(root, ['inspect', '-f', '{{json .Config}}', 'busybox'])).stdout).Env, ['PATH=/bin']);
  const missing = await berth(root, ['inspect', 'busybox', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error: No such image: nope\n');
  assert.equal(JSON.parse(missing.stdout).length, 1);
}));

test('history lists layers newest first with <missing> below the top', () => withStore(async (root, store) => {
  const created = new Date(Date.now() - 5 * DAY).toISOString();
  const img = await addImage(store, {
    tags: ['docker.io/library/busybox:latest'], created, layers: [Buffer.alloc(1_200_000)],
    history: [
      { created, created_by: '/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7 in / ' },
      { created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
  });
  const r = await berth(root, ['history', 'busybox']);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  assert.match(lines[1]!, new RegExp(`^${hexOf(img.id).slice(0, 12)}\\s+5 days ago\\s+/bin/sh -c #\\(nop\\)  CMD \\["sh"\\]\\s+0B\\s*$`));
  assert.match(lines[2]!, /^<missing>\s+5 days ago\s+\/bin\/sh -c #\(nop\) ADD file:7e9002edaafd4e457…\s+1.2MB\s*$/);
  const full = await berth(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', 'busybox']);
  assert.equal(full.stdout.split('\n')[1], '/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7 in / |1.2MB');
  assert.equal((await berth(root, ['history', '-q', 'busybox'])).stdout, `${hexOf(img.id).slice(0, 12)}\n<missing>\n`);
}));

test('rmi untags, then deletes; prints what Docker prints', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/ubuntu:14.04', 'docker.io/library/ubuntu:trusty'] });
  assert.equal((await berth(root, ['rmi', 'ubuntu:trusty'])).stdout, 'Untagged: ubuntu:trusty\n');
  assert.equal((await berth(root, ['rmi', 'ubuntu:14.04'])).stdout, `Untagged: ubuntu:14.04\nDeleted: ${img.id}\n`);
  const missing = await berth(root, ['rmi', 'ubuntu']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error: No such image: ubuntu\n');
  assert.equal((await berth(root, ['rmi', '-f', 'ubuntu'])).code, 0, 'with -f a missing image is reported but not an error');
}));

test('rmi by ID of an image in two repositories needs -f', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/ubuntu:14.04', 'docker.io/library/myubuntu:latest'] });
  const short = hexOf(img.id).slice(0, 12);
  const r = await berth(root, ['rmi', short]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error: conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories\n`);
  const f = await berth(root, ['rmi', '-f', short]);
  assert.equal(f.stdout, `Untagged: ubuntu:14.04\nUntagged: myubuntu:latest\nDeleted: ${img.id}\n`);
}));

test('image prune asks first, then lists what it deleted and the space reclaimed', () => withStore(async (root, store) => {
  await addImage(store, { tags: ['docker.io/library/app:1'], layers: [Buffer.alloc(2_500_000, 1)] });
  await addImage(store, { tags: ['docker.io/library/app:1'] });
  const no = await berth(root, ['image', 'prune'], { stdin: 'n\n' });
  assert.equal(no.stderr, 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
  assert.equal((await berth(root, ['images', '-q'])).stdout.trim().split('\n').length, 2);
  const yes = await berth(root, ['image', 'prune'], { stdin: 'y\n' });
  assert.match(yes.stdout, /^Deleted Images:\ndeleted: sha256:[a-f0-9]{64}\n\nTotal reclaimed space: 2.5MB\n$/);
  const none = await berth(root, ['image', 'prune', '-f']);
  assert.equal(none.stdout, 'Total reclaimed space: 0B\n');
  const all = await berth(root, ['image', 'prune', '-a', '-f', '--filter', 'until=1h']);
  assert.equal(all.stdout, 'Total reclaimed space: 0B\n', 'the image is younger than an hour');
  const all2 = await berth(root, ['image', 'prune', '-af']);
  assert.match(all2.stdout, /^Deleted Images:\nuntagged: app:1\ndeleted: sha256:/);
}));

test('system check passes on a good store and fails with the problem on a damaged one', () => withStore(async (root, store) => {
  const img = await addImage(store, { tags: ['docker.io/library/x:1'] });
  const ok = await berth(root, ['system', 'check']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /^Checked 1 image, 3 blobs \(.*\) in .*: no problems found\.\n$/);
  writeFileSync(store.blobs.path(img.layers[0]!), 'bad');
  const bad = await berth(root, ['system', 'check']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, new RegExp(`ERROR ${img.layers[0]}: content does not match its digest`));
}));

test('system df shows logical size against bytes on disk', () => withStore(async (root, store) => {
  const shared = Buffer.alloc(3_000_000, 7);
  await addImage(store, { tags: ['docker.io/library/a:1'], layers: [shared, Buffer.from('a')] });
  await addImage(store, { tags: ['docker.io/library/b:1'], layers: [shared, Buffer.from('b')] });
  const r = await berth(root, ['system', 'df', '-v']);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^TYPE\s+TOTAL\s+SIZE\s+ON DISK\s+RECLAIMABLE$/);
  assert.match(lines[1]!, /^Images\s+2\s+6MB\s+3MB\s+0B$/);
  assert.match(r.stdout, /a\s+1\s+[a-f0-9]{12}\s+Less than a second ago\s+3MB\s+3MB\s+1B/);
}));

test('help: every verb answers --help; berth image --help lists the image verbs; unknown flags exit 125', () => withStore(async (root) => {
  const h = await berth(root, ['images', '--help']);
  assert.match(h.stdout, /Usage:\s+berth image ls \[OPTIONS\] \[REPOSITORY\[:TAG\]\]/);
  assert.match(h.stdout, /-q, --quiet\s+Only show image IDs/);
  const g = await berth(root, ['image', '--help']);
  for (const verb of ['ls', 'tag', 'inspect', 'history', 'rm', 'prune', 'import', 'save', 'load']) assert.match(g.stdout, new RegExp(`\\n  ${verb}\\s`));
  for (const verb of [['rmi'], ['save'], ['load'], ['import'], ['history'], ['inspect'], ['tag'], ['system', 'df'], ['system', 'check'], ['image', 'prune']]) {
    const r = await berth(root, [...verb, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage:/);
  }
  const u = await berth(root, ['images', '--bogus']);
  assert.equal(u.code, 125);
  assert.equal(u.stderr, "unknown flag: --bogus\nSee 'berth image ls --help'.\n");
  const top = await berth(root, ['nosuchverb']);
  assert.equal(top.code, 125);
}));
