/**
 * Reading an OCI image layout in a tar (image-spec image-layout.md): index.json's entries, each an
 * image manifest or an image index (for which the manifest of this machine's platform is chosen).
 * Every blob is checked against its descriptor's digest and size. The tag comes from
 * `io.containerd.image.name` (Docker 25+, containerd) or from `org.opencontainers.image.ref.name`
 * when that is a full reference; a bare tag ("latest") names no repository, so such an image loads
 * untagged.
 */
import { BerthError } from '../errors';
import { isDigest, hexOf } from '../oci/digest';
import { Annotation, isIndexType, isManifestType, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from '../oci/types';
import type { ArchiveFile, ArchiveFiles } from './archive-files';
import { archiveTag, parseConfig, planLayer, type PlannedImage } from './load-plan';
import { hostPlatform, platformMatches, platformString } from '../oci/platform';
import { CONTAINERD_IMAGE_NAME } from './save-oci';

/** The images index.json names, each checked against the blobs of the archive. */
export async function planOciArchive(files: ArchiveFiles, source: string, platform: Platform = hostPlatform()): Promise<PlannedImage[]> {
  const index = await readJson<ImageIndex>(files, files.resolve('index.json')!, `${source}: index.json`);
  if (!Array.isArray(index.manifests)) throw new BerthError('INVALID_ARCHIVE', `${source}: index.json has no "manifests" list`);
  const images: PlannedImage[] = [];
  for (const entry of index.manifests) {
    let desc = entry;
    if (isIndexType(await mediaTypeOf(files, desc, source))) {
      const nested = await readJson<ImageIndex>(files, blobFile(files, desc, source), `${source}: image index ${desc.digest}`);
      const chosen = (nested.manifests ?? []).find((m) => isManifestType(m.mediaType) && platformMatches(m.platform, platform));
      if (!chosen) {
        const have = (nested.manifests ?? []).map((m) => platformString(m.platform)).join(', ');
        throw new BerthError('NOT_FOUND', `${source}: image index ${desc.digest}${nameOf(entry) ? ` (${nameOf(entry)})` : ''} has no image for ${platformString(platform)}; it has ${have || 'none'}`);
      }
      desc = chosen;
    } else if (!isManifestType(await mediaTypeOf(files, desc, source))) {
      throw new BerthError('UNSUPPORTED', `${source}: index.json names ${desc.digest} of type ${desc.mediaType}, which is not an image`);
    }
    images.push(await planManifest(files, desc, entry, source));
  }
  return images;
}

async function planManifest(files: ArchiveFiles, desc: Descriptor, entry: Descriptor, source: string): Promise<PlannedImage> {
  const manifest = await readJson<ImageManifest>(files, blobFile(files, desc, source), `${source}: manifest ${desc.digest}`);
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new BerthError('INVALID_ARCHIVE', `${source}: manifest ${desc.digest} has no config or no layers list`);
  const configFile = blobFile(files, manifest.config, source);
  const configBytes = await files.bytes(configFile);
  const { config, diffIds } = parseConfig(configBytes, `${source}: config ${manifest.config.digest}`);
  if (diffIds.length !== manifest.layers.length) {
    throw new BerthError('INVALID_ARCHIVE', `${source}: manifest ${desc.digest} lists ${manifest.layers.length} layers, but its config has ${diffIds.length} diff IDs`);
  }
  const layers = manifest.layers.map((l, j) => {
    const file = blobFile(files, l, source);
    const what = `${source}: layer ${l.digest}`;
    if (l.mediaType?.endsWith('zstd')) throw new BerthError('UNSUPPORTED', `${what} is zstd-compressed; Berth loads uncompressed and gzip-compressed layers only`);
    return planLayer(files, file, diffIds[j]!, what);
  });
  const name = nameOf(entry);
  return { configBytes, created: typeof config.created === 'string' ? config.created : undefined, layers, tags: name ? [archiveTag(name, `${source}: index.json`)] : [] };
}

/** The full image name an index entry carries, if any. */
function nameOf(entry: Descriptor): string | undefined {
  const a = entry.annotations ?? {};
  const full = a[CONTAINERD_IMAGE_NAME];
  if (full) return full;
  const ref = a[Annotation.refName];
  return ref && /[/:@]/.test(ref) ? ref : undefined;
}

/** The archive file of a blob, checked against the descriptor's digest and size. */
function blobFile(files: ArchiveFiles, desc: Descriptor, source: string): ArchiveFile {
  if (!isDigest(desc?.digest)) {
    const raw: unknown = desc?.digest;
    const alg = typeof raw === 'string' ? raw.split(':')[0] : '';
    throw new BerthError(alg && alg !== 'sha256' ? 'UNSUPPORTED' : 'INVALID_ARCHIVE', `${source}: a descriptor has the digest ${JSON.stringify(desc?.digest)}; Berth reads sha256 digests only`);
  }
  const file = files.resolve(`blobs/sha256/${hexOf(desc.digest)}`);
  if (!file) throw new BerthError('INVALID_ARCHIVE', `${source}: blob ${desc.digest} is named by the archive but not in it (blobs/sha256/${hexOf(desc.digest)})`);
  if (file.size !== desc.size) throw new BerthError('SIZE_MISMATCH', `${source}: blob ${desc.digest} has ${file.size} bytes, but its descriptor says ${desc.size}; the archive is damaged`);
  if (file.digest !== desc.digest) throw new BerthError('DIGEST_MISMATCH', `${source}: blobs/sha256/${hexOf(desc.digest)} has digest ${file.digest}; the archive is damaged`);
  return file;
}

async function mediaTypeOf(files: ArchiveFiles, desc: Descriptor, source: string): Promise<string | undefined> {
  if (desc.mediaType) return desc.mediaType;
  const body = await readJson<{ mediaType?: string; manifests?: unknown; config?: unknown }>(files, blobFile(files, desc, source), `${source}: blob ${desc.digest}`);
  return body.mediaType ?? (body.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json');
}

async function readJson<T>(files: ArchiveFiles, file: ArchiveFile, what: string): Promise<T> {
  try {
    return JSON.parse((await files.bytes(file)).toString('utf8')) as T;
  } catch (e) {
    throw new BerthError('INVALID_ARCHIVE', `${what} is not valid JSON; the archive is damaged`, { cause: e });
  }
}
