/**
 * What `docker image inspect` and `docker history` show, computed from the stored manifest and config.
 * The JSON keeps Docker's field names and order so that `--format` templates written for Docker work.
 */
import type { ContainerConfig, HistoryEntry, ImageConfig, ImageManifest } from '../oci/types';
import { familiar } from './images';
import type { ImageRecord, Store } from './store';

/** The JSON of `docker image inspect` for one image. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** One row of `docker history`, newest first. */
export interface HistoryRow {
  /** The image ID for the top row, `<missing>` for the rest (their intermediate images are not kept). */
  id: string;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Docker's container.Config layout: every field in Docker's order, defaults filled in. */
export function dockerContainerConfig(c: ContainerConfig | undefined, imageId = ''): Record<string, unknown> | null {
  if (!c) return null;
  const out: Record<string, unknown> = {
    Hostname: '', Domainname: '', User: c.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
  };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length) out.ExposedPorts = c.ExposedPorts;
  Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false, Env: c.Env ?? null, Cmd: c.Cmd ?? null });
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck;
  if (c.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, {
    Image: (c.Image as string | undefined) ?? imageId, Volumes: c.Volumes ?? null, WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null, OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? null,
  });
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.Shell) out.Shell = c.Shell;
  return out;
}

/** Reads an image's manifest and config from the store. */
export async function readImage(store: Store, image: ImageRecord): Promise<{ manifest: ImageManifest; config: ImageConfig }> {
  const manifest = await store.blobs.readJson<ImageManifest>(image.manifest.digest);
  const config = await store.blobs.readJson<ImageConfig>(manifest.config.digest);
  return { manifest, config };
}

/** The inspect JSON of an image. */
export async function inspectImage(store: Store, image: ImageRecord): Promise<ImageInspect> {
  const { config } = await readImage(store, image);
  const size = image.size;
  const out: ImageInspect = {
    Id: image.id,
    RepoTags: image.tags.map(familiar),
    RepoDigests: image.repoDigests.map(familiar),
    Parent: typeof config.parent === 'string' ? config.parent : '',
    Comment: typeof config.comment === 'string' ? config.comment : '',
    Created: config.created ?? ZERO_TIME,
    DockerVersion: typeof config.docker_version === 'string' ? config.docker_version : '',
    Author: config.author ?? '',
    Config: dockerContainerConfig(config.config),
    Architecture: config.architecture ?? '',
    Os: config.os ?? '',
    Size: size,
    VirtualSize: size,
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: [...(config.rootfs?.diff_ids ?? [])] },
    Metadata: { LastTagTime: image.lastTagTime ?? ZERO_TIME },
  };
  if (config.variant) {
    const { Os, Size, VirtualSize, RootFS, Metadata, ...head } = out;
    return { ...head, Variant: config.variant, Os, Size, VirtualSize, RootFS, Metadata };
  }
  return out;
}

/** The history of an image, newest first, with each layer's size matched to its history entry. */
export async function imageHistory(store: Store, image: ImageRecord): Promise<HistoryRow[]> {
  const { manifest, config } = await readImage(store, image);
  const layers = manifest.layers;
  const history: HistoryEntry[] = config.history?.length ? config.history : layers.map(() => ({ created: config.created, created_by: '' }));
  let next = 0;
  const rows: HistoryRow[] = history.map((h) => {
    const size = h.empty_layer ? 0 : (layers[next++]?.size ?? 0);
    return { id: '<missing>', created: h.created, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [] };
  });
  rows.reverse();
  if (rows[0]) {
    rows[0].id = image.id;
    rows[0].tags = image.tags.map(familiar);
  }
  return rows;
}

/** The labels of an image (for `-f label=`), read from its config. */
export async function imageLabels(store: Store, image: ImageRecord): Promise<Record<string, string>> {
  const { config } = await readImage(store, image);
  return config.config?.Labels ?? {};
}
