/**
 * The registry operations that go through the engine where the engine can do them, so that a remote
 * engine's own network and settings apply: `docker search` of Docker Hub (`GET /images/search`),
 * `docker login`'s check (`POST /auth`, the credentials then kept on this machine as the docker CLI
 * does), and a tag's digest (`GET /distribution/{name}/json`). A private registry's catalog has no
 * engine endpoint: that search runs from Berth, as the bundled engine does.
 */
import type { Digest } from '../oci/digest';
import { BerthError } from '../errors';
import { formatReference, parseReference, withDefaultTag } from '../ref/reference';
import { normalizeRegistryKey, type CredentialStore } from '../remote/credentials';
import { registryDomain } from '../remote/login';
import { checkSearchLimit, filterSearchResults, type SearchResult, type SearchRequest } from '../remote/search';
import { namePath, type DockerClient } from './client';
import { registryAuthHeader } from './registry-ops';

/** An entry of `GET /images/search`. */
export interface EngineSearchEntry {
  name: string;
  description?: string;
  star_count?: number;
  is_official?: boolean;
  is_automated?: boolean;
}

/** An engine search entry as Berth's SearchResult. */
export function searchResultOf(e: EngineSearchEntry): SearchResult {
  return { name: e.name, description: e.description ?? '', starCount: e.star_count ?? 0, isOfficial: Boolean(e.is_official), isAutomated: Boolean(e.is_automated) };
}

/** `docker search TERM` through the engine (Docker Hub, or the index the term names). */
export async function engineSearch(client: DockerClient, credentials: CredentialStore, term: string, options: SearchRequest): Promise<SearchResult[]> {
  const limit = checkSearchLimit(options.limit);
  const entries = await client.json<EngineSearchEntry[]>('GET', '/images/search', {
    query: { term, limit },
    headers: { 'X-Registry-Auth': await registryAuthHeader(credentials, 'docker.io') },
    signal: options.signal, what: `searching for "${term}" through the engine`,
  });
  return filterSearchResults(entries.map(searchResultOf), options.filters).slice(0, limit);
}

/** `docker login`: the engine checks the credentials with the registry, then they are stored here. */
export async function engineLogin(client: DockerClient, credentials: CredentialStore, server: string | undefined, creds: { username: string; password: string }): Promise<{ domain: string; where: string; plaintext: boolean }> {
  if (!creds.username) throw new BerthError('INVALID_ARGUMENT', 'a username is required (give it with -u)');
  if (!creds.password) throw new BerthError('INVALID_ARGUMENT', 'a password is required (give it with --password-stdin)');
  const domain = registryDomain(server);
  await client.json('POST', '/auth', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: creds.username, password: creds.password, serveraddress: normalizeRegistryKey(domain) }),
    what: `logging in to ${domain}`,
  });
  const { where, plaintext } = await credentials.store(domain, creds);
  return { domain, where, plaintext: plaintext ?? false };
}

/** The digest a reference names in its registry, as the engine resolves it. */
export async function engineRemoteDigest(client: DockerClient, credentials: CredentialStore, reference: string): Promise<Digest> {
  const ref = withDefaultTag(parseReference(reference));
  const name = formatReference(ref);
  const answer = await client.json<{ Descriptor?: { digest?: string } }>('GET', `/distribution/${namePath(name)}/json`, {
    headers: { 'X-Registry-Auth': await registryAuthHeader(credentials, ref.domain) },
    what: `the manifest of ${name}`,
  });
  const digest = answer.Descriptor?.digest;
  if (!digest) throw new BerthError('ENGINE', `the manifest of ${name}: the engine did not report a digest`);
  return digest as Digest;
}
