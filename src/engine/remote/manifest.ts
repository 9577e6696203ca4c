/**
 * Fetching a manifest by tag or digest: every media type Berth reads is offered, the bytes are checked
 * against the digest, an index or manifest list is resolved to one platform's manifest, and the old
 * schema 1 format is refused with a clear message.
 */
import { BerthError } from '../errors';
import { digestOf, isDigest, type Digest } from '../oci/digest';
import { platformMatches, platformString } from '../oci/platform';
import { isIndexType, isManifestType, MediaType, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from '../oci/types';
import { readLimited, type RepositoryClient } from './client';

const ACCEPT = [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest,
  'application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/vnd.docker.distribution.manifest.v1+json'].join(', ');

/** Manifests and indexes are small; anything bigger is refused (4 MiB, as the registry's own limit). */
const MAX_MANIFEST = 4 << 20;

/** A manifest as fetched: its exact bytes, digest and media type. */
export interface FetchedManifest {
  bytes: Buffer;
  digest: Digest;
  mediaType: string;
}

/** What to pull: the image manifest, and the digest the user's reference resolved to (an index's, for multi-platform images). */
export interface ResolvedManifest {
  manifest: ImageManifest;
  fetched: FetchedManifest;
  /** The digest Docker records in RepoDigests: the first manifest fetched (the index for a multi-platform image). */
  repoDigest: Digest;
}

/** Fetches the manifest or index at `reference` (a tag or a digest); verifies the bytes when a digest is known. */
export async function fetchManifest(repo: RepositoryClient, reference: string, what: string): Promise<FetchedManifest> {
  const res = await repo.expect('GET', repo.path(`manifests/${reference}`), [200], { headers: { accept: ACCEPT }, retry: true, what });
  const bytes = await readLimited(res, MAX_MANIFEST, what);
  const digest = digestOf(bytes);
  const header = String(res.headers['docker-content-digest'] ?? '');
  if (isDigest(reference) && digest !== reference) {
    throw new BerthError('DIGEST_MISMATCH', `${what}: the registry sent a manifest whose digest is ${digest}, not ${reference}; it was thrown away`);
  }
  if (isDigest(header) && header !== digest && !isDigest(reference)) {
    throw new BerthError('DIGEST_MISMATCH', `${what}: the manifest's content has digest ${digest}, but the registry says ${header}; it was thrown away`);
  }
  let mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; schemaVersion?: number; manifests?: unknown; config?: unknown };
    if (parsed.mediaType) mediaType = parsed.mediaType;
    else if (parsed.schemaVersion === 1) mediaType = 'application/vnd.docker.distribution.manifest.v1+json';
    else if (Array.isArray(parsed.manifests)) mediaType = MediaType.ociIndex;
    else if (parsed.config) mediaType = MediaType.ociManifest;
  } catch {
    throw new BerthError('INVALID_MANIFEST', `${what}: the registry sent a manifest that is not valid JSON`);
  }
  return { bytes, digest, mediaType };
}

function parseImageManifest(f: FetchedManifest, what: string): ImageManifest {
  const m = JSON.parse(f.bytes.toString('utf8')) as ImageManifest;
  if (!m.config || !isDigest(m.config.digest) || !Array.isArray(m.layers) || m.layers.some((l) => !isDigest(l?.digest) || typeof l.size !== 'number' || l.size < 0)) {
    throw new BerthError('INVALID_MANIFEST', `${what}: the manifest ${f.digest} is malformed (a config and layers with sha256 digests and sizes are required)`);
  }
  return m;
}

/** Chooses the manifest for `platform` from an index (Docker's message when none matches). */
export function choosePlatform(index: ImageIndex, platform: Platform): Descriptor {
  const candidates = (index.manifests ?? []).filter((d) => isManifestType(d.mediaType) || !d.mediaType);
  const exact = candidates.find((d) => platformMatches(d.platform, platform) && (!platform.variant || d.platform?.variant === platform.variant));
  const match = exact ?? candidates.find((d) => platformMatches(d.platform, platform));
  if (!match) {
    const have = candidates.map((d) => platformString(d.platform)).join(', ') || 'none';
    throw new BerthError('NOT_FOUND', `no matching manifest for ${platformString(platform)} in the manifest list entries (the image has: ${have}); choose one with --platform`);
  }
  return match;
}

/** Resolves `reference` to one image manifest for `platform`. */
export async function resolveManifest(repo: RepositoryClient, reference: string, platform: Platform, what: string): Promise<ResolvedManifest> {
  const first = await fetchManifest(repo, reference, what);
  if (first.mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    throw new BerthError('UNSUPPORTED', `${what}: the image uses the Docker image manifest v2 schema 1, which Berth does not support (nor does Docker since 2023); push it again with a current tool`);
  }
  if (isIndexType(first.mediaType)) {
    const index = JSON.parse(first.bytes.toString('utf8')) as ImageIndex;
    const chosen = choosePlatform(index, platform);
    if (!isDigest(chosen.digest)) throw new BerthError('INVALID_MANIFEST', `${what}: the index names an invalid digest`);
    const child = await fetchManifest(repo, chosen.digest, what);
    if (!isManifestType(child.mediaType)) throw new BerthError('INVALID_MANIFEST', `${what}: the index entry for ${platformString(platform)} is a ${child.mediaType}, not an image manifest`);
    return { manifest: parseImageManifest(child, what), fetched: child, repoDigest: first.digest };
  }
  if (!isManifestType(first.mediaType)) throw new BerthError('UNSUPPORTED', `${what}: the registry sent a ${first.mediaType || 'manifest of unknown type'}, which is not a container image`);
  return { manifest: parseImageManifest(first, what), fetched: first, repoDigest: first.digest };
}
