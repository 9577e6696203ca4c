/**
 * What loading an archive will add to the store, worked out and verified before anything is
 * committed: per image, its config bytes (kept unchanged, so the image ID is the same as in the
 * source), its layer files and their media types, and the tags to set.
 */
import { BerthError } from '../errors';
import { isDigest, type Digest } from '../oci/digest';
import { MediaType, type ImageConfig } from '../oci/types';
import { formatReference, parseReference, withDefaultTag } from '../ref/reference';
import type { ArchiveFile, ArchiveFiles } from './archive-files';
import { entryPath } from './entry-path';

/** One layer to store. */
export interface PlannedLayer {
  file: ArchiveFile;
  mediaType: string;
}

/** One image to store and tag. */
export interface PlannedImage {
  configBytes: Buffer;
  created?: string;
  layers: PlannedLayer[];
  /** Full references (`docker.io/library/busybox:latest`). */
  tags: string[];
}

/** Parses an image config and returns its diff IDs; INVALID_ARCHIVE when it is not a config. */
export function parseConfig(bytes: Buffer, what: string): { config: ImageConfig; diffIds: Digest[] } {
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (e) {
    throw new BerthError('INVALID_ARCHIVE', `${what} is not valid JSON; the archive is damaged`, { cause: e });
  }
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every(isDigest)) {
    throw new BerthError('INVALID_ARCHIVE', `${what} is not an image config: it has no list of sha256 rootfs.diff_ids`);
  }
  return { config, diffIds };
}

/**
 * Checks that a layer file's content is the layer the config names (its diff ID, computed on the
 * inflated content for gzip) and returns how to store it.
 */
export function planLayer(files: ArchiveFiles, file: ArchiveFile, diffId: Digest, what: string): PlannedLayer {
  let actual: Digest;
  let mediaType: string;
  if (file.compression === 'gzip') {
    actual = files.inflatedDigest(file);
    mediaType = MediaType.ociLayerGzip;
  } else if (file.compression === 'none') {
    actual = file.digest;
    mediaType = MediaType.ociLayer;
  } else {
    throw new BerthError('UNSUPPORTED', `${what} is ${file.compression}-compressed; Berth loads uncompressed and gzip-compressed layers only`);
  }
  if (actual !== diffId) {
    throw new BerthError('DIGEST_MISMATCH', `${what} has diff ID ${actual}, but the image config expects ${diffId}; the archive is damaged`);
  }
  return { file, mediaType };
}

/** A tag from an archive, normalized to the full form; INVALID_ARCHIVE when it is not a tag. */
export function archiveTag(name: string, what: string): string {
  let ref;
  try {
    ref = parseReference(name);
  } catch (e) {
    throw new BerthError('INVALID_ARCHIVE', `${what} names the invalid tag "${name}": ${(e as Error).message}`, { cause: e });
  }
  if (ref.digest !== undefined) throw new BerthError('INVALID_ARCHIVE', `${what} names "${name}" as a tag, but it is a digest reference`);
  return formatReference(withDefaultTag(ref));
}

/** The file an archive path names; INVALID_ARCHIVE naming `what` when the archive lacks it. */
export function requireFile(files: ArchiveFiles, path: unknown, what: string, source: string): ArchiveFile {
  if (typeof path !== 'string' || path === '') throw new BerthError('INVALID_ARCHIVE', `${source}: ${what} is missing or not a file name`);
  const p = entryPath(path);
  const file = p.ok ? files.resolve(p.path) : undefined;
  if (!file) throw new BerthError('INVALID_ARCHIVE', `${source}: ${what} names "${path}", which is not in the archive`);
  return file;
}
