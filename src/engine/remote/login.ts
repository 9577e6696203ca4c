/**
 * `login` and `logout`: check a username and password against a registry (the same challenge and token
 * flow a pull uses), then keep them as the docker CLI does.
 */
import { BerthError, isBerthError } from '../errors';
import { TokenCache } from './auth';
import { bodyText } from './body';
import { RepositoryClient } from './client';
import type { Credentials, CredentialStore } from './credentials';
import { registryError } from './errors';
import { apiHost, type RegistryContext } from './registry';

/** The registry a `login`/`logout` argument names: `docker.io` when none, scheme and path dropped. */
export function registryDomain(server: string | undefined): string {
  if (!server) return 'docker.io';
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'docker.io'].includes(host) ? 'docker.io' : host;
}

/** A credential store holding only the credentials being checked. */
function only(creds: Credentials): CredentialStore {
  return {
    get: async () => creds,
    store: async () => ({ where: 'memory' }),
    erase: async () => false,
    list: async () => [],
  };
}

/** Checks credentials against the registry's `/v2/` endpoint; throws UNAUTHORIZED when they are wrong. */
export async function verifyLogin(ctx: RegistryContext, domain: string, creds: Credentials): Promise<void> {
  const session = { ...ctx.session, credentials: only(creds), tokens: new TokenCache() };
  const client = new RepositoryClient(session, apiHost(domain), '', domain, []);
  const what = `logging in to ${domain}`;
  try {
    const res = await client.send('GET', '/v2/', { what, retry: true });
    const text = await bodyText(res);
    if (res.statusCode === 200) return;
    if (res.statusCode === 401 || res.statusCode === 403) throw new BerthError('UNAUTHORIZED', `${what}: unauthorized: incorrect username or password`, { registryCode: 'UNAUTHORIZED' });
    throw registryError(res.statusCode, text, what);
  } catch (e) {
    if (isBerthError(e, 'UNAUTHORIZED')) throw new BerthError('UNAUTHORIZED', `${what}: unauthorized: incorrect username or password`, { registryCode: 'UNAUTHORIZED' });
    throw e;
  }
}

/** Checks and stores credentials; returns where they were stored (a file or a helper program) and whether as plain text. */
export async function login(ctx: RegistryContext, server: string | undefined, creds: { username: string; password: string }): Promise<{ domain: string; where: string; plaintext: boolean }> {
  if (!creds.username) throw new BerthError('INVALID_ARGUMENT', 'a username is required (give it with -u)');
  if (!creds.password) throw new BerthError('INVALID_ARGUMENT', 'a password is required (give it with --password-stdin)');
  const domain = registryDomain(server);
  await verifyLogin(ctx, domain, creds);
  const { where, plaintext } = await ctx.session.credentials.store(domain, creds);
  return { domain, where, plaintext: plaintext ?? false };
}

/** Forgets the credentials of a registry; false when there were none. */
export async function logout(ctx: RegistryContext, server: string | undefined): Promise<{ domain: string; removed: boolean }> {
  const domain = registryDomain(server);
  return { domain, removed: await ctx.session.credentials.erase(domain) };
}
