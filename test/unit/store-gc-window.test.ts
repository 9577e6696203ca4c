// A blob read while another process's garbage collection has it in the trash (it moves each unreferenced
// blob there, reads the leases, then puts back the blobs a live writer pinned). The concurrency test
// (test/integration/concurrency.test.ts) met this as a pull failing with "blob ... is missing from the
// store"; here the collection's two steps are done by hand on a real store, so the moment is certain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../src/engine/store/store';
import { withFileLock } from '../../src/engine/store/lock';
import { hexOf, type Digest } from '../../src/engine/oci/digest';
import { tempDir } from '../helpers/tmp';

/** A store holding one blob, that blob moved to the trash as a collection's first step does, and a read of it started. */
async function readDuringCollection(store: Store): Promise<{ digest: Digest; trashed: string; read: Promise<Buffer>; settled: () => boolean }> {
  const lease = await store.lease();
  const { digest } = await store.blobs.put(Buffer.from('{"pinned":true}'), lease);
  await mkdir(store.layout.trashDir, { recursive: true });
  const trashed = join(store.layout.trashDir, `${hexOf(digest)}.0badc0de`);
  await rename(store.blobs.path(digest), trashed);
  let done = false;
  const read = store.blobs.read(digest);
  read.then(() => (done = true), () => (done = true));
  // Many file-system round trips: far longer than the read's own failed open.
  for (let i = 0; i < 50 && !done; i++) await readdir(store.layout.trashDir);
  return { digest, trashed, read, settled: () => done };
}

test('a read of a blob that a collection has in the trash waits, and returns it once the collection puts it back', async () => {
  const dir = tempDir();
  try {
    const store = await Store.open(join(dir.path, 'store'));
    // The collection holds the store lock throughout (this process plays the collecting process).
    await withFileLock(store.layout.lock, async () => {
      const { digest, trashed, read, settled } = await readDuringCollection(store);
      assert.equal(settled(), false, 'the read ended while the blob was in the trash');
      await rename(trashed, store.blobs.path(digest)); // the collection's second step: the blob was pinned
      assert.equal((await read).toString(), '{"pinned":true}');
    });
  } finally {
    dir.cleanup();
  }
});

test('a blob left in the trash by a dead collection (no live lock holder) is not waited for', async () => {
  const dir = tempDir();
  try {
    const store = await Store.open(join(dir.path, 'store'));
    const { read } = await readDuringCollection(store);
    await assert.rejects(read, (e: Error & { code?: string }) => e.code === 'STORE_CORRUPT');
  } finally {
    dir.cleanup();
  }
});

test('a read of a blob that the collection then deletes, or that is nowhere, fails with STORE_CORRUPT', async () => {
  const dir = tempDir();
  try {
    const store = await Store.open(join(dir.path, 'store'));
    await withFileLock(store.layout.lock, async () => {
      const { trashed, read } = await readDuringCollection(store);
      await unlink(trashed); // not pinned: deleted
      await assert.rejects(read, (e: Error & { code?: string }) => e.code === 'STORE_CORRUPT' && /is missing from the store; run "berth system check"/.test(e.message));
    });
    const nowhere = `sha256:${'0'.repeat(64)}` as Digest;
    await assert.rejects(store.blobs.read(nowhere), (e: Error & { code?: string }) => e.code === 'STORE_CORRUPT');
  } finally {
    dir.cleanup();
  }
});
