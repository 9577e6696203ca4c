/**
 * Searching for repositories, as `docker search` does, in two places:
 *
 * - Docker Hub's search API (the v1 index endpoint the docker daemon calls, moby `registry/search.go`):
 *   `GET {hubSearchUrl}?q=TERM&n=LIMIT` answering `{num_results, query, results: [{name, description,
 *   star_count, is_official, is_automated}]}`;
 * - a private registry's catalog (https://distribution.github.io/distribution/spec/api/#listing-repositories):
 *   `GET /v2/_catalog?n=N`, paged through `Link: <...>; rel="next"`, kept when the name contains the term.
 *   The docker daemon asks private registries for the v1 search endpoint, which today's registries do
 *   not serve; the catalog is what they do serve.
 *
 * The results are plain records; sorting and printing are the caller's.
 */
import { BerthError, isBerthError } from '../errors';
import { bodyText } from './body';
import { RepositoryClient, type Response } from './client';
import { registryError } from './errors';
import { apiHost, type RegistryContext } from './registry';

/** One repository found. */
export interface SearchResult {
  /** `nginx`, `bitnami/nginx`, or `HOST/REPO` for a private registry. */
  name: string;
  description: string;
  starCount: number;
  isOfficial: boolean;
  /** Deprecated by Docker Hub, which now always answers false. */
  isAutomated: boolean;
}

/** Conditions on results, as the docker daemon applies `--filter` (all given ones must hold). */
export interface SearchFilters {
  isOfficial?: boolean;
  isAutomated?: boolean;
  /** At least this many stars. */
  stars?: number;
}

/** Options of {@link searchHub}. */
export interface HubSearchOptions {
  /** 1..100; 0 or absent means {@link DEFAULT_SEARCH_LIMIT}, as in docker. */
  limit?: number;
  /** The search endpoint; default: the registry config's `hubSearchUrl`. */
  url?: string;
  signal?: AbortSignal;
}

