/**
 * The engine's images as Berth's records: `GET /images/json`, `/images/{name}/json` and
 * `/images/{name}/history` mapped to the same ImageRecord, ImageInspect and HistoryRow the bundled
 * engine returns, so that the CLI's `images`, `inspect` and `history` print them unchanged. Names are
 * kept in Berth's full form (`docker.io/library/busybox:latest`); the engine speaks the familiar one.
 */
import type { Digest } from '../oci/digest';
import { MediaType } from '../oci/types';
import { formatReference, tryParseReference } from '../ref/reference';
import type { ImageRecord } from '../store/store';
import type { HistoryRow, ImageInspect } from '../store/inspect';
import type { DiskUsage } from '../store/check';
import { namePath, type DockerClient } from './client';

/** An entry of `GET /images/json`. */
export interface EngineImageSummary {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  Labels?: Record<string, string> | null;
}

/** What `GET /images/{name}/json` answers (Docker's inspect JSON; the fields Berth reads). */
export type EngineImageInspect = ImageInspect & { Parent?: string; Config: { Labels?: Record<string, string> | null } | null };

/** A reference in Berth's full form; `<none>` placeholders and unparsable names are dropped. */
export function fullName(name: string): string | undefined {
  if (name.startsWith('<none>')) return undefined;
  const r = tryParseReference(name);
  return r.ok ? formatReference(r.ref) : undefined;
}

function fullNames(names: string[] | null | undefined): string[] {
  return (names ?? []).map(fullName).filter((n): n is string => n !== undefined);
}

/** The manifest descriptor of an engine image: its repo digest when it has one (the engine keeps no other). */
function manifestOf(id: string, repoDigests: string[]): ImageRecord['manifest'] {
  const digest = (repoDigests[0]?.split('@')[1] ?? id) as Digest;
  return { mediaType: MediaType.dockerManifest, digest, size: 0 };
}

/** An engine summary as a record; `hasChildren` marks a build step's untagged result. */
export function recordOfSummary(s: EngineImageSummary, hasChildren: boolean): ImageRecord {
  const tags = fullNames(s.RepoTags);
  const repoDigests = fullNames(s.RepoDigests);
  return {
    id: s.Id as Digest,
    manifest: manifestOf(s.Id, repoDigests),
    created: new Date(s.Created * 1000).toISOString(),
    size: s.Size,
    tags,
    repoDigests,
    ...(hasChildren && tags.length === 0 ? { intermediate: true } : {}),
  };
}

/** An inspect answer as a record. */
export function recordOfInspect(i: EngineImageInspect): ImageRecord {
  const repoDigests = fullNames(i.RepoDigests);
  const lastTagTime = i.Metadata?.LastTagTime;
  return {
    id: i.Id as Digest,
    manifest: manifestOf(i.Id, repoDigests),
    created: i.Created,
    size: i.Size,
    tags: fullNames(i.RepoTags),
    repoDigests,
    ...(lastTagTime && !lastTagTime.startsWith('0001-') ? { lastTagTime } : {}),
  };
}

/** Every image (intermediate ones marked), and the labels each has. */
export async function listEngineImages(client: DockerClient): Promise<{ images: ImageRecord[]; labels: Map<string, Record<string, string>> }> {
  const all = await client.json<EngineImageSummary[]>('GET', '/images/json', { query: { all: 1 }, what: 'listing the images' });
  const parents = new Set(all.map((s) => s.ParentId).filter(Boolean));
  const labels = new Map(all.map((s) => [s.Id, s.Labels ?? {}]));
  return { images: all.map((s) => recordOfSummary(s, parents.has(s.Id))), labels };
}

/** `GET /images/{name}/json`. */
export function inspectEngineImage(client: DockerClient, nameOrId: string): Promise<EngineImageInspect> {
  return client.json<EngineImageInspect>('GET', `/images/${namePath(nameOrId)}/json`, { what: `inspecting "${nameOrId}"` });
}

/** An entry of `GET /images/{name}/history`. */
interface EngineHistory {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** `docker history` rows, newest first. */
export async function engineHistory(client: DockerClient, nameOrId: string): Promise<HistoryRow[]> {
  const rows = await client.json<EngineHistory[]>('GET', `/images/${namePath(nameOrId)}/history`, { what: `the history of "${nameOrId}"` });
  return rows.map((r) => ({
    id: r.Id,
    ...(r.Created ? { created: new Date(r.Created * 1000).toISOString() } : {}),
    createdBy: r.CreatedBy,
    size: r.Size,
    comment: r.Comment,
    tags: fullNames(r.Tags),
  }));
}

/** `GET /system/df` as Berth's DiskUsage: sizes as the engine counts them. */
export async function engineDiskUsage(client: DockerClient): Promise<DiskUsage> {
  const df = await client.json<{ LayersSize: number; Images: (EngineImageSummary & { SharedSize: number })[] }>('GET', '/system/df', { what: 'asking the engine its disk usage' });
  const perImage = df.Images.map((i) => ({
    id: i.Id as Digest, tags: fullNames(i.RepoTags), created: new Date(i.Created * 1000).toISOString(),
    size: i.Size, shared: Math.max(0, i.SharedSize), unique: i.Size - Math.max(0, i.SharedSize),
  }));
  return { images: perImage.length, logical: perImage.reduce((n, i) => n + i.size, 0), used: df.LayersSize, unreferenced: 0, perImage };
}
