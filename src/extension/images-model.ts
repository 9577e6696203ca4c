/**
 * What the Images view shows, as plain data: tags grouped (by repository, by registry, or not at all),
 * sorted (by name, age or size), described (size and age), with untagged images under their own node.
 * No `vscode` here, so the rules are tested without VS Code; images-view.ts turns these into tree items.
 */
import type { ImageRecord } from '../engine/store/store';
import { familiarString, tryParseReference } from '../engine/ref/reference';
import { humanAge, humanSize } from '../dockerfile/docs/human';
import type { Locale } from '../dockerfile/features/types';

export type GroupBy = 'repository' | 'registry' | 'none';
export type SortBy = 'name' | 'age' | 'size';
export type Describe = 'size+age' | 'size' | 'age' | 'id' | 'none';

/** One row for a tag (or, under "dangling", for an untagged image). */
export interface ImageRow {
  kind: 'image';
  image: ImageRecord;
  /** The full reference (`docker.io/library/busybox:latest`), absent for an untagged image. */
  reference?: string;
  /** What the row shows: `latest`, `busybox:latest`, or a short ID. */
  label: string;
  description: string;
}

/** A group of rows. */
export interface GroupRow {
  kind: 'group';
  /** `busybox`, `ghcr.io`, or `<none>` for untagged images. */
  label: string;
  dangling: boolean;
  children: ImageRow[];
}

export type Row = GroupRow | ImageRow;

/** The 12 hex digits Docker shows. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function describe(image: ImageRecord, how: Describe, now: number, locale: Locale): string {
  switch (how) {
    case 'none':
      return '';
    case 'id':
      return shortId(image.id);
    case 'size':
      return humanSize(image.size);
    case 'age':
      return humanAge(image.created ?? '', locale, now) ?? '';
    default:
      return [humanSize(image.size), humanAge(image.created ?? '', locale, now)].filter(Boolean).join(' · ');
  }
}

function compare(sort: SortBy): (a: ImageRow, b: ImageRow) => number {
  const byName = (a: ImageRow, b: ImageRow): number => a.label.localeCompare(b.label);
  if (sort === 'age') return (a, b) => (Date.parse(b.image.created ?? '') || 0) - (Date.parse(a.image.created ?? '') || 0) || byName(a, b);
  if (sort === 'size') return (a, b) => b.image.size - a.image.size || byName(a, b);
  return byName;
}

/** The rows of the view: groups with their tags, then untagged images under `<none>`. */
export function imageRows(images: ImageRecord[], options: { groupBy: GroupBy; sortBy: SortBy; describe: Describe; now: number; locale?: Locale }): Row[] {
  const groups = new Map<string, ImageRow[]>();
  const flat: ImageRow[] = [];
  const dangling: ImageRow[] = [];
  for (const image of images) {
    if (image.intermediate) continue;
    const description = describe(image, options.describe, options.now, options.locale ?? 'en');
    if (image.tags.length === 0) {
      dangling.push({ kind: 'image', image, label: shortId(image.id), description });
      continue;
    }
    for (const reference of image.tags) {
      const parsed = tryParseReference(reference);
      const familiar = parsed.ok ? familiarString(parsed.ref) : reference;
      const colon = familiar.lastIndexOf(':');
      const repo = colon > familiar.lastIndexOf('/') ? familiar.slice(0, colon) : familiar;
      const tag = colon > familiar.lastIndexOf('/') ? familiar.slice(colon + 1) : 'latest';
      if (options.groupBy === 'none') {
        flat.push({ kind: 'image', image, reference, label: familiar, description });
        continue;
      }
      const key = options.groupBy === 'registry' ? (parsed.ok ? parsed.ref.domain : 'docker.io') : repo;
      const label = options.groupBy === 'registry' ? familiar : tag;
      const list = groups.get(key) ?? [];
      list.push({ kind: 'image', image, reference, label, description });
      groups.set(key, list);
    }
  }
  const order = compare(options.sortBy);
  const rows: Row[] = [];
  if (options.groupBy === 'none') rows.push(...flat.sort(order));
  else {
    const entries = [...groups].map(([label, children]) => ({ label, children: children.sort(order) }));
    if (options.sortBy === 'name') entries.sort((a, b) => a.label.localeCompare(b.label));
    else entries.sort((a, b) => order(a.children[0]!, b.children[0]!));
    for (const e of entries) rows.push({ kind: 'group', label: e.label, dangling: false, children: e.children });
  }
  if (dangling.length) rows.push({ kind: 'group', label: '<none>', dangling: true, children: dangling.sort(order) });
  return rows;
}
