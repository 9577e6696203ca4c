/** `berth image prune`: remove untagged images (all unused images with -a) and report the space reclaimed. */
import type { Command } from '../command';
import { UsageError } from '../args';
import { parseFilters } from '../filters';
import { humanSize, parseDuration } from '../format/units';
import type { ImageEngine, ImageRecord } from '../../engine/engine';

/** Parses `until=` as Docker does: a Unix timestamp, an RFC 3339 date, or a duration before now. */
export function parseUntil(value: string, now: number): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (!Number.isNaN(date) && /\d{4}-\d{2}-\d{2}/.test(value)) return date;
  try {
    return now - parseDuration(value);
  } catch {
    throw new UsageError(`invalid filter 'until=${value}': expected a Unix timestamp, a date (2006-01-02T15:04:05) or a duration (24h)`);
  }
}

function labelMatcher(spec: string): (labels: Record<string, string>) => boolean {
  const eq = spec.indexOf('=');
  if (eq < 0) return (l) => spec in l;
  const key = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  return (l) => l[key] === value;
}

export const pruneCommand: Command = {
  path: ['image', 'prune'],
  usage: '[OPTIONS]',
  summary: 'Remove unused images',
  maxArgs: 0,
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Remove all unused images, not just dangling ones' },
    { name: 'filter', kind: 'list', valueName: 'filter', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', kind: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = parseFilters((flags.filter as string[] | undefined) ?? [], ['until', 'label', 'label!']);
    const now = Date.now();
    const until = filters.get('until')?.map((v) => parseUntil(v, now));
    const labels = (filters.get('label') ?? []).map(labelMatcher);
    const notLabels = (filters.get('label!') ?? []).map(labelMatcher);
    const all = Boolean(flags.all);
    if (!flags.force) {
      const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
      ctx.err(warning);
      if (!(await ctx.confirm('Are you sure you want to continue?'))) return 0;
    }
    const engine: ImageEngine = await ctx.engine();
    const select = async (image: ImageRecord): Promise<boolean> => {
      if (until && !until.every((u) => (Date.parse(image.created ?? '') || 0) < u)) return false;
      if (labels.length || notLabels.length) {
        const l = await engine.labels(image);
        if (!labels.every((m) => m(l)) || notLabels.some((m) => m(l))) return false;
      }
      return true;
    };
    const { events, reclaimed } = await engine.prune({ all, select });
    if (events.length) {
      ctx.out('Deleted Images:');
      for (const e of events) ctx.out('untagged' in e ? `untagged: ${e.untagged}` : `deleted: ${e.deleted}`);
      ctx.out('');
    }
    ctx.out(`Total reclaimed space: ${humanSize(reclaimed)}`);
  },
};

/** `berth builder prune`: removes the build cache (the intermediate images of earlier builds). */
export const builderPruneCommand: Command = {
  path: ['builder', 'prune'],
  usage: '[OPTIONS]',
  summary: 'Remove build cache',
  maxArgs: 0,
  flags: [
    { name: 'filter', kind: 'list', valueName: 'filter', description: 'Provide filter values (e.g. "until=24h")' },
    { name: 'force', short: 'f', kind: 'bool', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = parseFilters((flags.filter as string[] | undefined) ?? [], ['until']);
    const now = Date.now();
    const until = filters.get('until')?.map((v) => parseUntil(v, now));
    if (!flags.force) {
      ctx.err('WARNING! This will remove all dangling build cache.');
      if (!(await ctx.confirm('Are you sure you want to continue?'))) return 0;
    }
    const engine: ImageEngine = await ctx.engine();
    const select = (image: ImageRecord): boolean => Boolean(image.intermediate) && (!until || until.every((u) => (Date.parse(image.created ?? '') || 0) < u));
    const { events, reclaimed } = await engine.prune({ all: true, select });
    const deleted = events.filter((e): e is { deleted: `sha256:${string}` } => 'deleted' in e);
    if (deleted.length) {
      ctx.out('Deleted build cache objects:');
      for (const e of deleted) ctx.out(e.deleted.slice(7, 32));
      ctx.out('');
    }
    ctx.out(`Total reclaimed space: ${humanSize(reclaimed)}`);
  },
};
