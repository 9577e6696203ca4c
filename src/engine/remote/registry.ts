/**
 * Where a reference's repository is served and which clients reach it: Docker Hub's API host, mirrors
 * for pulls from Docker Hub (in order, then Docker Hub itself), and the token scopes an operation needs.
 */
import type { ImageReference } from '../ref/reference';
import { TokenCache } from './auth';
import { RepositoryClient, type RegistrySession } from './client';
import type { CredentialStore } from './credentials';
import type { RegistryConfig } from './registry-config';
import { Transport } from './transport';

/** The host that serves a registry's API (`docker.io` is served by `registry-1.docker.io`). */
export function apiHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

/** Everything a registry operation needs, shared by one engine. */
export interface RegistryContext {
  session: RegistrySession;
  config: RegistryConfig;
}

/** Creates the shared session (connections, tokens) over the credentials and config. */
export async function createRegistryContext(config: RegistryConfig, credentials: CredentialStore, options: { env?: NodeJS.ProcessEnv; onRetry?: RegistrySession['onRetry']; attempts?: number; backoffMs?: number } = {}): Promise<RegistryContext> {
  const { undici } = await import('./undici-lite.js');
  const transport = new Transport(undici, config, options.env ?? process.env);
  return { config, session: { transport, credentials, tokens: new TokenCache(), onRetry: options.onRetry, attempts: options.attempts, backoffMs: options.backoffMs } };
}

/** A client for the repository of `ref` with the given actions (`pull`, `push`) and extra scopes. */
export function repositoryClient(ctx: RegistryContext, ref: ImageReference, actions: string[], extraScopes: string[] = []): RepositoryClient {
  return new RepositoryClient(ctx.session, apiHost(ref.domain), ref.path, ref.domain, [`repository:${ref.path}:${actions.join(',')}`, ...extraScopes]);
}

/** The clients to pull `ref` from, in order: mirrors first for Docker Hub, then the registry itself. */
export function pullClients(ctx: RegistryContext, ref: ImageReference): RepositoryClient[] {
  const own = repositoryClient(ctx, ref, ['pull']);
  if (ref.domain !== 'docker.io') return [own];
  const mirrors = ctx.config.mirrors.map((m) => {
    const url = new URL(m.includes('://') ? m : `https://${m}`);
    if (url.protocol === 'http:') ctx.session.transport.usePlainHttp(url.host);
    return new RepositoryClient(ctx.session, url.host, ref.path, url.host, [`repository:${ref.path}:pull`]);
  });
  return [...mirrors, own];
}
