/**
 * index.json of the store: read without a lock (it is only ever replaced by rename, so a reader sees
 * the old or the new file whole), changed only under the store lock.
 */
import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { BerthError, sysCode } from '../errors';
import { MediaType, type Descriptor, type ImageIndex } from '../oci/types';
import { isDigest } from '../oci/digest';

/** Reads the index; a missing file is an empty index. */
export async function readIndexFile(path: string): Promise<Descriptor[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (sysCode(e) === 'ENOENT') return [];
    throw e;
  }
  let index: ImageIndex;
  try {
    index = JSON.parse(text) as ImageIndex;
  } catch (e) {
    throw new BerthError('STORE_CORRUPT', `${path} is not valid JSON; the store is damaged (run "berth system check")`, { cause: e });
  }
  if (!index || !Array.isArray(index.manifests)) {
    throw new BerthError('STORE_CORRUPT', `${path} has no "manifests" list; the store is damaged (run "berth system check")`);
  }
  for (const m of index.manifests) {
    if (!m || !isDigest(m.digest) || typeof m.size !== 'number') {
      throw new BerthError('STORE_CORRUPT', `${path} has an entry with a bad digest or size: ${JSON.stringify(m).slice(0, 200)}`);
    }
  }
  return index.manifests;
}

/** Replaces the index atomically: a temporary file, then rename. Call under the store lock. */
export async function writeIndexFile(path: string, manifests: Descriptor[]): Promise<void> {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
  const tmp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(index), { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
