import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SequentialFile } from '../../src/engine/store/sequential-file';
import { tempDir } from '../helpers/tmp';

const MiB = 1 << 20;

async function roundTrip(folder: string, sizes: number[]): Promise<void> {
  for (const [i, size] of sizes.entries()) {
    const data = randomBytes(size);
    const path = join(folder, `f${i}`);
    const file = await SequentialFile.create(path);
    // Uneven pieces, so blocks fill across chunk boundaries.
    for (let at = 0; at < size; ) {
      const n = Math.min(size - at, 1 + ((at * 7919) % (3 * MiB)));
      await file.write(data.subarray(at, at + n));
      at += n;
    }
    assert.equal(file.size, size);
    await file.close();
    assert.equal(statSync(path).size, size, `size ${size}`);
    assert.ok(readFileSync(path).equals(data), `content of ${size} bytes`);
  }
}

const SIZES = [0, 1, 4095, 4096, 4097, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 12345];

test('a sequential file holds exactly what was written, whatever its length', async () => {
  const dir = tempDir('berth-seqfile-');
  try {
    await roundTrip(dir.path, SIZES);
  } finally {
    dir.cleanup();
  }
});

test('on a file system without O_DIRECT (tmpfs) it writes through the page cache', async () => {
  const folder = mkdtempSync('/dev/shm/berth-seqfile-');
  try {
    await roundTrip(folder, [0, 5000, 4 * MiB + 3]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an existing file is not overwritten, and abort closes the file', async () => {
  const dir = tempDir('berth-seqfile-');
  try {
    const path = join(dir.path, 'x');
    const file = await SequentialFile.create(path);
    await file.write(Buffer.alloc(5 * MiB, 1));
    await file.abort();
    await assert.rejects(SequentialFile.create(path), /EEXIST/);
  } finally {
    dir.cleanup();
  }
});
