/**
 * `berth search`: `docker search` (docker/cli `cli/command/registry/search.go` and
 * `formatter_search.go`): Docker Hub, or the catalog of the registry a `HOST[:PORT]/TERM` names.
 * The table is today's docker's (NAME DESCRIPTION STARS OFFICIAL; the AUTOMATED column left the
 * default table in docker 25 when Docker Hub stopped setting it), sorted by stars, most first.
 */
import type { Command } from '../command';
import { UsageError } from '../args';
import { parseFilters, type Filters } from '../filters';
import { renderFormatted } from '../format/table';
import { ellipsis } from '../format/units';
import { toGoJSON, marshalJSON } from '../format/gojson';
import type { SearchFilters, SearchResult } from '../../engine/engine';

/** One row, with the names `--format` uses (docker's searchContext). */
export interface SearchRow {
  Name: string;
  Description: string;
  StarCount: string;
  IsOfficial: string;
  IsAutomated: string;
}

const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
const DEFAULT_FORMAT = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';
const FILTER_KEYS = ['is-automated', 'is-official', 'stars'];
const DESCRIPTION_WIDTH = 45;

/** `is-official=true`, as moby's filters.GetBoolOrDefault reads it: 1/true or 0/false, not both. */
function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values) return undefined;
  const isTrue = values.some((v) => v === '1' || v === 'true');
  const isFalse = values.some((v) => v === '0' || v === 'false');
  if (isTrue === isFalse) throw new UsageError(`invalid filter '${key}=${[...new Set(values)].join(',')}'`);
  return isTrue;
}

/** `stars=N` (the largest N when given several), as the docker daemon reads it. */
function starsFilter(filters: Filters): number | undefined {
  const values = filters.get('stars');
  if (!values) return undefined;
  let most = 0;
  for (const v of values) {
    if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`invalid filter 'stars=${v}': strconv.Atoi: parsing "${v}": invalid syntax`);
    most = Math.max(most, Number.parseInt(v, 10));
  }
  return most;
}

/** The filters of `--filter`, with the old `--automated` and `--stars` folded in. */
export function searchFilters(raw: string[], automated: boolean, stars: number): SearchFilters {
  const filters = parseFilters(raw, FILTER_KEYS);
  const out: SearchFilters = {};
  const official = boolFilter(filters, 'is-official');
  const isAutomated = automated || boolFilter(filters, 'is-automated');
  const minStars = Math.max(starsFilter(filters) ?? 0, stars);
  if (official !== undefined) out.isOfficial = official;
  if (isAutomated !== undefined) out.isAutomated = isAutomated;
  if (filters.has('stars') || stars > 0) out.stars = minStars;
  return out;
}

/** The row docker prints for a result; `{{json .}}` gives docker's JSON ("true"/"false" flags). */
export function searchRow(r: SearchResult, trunc: boolean): SearchRow {
  const oneLine = r.description.replace(/[\n\r]/g, ' ');
  const Description = trunc ? ellipsis(oneLine, DESCRIPTION_WIDTH) : oneLine;
  const flag = (v: boolean): string => (v ? '[OK]' : '');
  const row = { Name: r.name, Description, StarCount: String(r.starCount), IsOfficial: flag(r.isOfficial), IsAutomated: flag(r.isAutomated) };
  const json = { Description, IsAutomated: String(r.isAutomated), IsOfficial: String(r.isOfficial), Name: r.name, StarCount: row.StarCount };
  return Object.defineProperty(row, marshalJSON, { value: () => toGoJSON(json, { escapeHTML: true }), configurable: true });
}

/** Most stars first; equal counts keep the order the source gave. */
export function sortByStars(results: SearchResult[]): SearchResult[] {
  return [...results].sort((a, b) => b.starCount - a.starCount);
}

export const searchCommand: Command = {
  path: ['search'],
  usage: '[OPTIONS] TERM',
  summary: 'Search Docker Hub for images',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'format', kind: 'string', valueName: 'string', description: 'Pretty-print search using a Go template' },
    { name: 'limit', kind: 'int', valueName: 'int', description: 'Max number of search results', default: 25 },
    { name: 'no-trunc', kind: 'bool', description: "Don't truncate output" },
    { name: 'automated', kind: 'bool', description: 'Only show automated builds', hidden: true },
    { name: 'stars', short: 's', kind: 'int', valueName: 'uint', description: 'Only displays with at least x stars', hidden: true },
  ],
  async run(ctx, flags, [term]) {
    const stars = (flags.stars as number | undefined) ?? 0;
    if (stars < 0) throw new UsageError(`invalid argument "${stars}" for "-s, --stars" flag: strconv.ParseUint: parsing "${stars}": invalid syntax`);
    if (flags.automated) ctx.err('Flag --automated has been deprecated, use --filter=is-automated=true instead');
    if (flags.stars !== undefined) ctx.err('Flag --stars has been deprecated, use --filter=stars=3 instead');
    const filters = searchFilters((flags.filter as string[] | undefined) ?? [], Boolean(flags.automated), stars);
    const format = (flags.format as string | undefined) || 'table';
    const engine = await ctx.engine();
    const results = await engine.search(term!, { limit: flags.limit as number, filters });
    const rows = sortByStars(results).map((r) => searchRow(r, !flags['no-trunc']));
    ctx.stdout.write(renderFormatted(format === 'table' ? DEFAULT_FORMAT : format, rows, HEADERS));
  },
};
