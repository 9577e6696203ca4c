/**
 * The one facade that the CLI, the extension and the language server call. The bundled engine works
 * on the local store; a Docker Engine backend will implement the same interface.
 */
import type { Readable, Writable } from 'node:stream';
import type { Digest } from './oci/digest';
import { Store, type ImageRecord, type StoreOptions } from './store/store';
import { defaultStoreRoot } from './store/layout';
import { listImages, pruneImages, removeImages, resolveImage, tagImage, type PruneOptions, type RemoveEvent } from './store/images';
import { imageHistory, imageLabels, inspectImage, type HistoryRow, type ImageInspect } from './store/inspect';
import { checkStore, diskUsage, type CheckReport, type DiskUsage } from './store/check';
import { importImage, type ImportOptions } from './archive/import';
import { saveImages, saveToFile, type SaveFormat } from './archive/save';
import { loadImages, type LoadResult } from './archive/load';

/** Progress of long work, in bytes. */
export interface Progress {
  (bytes: number): void;
}

/** The operations every backend offers. */
export interface ImageEngine {
  /** Where images live, for messages (a store folder, or a Docker host). */
  readonly location: string;
  listImages(): Promise<ImageRecord[]>;
  labels(image: ImageRecord): Promise<Record<string, string>>;
  resolve(nameOrId: string): Promise<ImageRecord>;
  inspect(nameOrId: string): Promise<ImageInspect>;
  history(nameOrId: string): Promise<HistoryRow[]>;
  tag(source: string, target: string): Promise<string>;
  remove(names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }>;
  prune(options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }>;
  importImage(source: Readable, options: ImportOptions): Promise<{ id: Digest }>;
  save(names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void>;
  load(input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult>;
  check(): Promise<CheckReport>;
  diskUsage(): Promise<DiskUsage>;
}

/** The bundled engine: the local OCI store, no daemon. */
export class BundledEngine implements ImageEngine {
  private constructor(readonly store: Store) {}

  /** Opens the store at `root` (default: BERTH_ROOT or the platform's data folder). */
  static async open(root: string = defaultStoreRoot(), options: StoreOptions = {}): Promise<BundledEngine> {
    return new BundledEngine(await Store.open(root, options));
  }

  get location(): string {
    return this.store.root;
  }

  listImages(): Promise<ImageRecord[]> {
    return listImages(this.store);
  }

  labels(image: ImageRecord): Promise<Record<string, string>> {
    return imageLabels(this.store, image);
  }

  async resolve(nameOrId: string): Promise<ImageRecord> {
    return (await resolveImage(this.store, nameOrId)).image;
  }

  async inspect(nameOrId: string): Promise<ImageInspect> {
    return inspectImage(this.store, await this.resolve(nameOrId));
  }

  async history(nameOrId: string): Promise<HistoryRow[]> {
    return imageHistory(this.store, await this.resolve(nameOrId));
  }

  tag(source: string, target: string): Promise<string> {
    return tagImage(this.store, source, target);
  }

  remove(names: string[], options: { force?: boolean }): Promise<{ events: RemoveEvent[]; errors: Error[] }> {
    return removeImages(this.store, names, options);
  }

  prune(options: PruneOptions): Promise<{ events: RemoveEvent[]; reclaimed: number }> {
    return pruneImages(this.store, options);
  }

  importImage(source: Readable, options: ImportOptions): Promise<{ id: Digest }> {
    return importImage(this.store, source, options);
  }

  async save(names: string[], out: Writable | string, options: { format: SaveFormat; onProgress?: Progress }): Promise<void> {
    if (typeof out === 'string') await saveToFile(this.store, names, out, options);
    else await saveImages(this.store, names, out, options);
  }

  load(input: Readable, options: { sourceName: string; onProgress?: Progress }): Promise<LoadResult> {
    return loadImages(this.store, input, options);
  }

  check(): Promise<CheckReport> {
    return checkStore(this.store);
  }

  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.store);
  }
}

export type { ImageRecord, ImageInspect, HistoryRow, RemoveEvent, CheckReport, DiskUsage };
