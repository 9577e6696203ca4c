/**
 * The OCI image format's data structures, and Docker's schema 2 equivalents.
 * https://github.com/opencontainers/image-spec (manifest.md, image-index.md, config.md, descriptor.md)
 */
import type { Digest } from './digest';

/** Media types Berth reads and writes. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** Annotation keys of the OCI spec and of Berth's own index entries. */
export const Annotation = {
  refName: 'org.opencontainers.image.ref.name',
  created: 'org.opencontainers.image.created',
  /** The image ID (config digest), cached in the index so listing needs no other file. */
  imageId: 'dev.berth.image.id',
  /** The image's size in bytes (its layers), cached in the index. */
  imageSize: 'dev.berth.image.size',
  /** When the tag was last set (Docker's Metadata.LastTagTime). */
  tagTime: 'dev.berth.tag.time',
  /** A digest reference this image is known by in a registry (Docker's RepoDigests). */
  repoDigest: 'dev.berth.repo.digest',
  /** A build step's result, kept for the build cache (Docker's intermediate images): hidden by `images` unless `-a`. */
  intermediate: 'dev.berth.build.intermediate',
} as const;

/** A content descriptor: what a blob is, its digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** An OS/architecture pair with optional variant. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** An image manifest: one config and its ordered layers. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image index (or Docker manifest list): several manifests, usually one per platform. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime configuration part of an image config. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  OnBuild?: string[] | null;
  Shell?: string[];
  ArgsEscaped?: boolean;
  [key: string]: unknown;
}

/** One entry of an image's history. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An image configuration (config.md), with Docker's extra fields. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  comment?: string;
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  parent?: string;
  [key: string]: unknown;
}

/** True for the media types of a single-image manifest. */
export function isManifestType(t: string | undefined): boolean {
  return t === MediaType.ociManifest || t === MediaType.dockerManifest;
}

/** True for the media types of an index or manifest list. */
export function isIndexType(t: string | undefined): boolean {
  return t === MediaType.ociIndex || t === MediaType.dockerManifestList;
}

/** True when a layer media type is gzip-compressed. */
export function isGzipLayer(t: string): boolean {
  return t.endsWith('+gzip') || t.endsWith('.tar.gzip');
}