/** Options of {@link searchCatalog}. */
export interface CatalogSearchOptions {
  /** Repositories asked for per catalog page (`n`); default {@link CATALOG_PAGE_SIZE}. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** How many results docker asks for when no limit is given. */
export const DEFAULT_SEARCH_LIMIT = 25;
/** The catalog page size asked for by default. */
export const CATALOG_PAGE_SIZE = 100;

const MAX_SEARCH_BODY = 8 << 20;

/** A search term split as the docker daemon splits it (moby `splitReposSearchTerm`). */
export type SearchTarget = { kind: 'hub'; term: string } | { kind: 'catalog'; host: string; term: string };

const HUB_NAMES = new Set(['docker.io', 'index.docker.io']);

/**
 * Where a term is searched: `HOST[:PORT]/TERM` goes to that registry when the first component has a
 * `.` or `:` or is `localhost`; anything else (and `docker.io/TERM`) goes to Docker Hub, with a
 * `library/` prefix removed.
 */
export function searchTarget(term: string): SearchTarget {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(term)) throw new BerthError('INVALID_ARGUMENT', `invalid repository name: repository name (${term}) should not have a scheme`);
  const slash = term.indexOf('/');
  const first = slash < 0 ? '' : term.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { kind: 'hub', term };
  const rest = term.slice(slash + 1);
  if (HUB_NAMES.has(first.toLowerCase())) return { kind: 'hub', term: rest.replace(/^library\//, '') };
  return { kind: 'catalog', host: first.toLowerCase(), term: rest };
}

/** The limit to ask for; an error with the daemon's words when it is outside 1..100. */
export function checkSearchLimit(limit: number | undefined): number {
  const n = limit === undefined || limit === 0 ? DEFAULT_SEARCH_LIMIT : limit;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new BerthError('INVALID_ARGUMENT', `limit ${limit} is outside the range of [1, 100]`);
  return n;
}

/** Keeps the results that satisfy every given filter. */
export function filterSearchResults(results: SearchResult[], filters: SearchFilters = {}): SearchResult[] {
  return results.filter((r) =>
    (filters.isOfficial === undefined || r.isOfficial === filters.isOfficial)
    && (filters.isAutomated === undefined || r.isAutomated === filters.isAutomated)
    && (filters.stars === undefined || r.starCount >= filters.stars));
}

/** A client for requests that belong to no repository: the catalog, the Hub search endpoint. */
function registryClient(ctx: RegistryContext, host: string, credentialsKey: string, scopes: string[]): RepositoryClient {
  return new RepositoryClient(ctx.session, host, '', credentialsKey, scopes);
}

async function readJson(res: Response, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_SEARCH_BODY) {
      res.body.destroy();
      throw new BerthError('REGISTRY', `${what}: the answer is larger than ${MAX_SEARCH_BODY} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new BerthError('REGISTRY', `${what}: the answer is not JSON`, { cause: e });
  }
}

/** A Hub result as a record; fields of the wrong type become empty values. */
function hubResult(raw: unknown): SearchResult | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string') return undefined;
  return {
    name: r.name,
    description: typeof r.description === 'string' ? r.description : '',
    starCount: typeof r.star_count === 'number' && Number.isFinite(r.star_count) ? r.star_count : 0,
    isOfficial: r.is_official === true,
    isAutomated: r.is_automated === true,
  };
}

/**
 * Searches Docker Hub for `term` (the daemon's request: `q` and `n`, `X-Docker-Token: true`). The search
 * is anonymous unless the endpoint asks for credentials; then Docker Hub's are used for Docker Hub's
 * own endpoint and the endpoint host's otherwise.
 */
export async function searchHub(ctx: RegistryContext, term: string, options: HubSearchOptions = {}): Promise<SearchResult[]> {
  const limit = checkSearchLimit(options.limit);
  const base = options.url ?? ctx.config.hubSearchUrl;
  let url: URL;
  try {
    url = new URL(base);
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `the Docker Hub search URL "${base}" is not a URL`, { cause: e });
  }
  url.searchParams.set('q', term);
  url.searchParams.set('n', String(limit));
  const credentialsKey = HUB_NAMES.has(url.hostname) ? 'docker.io' : url.host;
  const what = `searching ${url.host} for "${term}"`;
  const client = registryClient(ctx, url.host, credentialsKey, []);
  const res = await client.expect('GET', url.toString(), [200], { what, headers: { 'x-docker-token': 'true', accept: 'application/json' }, signal: options.signal });
  const body = (await readJson(res, what)) as { results?: unknown };
  if (typeof body !== 'object' || body === null || !Array.isArray(body.results)) throw new BerthError('REGISTRY', `${what}: the answer has no "results" list`);
  return body.results.map(hubResult).filter((r): r is SearchResult => r !== undefined);
}

/** The target of `Link: <URL>; rel="next"`, resolved against the request's URL. */
export function nextLink(header: string | string[] | undefined, requestUrl: string): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(m[2]!)) return new URL(m[1]!, requestUrl).toString();
  }
  return undefined;
}

/** True when an answer to `/v2/_catalog` means "this registry has no catalog". */
function catalogUnsupported(status: number, e: BerthError): boolean {
  return status === 404 || status === 405 || e.registryCode === 'UNSUPPORTED';
}

/**
 * Lists the repositories of registry `host` whose name contains `term` (case-insensitive; an empty term
 * keeps all), as `HOST/REPO` with no description and no stars. The catalog is read page by page
 * following the registry's `Link` headers, with the scope `registry:catalog:*`.
 */
export async function searchCatalog(ctx: RegistryContext, host: string, term: string, options: CatalogSearchOptions = {}): Promise<SearchResult[]> {
  const pageSize = options.pageSize ?? CATALOG_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new BerthError('INVALID_ARGUMENT', `the catalog page size must be a positive integer, not ${pageSize}`);
  const client = registryClient(ctx, apiHost(host), host, ['registry:catalog:*']);
  const what = term ? `searching ${host} for "${term}"` : `listing the repositories of ${host}`;
  const needle = term.toLowerCase();
  const found: SearchResult[] = [];
  const seen = new Set<string>();
  let next: string | undefined = `/v2/_catalog?n=${pageSize}`;
  while (next !== undefined && !seen.has(next)) {
    seen.add(next);
    const res = await client.send('GET', next, { what, signal: options.signal });
    if (res.statusCode !== 200) {
      const err = registryError(res.statusCode, await bodyText(res), what);
      if (catalogUnsupported(res.statusCode, err)) {
        throw new BerthError('UNSUPPORTED', `${host} does not list its repositories (GET /v2/_catalog answered ${res.statusCode}), so it cannot be searched`, { cause: err, registryCode: err.registryCode });
      }
      throw err;
    }
    const requestUrl: string = next.startsWith('/') ? client.baseUrl() + next : next;
    const link = nextLink(res.headers.link, requestUrl);
    const body = (await readJson(res, what)) as { repositories?: unknown };
    if (typeof body !== 'object' || body === null || !Array.isArray(body.repositories)) throw new BerthError('REGISTRY', `${what}: the catalog answer has no "repositories" list`);
    for (const repo of body.repositories) {
      if (typeof repo === 'string' && repo.toLowerCase().includes(needle)) found.push({ name: `${host}/${repo}`, description: '', starCount: 0, isOfficial: false, isAutomated: false });
    }
    next = link && sameOrigin(link, client.baseUrl()) ? link.slice(new URL(link).origin.length) : link;
  }
  return found;
}

function sameOrigin(url: string, base: string): boolean {
  return new URL(url).origin === new URL(base).origin;
}

/** Options of {@link searchRepositories}. */
export interface SearchOptions extends HubSearchOptions, CatalogSearchOptions {
  filters?: SearchFilters;
}

/** What a caller of the engine chooses for a search. */
export type SearchRequest = Pick<SearchOptions, 'limit' | 'filters' | 'signal'>;

/**
 * `docker search TERM`: Docker Hub, or the catalog of the registry the term names; filtered, at most
 * `limit` results, in the order the source gave them.
 */
export async function searchRepositories(ctx: RegistryContext, term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
  const limit = checkSearchLimit(options.limit);
  const target = searchTarget(term);
  try {
    const results = target.kind === 'hub'
      ? await searchHub(ctx, target.term, { ...options, limit })
      : await searchCatalog(ctx, target.host, target.term, options);
    return filterSearchResults(results, options.filters).slice(0, limit);
  } catch (e) {
    if (isBerthError(e)) throw e;
    throw new BerthError('REGISTRY', `searching for "${term}": ${(e as Error).message}`, { cause: e });
  }
}
