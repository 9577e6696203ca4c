/**
 * Where a store lives and how its folder is laid out: an OCI image layout
 * (https://github.com/opencontainers/image-spec/blob/main/image-layout.md) plus Berth's own
 * working folders, which OCI tools ignore.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../oci/digest';
import { hexOf } from '../oci/digest';

/** The default store folder: `BERTH_ROOT`, else the platform's data folder. */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BERTH_ROOT) return env.BERTH_ROOT;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'berth');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'berth');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'berth');
}

/** The paths inside a store folder. */
export class StoreLayout {
  constructor(readonly root: string) {}

  get ociLayout(): string { return join(this.root, 'oci-layout'); }
  get index(): string { return join(this.root, 'index.json'); }
  get lock(): string { return join(this.root, 'index.lock'); }
  get blobsDir(): string { return join(this.root, 'blobs', 'sha256'); }
  /** Temporary files being written; each name starts with the writer's PID. */
  get ingestDir(): string { return join(this.root, 'ingest'); }
  /** Blobs set aside by garbage collection while it checks that no writer needs them. */
  get trashDir(): string { return join(this.root, 'trash'); }
  /** One file per running writer, naming the blobs it relies on (see leases.ts). */
  get leasesDir(): string { return join(this.root, 'leases'); }

  blob(digest: Digest): string {
    return join(this.blobsDir, hexOf(digest));
  }
}
