/** `berth images` / `berth image ls`: the table of `docker images`, with its filters and formats. */
import type { Command } from '../command';
import type { ImageEngine, ImageRecord } from '../../engine/engine';
import { UsageError } from '../args';
import { familiarRepository, matchesFamiliarPattern, splitNormalized, tryParseReference } from '../../engine/ref/reference';
import { shortId } from '../../engine/oci/digest';
import { renderFormatted } from '../format/table';
import { formatGoTime, humanDuration, humanSize } from '../format/units';
import { parseFilters, type Filters } from '../filters';

/** One row of the listing, with Docker's field names (keys in Docker's JSON order). */
export interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  VirtualSize: string;
}

const HEADERS = {
  Containers: 'CONTAINERS', CreatedAt: 'CREATED AT', CreatedSince: 'CREATED', Digest: 'DIGEST', ID: 'IMAGE ID',
  Repository: 'REPOSITORY', SharedSize: 'SHARED SIZE', Size: 'SIZE', Tag: 'TAG', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

const FILTER_KEYS = ['dangling', 'label', 'reference', 'before', 'since'];

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The rows Docker prints for one image: a row per tag, digest-only rows, or `<none>`. */
export function imageRows(image: ImageRecord, options: { digests: boolean; noTrunc: boolean; now: number }): ImageRow[] {
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const t of image.tags) {
    const r = splitNormalized(t);
    if (r.tag) push(tags, familiarRepository(r), r.tag);
  }
  for (const d of image.repoDigests) {
    const r = splitNormalized(d);
    if (r.digest) push(digests, familiarRepository(r), r.digest);
  }
  const created = image.created ? Date.parse(image.created) : NaN;
  const base = {
    Containers: 'N/A',
    CreatedAt: Number.isNaN(created) ? '' : formatGoTime(new Date(created)),
    CreatedSince: Number.isNaN(created) || created <= 0 ? 'N/A' : `${humanDuration(options.now - created)} ago`,
    ID: options.noTrunc ? image.id : shortId(image.id),
    SharedSize: 'N/A', Size: humanSize(image.size), UniqueSize: 'N/A', VirtualSize: humanSize(image.size),
  };
  const row = (Repository: string, Tag: string, Digest: string): ImageRow => ({ ...base, Digest, Repository, Tag } as ImageRow);
  const rows: ImageRow[] = [];
  for (const [repo, ts] of [...tags].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ds = options.digests ? digests.get(repo) ?? [] : [];
    digests.delete(repo);
    for (const tag of ts.sort()) {
      if (ds.length === 0) rows.push(row(repo, tag, '<none>'));
      else for (const d of ds) rows.push(row(repo, tag, d));
    }
  }
  for (const [repo, ds] of [...digests].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (options.digests) for (const d of ds) rows.push(row(repo, '<none>', d));
    else rows.push(row(repo, '<none>', '<none>'));
  }
  if (rows.length === 0) rows.push(row('<none>', '<none>', '<none>'));
  return rows;
}

/** Applies `-f` filters and the REPOSITORY[:TAG] argument; images keep only their matching references. */
export async function filterImages(engine: ImageEngine, images: ImageRecord[], filters: Filters): Promise<ImageRecord[]> {
  const refPatterns = filters.get('reference') ?? [];
  const dangling = filters.get('dangling')?.[0];
  if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) throw new UsageError(`invalid filter 'dangling=${dangling}'`);
  const createdOf = async (name: string): Promise<number> => Date.parse((await engine.resolve(name)).created ?? '') || 0;
  const before = filters.get('before')?.[0];
  const since = filters.get('since')?.[0];
  const beforeTime = before !== undefined ? await createdOf(before) : undefined;
  const sinceTime = since !== undefined ? await createdOf(since) : undefined;
  const labels = filters.get('label') ?? [];
  const out: ImageRecord[] = [];
  for (const image of images) {
    if (dangling !== undefined && (image.tags.length === 0) !== (dangling === 'true' || dangling === '1')) continue;
    const t = Date.parse(image.created ?? '') || 0;
    if (beforeTime !== undefined && !(t < beforeTime)) continue;
    if (sinceTime !== undefined && !(t > sinceTime)) continue;
    let kept = image;
    if (refPatterns.length) {
      const match = (n: string): boolean => {
        const r = tryParseReference(n);
        return r.ok && refPatterns.some((p) => matchesFamiliarPattern(r.ref, p));
      };
      kept = { ...image, tags: image.tags.filter(match), repoDigests: image.repoDigests.filter(match) };
      if (!kept.tags.length && !kept.repoDigests.length) continue;
    }
    if (labels.length) {
      const have = await engine.labels(image);
      if (!labels.every((l) => (l.includes('=') ? have[l.slice(0, l.indexOf('='))] === l.slice(l.indexOf('=') + 1) : l in have))) continue;
    }
    out.push(kept);
  }
  return out;
}

export const imagesCommand: Command = {
  path: ['image', 'ls'],
  aliases: [['images'], ['image', 'list']],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  summary: 'List images',
  maxArgs: 1,
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Show all images (default hides intermediate images)' },
    { name: 'digests', kind: 'bool', description: 'Show digests' },
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', kind: 'string', valueName: 'string', description: 'Pretty-print images using a Go template' },
    { name: 'no-trunc', kind: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, flags, args) {
    const filters = parseFilters((flags.filter as string[] | undefined) ?? [], FILTER_KEYS);
    if (args[0] !== undefined) {
      filters.set('reference', [...(filters.get('reference') ?? []), args[0]]);
    }
    const engine = await ctx.engine();
    const listed = await engine.listImages();
    // Docker hides intermediate images (a build's cached steps) unless -a
    const images = await filterImages(engine, flags.all ? listed : listed.filter((i) => !i.intermediate), filters);
    images.sort((a, b) => (Date.parse(b.created ?? '') || 0) - (Date.parse(a.created ?? '') || 0));
    const options = { digests: Boolean(flags.digests), noTrunc: Boolean(flags['no-trunc']), now: Date.now() };
    const rows = images.flatMap((i) => imageRows(i, options));
    let format = (flags.format as string | undefined) ?? '';
    if (flags.quiet) format = '{{.ID}}';
    else if (!format || format === 'table') format = options.digests
      ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
      : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
    ctx.stdout.write(renderFormatted(format, rows, HEADERS));
  },
};
