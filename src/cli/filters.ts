/** `--filter key=value` flags, parsed and checked against the keys a command accepts. */
import { UsageError } from './args';

/** Filter values by key, in the order given. */
export type Filters = Map<string, string[]>;

/** Parses `key=value` filters; an unknown key or a missing `=` is a usage error with Docker's wording. */
export function parseFilters(raw: string[], allowed: string[]): Filters {
  const out: Filters = new Map();
  for (const f of raw) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value)`);
    const key = f.slice(0, eq).toLowerCase();
    if (!allowed.includes(key)) throw new UsageError(`invalid filter '${f.slice(0, eq)}'`);
    out.set(key, [...(out.get(key) ?? []), f.slice(eq + 1)]);
  }
  return out;
}
