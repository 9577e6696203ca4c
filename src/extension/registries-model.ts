/**
 * What the Registries view lists, as plain data (no `vscode` here, so the rules are tested without VS
 * Code): Docker Hub first, then every registry the user added (the `berth.registries` setting) or holds
 * credentials for, each once; and the check of a registry host the user types. A host is what Docker
 * takes as the domain of an image reference (github.com/distribution/reference: it has a `.` or a `:`
 * or is `localhost`), so that `HOST/REPO:TAG` names an image there.
 */
import { tryParseReference } from '../engine/ref/reference';

/** Docker Hub's name in the view and in image references. */
export const DOCKER_HUB = 'docker.io';

/** The names Docker gives Docker Hub (and the key docker keeps its credentials under contains one). */
const HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry.hub.docker.com', 'registry-1.docker.io'];

/** One registry of the view. */
export interface RegistryEntry {
  /** `docker.io`, `ghcr.io`, `localhost:5000`. */
  server: string;
  /** Credentials for it are stored (docker's config.json or a helper). */
  loggedIn: boolean;
  /** The user added it (it is in `berth.registries`), so it can be removed from the view. */
  added: boolean;
}

/** Why a typed host is refused; the view turns it into words. */
export type HostProblem = 'empty' | 'scheme' | 'path' | 'hub' | 'not-a-host' | 'invalid';

/** The outcome of {@link checkRegistryHost}: the host in normal form, or the problem. */
export type HostCheck = { ok: true; host: string } | { ok: false; problem: HostProblem; detail?: string };

/** True for Docker Hub under any of its names, or a credentials key naming it (`https://index.docker.io/v1/`). */
export function isDockerHub(server: string): boolean {
  const host = server.toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return HUB_ALIASES.includes(host);
}

/**
 * Checks a registry host as typed: surrounding blanks, an `http://` or `https://` prefix and a trailing
 * `/` are dropped, the host is lower-cased; it must be a valid reference domain, with no path, and not
 * Docker Hub (always listed).
 */
export function checkRegistryHost(input: string): HostCheck {
  const host = input.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  if (!host) return { ok: false, problem: 'empty' };
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) return { ok: false, problem: 'scheme' };
  if (host.includes('/')) return { ok: false, problem: 'path' };
  if (isDockerHub(host)) return { ok: false, problem: 'hub' };
  const parsed = tryParseReference(`${host}/x`);
  if (!parsed.ok) return { ok: false, problem: 'invalid', detail: parsed.message };
  if (parsed.ref.domain !== host) return { ok: false, problem: 'not-a-host' };
  return { ok: true, host };
}

/** `list` with `host` added at the end, unless it is there already (in any spelling that normalizes to it). */
export function withRegistry(list: readonly unknown[], host: string): unknown[] {
  return list.some((h) => normalized(h) === host) ? [...list] : [...list, host];
}

/** `list` without `host` (every spelling that normalizes to it). */
export function withoutRegistry(list: readonly unknown[], host: string): unknown[] {
  return list.filter((h) => normalized(h) !== host);
}

function normalized(h: unknown): string | undefined {
  if (typeof h !== 'string') return undefined;
  const c = checkRegistryHost(h);
  return c.ok ? c.host : undefined;
}

/**
 * The registries of the view: Docker Hub, then the added ones and those with credentials, by name.
 * `invalid` holds the entries of the setting that are not registry hosts (edited by hand), to be shown.
 */
export function registryEntries(options: { added: readonly unknown[]; credentials: readonly string[] }): { entries: RegistryEntry[]; invalid: { value: string; check: HostCheck }[] } {
  const invalid: { value: string; check: HostCheck }[] = [];
  const added = new Set<string>();
  for (const value of options.added) {
    const check = typeof value === 'string' ? checkRegistryHost(value) : { ok: false as const, problem: 'invalid' as const };
    if (check.ok) added.add(check.host);
    else invalid.push({ value: typeof value === 'string' ? value : JSON.stringify(value), check });
  }
  const withCredentials = new Set(options.credentials.filter((k) => !isDockerHub(k)).map((k) => k.toLowerCase()));
  const hub: RegistryEntry = { server: DOCKER_HUB, loggedIn: options.credentials.some(isDockerHub), added: false };
  const others = [...new Set([...added, ...withCredentials])].sort().map((server) => ({ server, loggedIn: withCredentials.has(server), added: added.has(server) }));
  return { entries: [hub, ...others], invalid };
}

/** `HOST/REPO` of a catalog entry (the catalog search may or may not include the host). */
export function catalogRepository(server: string, name: string): string {
  return name.startsWith(`${server}/`) ? name : `${server}/${name}`;
}

/** The context value of a registry row, for the menus of package.json (`viewItem`). */
export function registryContextValue(entry: RegistryEntry): string {
  return ['registry', entry.loggedIn ? 'loggedIn' : '', entry.added ? 'added' : ''].filter(Boolean).join('.');
}
