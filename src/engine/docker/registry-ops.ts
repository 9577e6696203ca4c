/**
 * Pull and push through the engine: `POST /images/create?fromImage=` and `POST /images/{name}/push`,
 * with Berth's credentials (docker's config.json and helpers) in the `X-Registry-Auth` header, and the
 * engine's progress messages turned into the PullEvent and PushEvent the bundled engine reports. The
 * header carries a secret: it is built here and never logged or put in a message.
 * https://docs.docker.com/engine/api/v1.41/#section/Authentication
 */
import type { Digest } from '../oci/digest';
import { BerthError } from '../errors';
import { formatReference, parseReference, repositoryOf, withDefaultTag, type ImageReference } from '../ref/reference';
import { normalizeRegistryKey, type CredentialStore } from '../remote/credentials';
import type { PullEvent, PullResult } from '../remote/pull';
import type { PushEvent } from '../remote/push';
import type { Platform } from '../oci/types';
import { platformString } from '../oci/platform';
import { namePath, type DockerClient } from './client';
import { jsonMessages, throwIfError } from './messages';
import { inspectEngineImage } from './images';

/** The value of X-Registry-Auth for `domain`: base64url JSON of the stored credentials (`{}` when none). */
export async function registryAuthHeader(credentials: CredentialStore, domain: string): Promise<string> {
  const key = normalizeRegistryKey(domain);
  const c = await credentials.get(key);
  const config = !c ? {} : c.identityToken ? { identitytoken: c.identityToken, serveraddress: key } : { username: c.username, password: c.password, serveraddress: key };
  return Buffer.from(JSON.stringify(config)).toString('base64url');
}

const LAYER_STATUSES = new Set(['Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Pull complete', 'Already exists']);

/** One engine pull message as a PullEvent, or undefined for those Berth does not report. */
export function pullEventOf(m: { status?: string; id?: string; progressDetail?: { current?: number; total?: number } }, reference: string): PullEvent | undefined {
  const status = m.status ?? '';
  if (m.id && LAYER_STATUSES.has(status)) {
    return { type: 'layer', id: m.id, status: status as Extract<PullEvent, { type: 'layer' }>['status'], current: m.progressDetail?.current, total: m.progressDetail?.total };
  }
  const digest = /^Digest: (sha256:[a-f0-9]{64})/.exec(status);
  if (digest) return { type: 'digest', digest: digest[1] as Digest };
  if (status.startsWith('Status: ')) return { type: 'status', upToDate: status.includes('up to date'), reference };
  return undefined;
}

/** Options of {@link enginePull}. */
export interface EnginePullOptions {
  credentials: CredentialStore;
  platform?: Platform;
  onEvent?: (e: PullEvent) => void;
  signal?: AbortSignal;
}

/** Pulls one reference (a tag or a digest) into the engine. */
export async function enginePull(client: DockerClient, ref: ImageReference, options: EnginePullOptions): Promise<PullResult> {
  const full = ref.digest ? ref : withDefaultTag(ref);
  const reference = formatReference(full);
  const what = `pulling "${reference}"`;
  options.onEvent?.({ type: 'start', reference: full.digest ?? full.tag!, repository: full.path });
  const res = await client.request('POST', '/images/create', {
    query: { fromImage: repositoryOf(full), tag: full.digest ?? full.tag, platform: options.platform ? platformString(options.platform) : undefined },
    headers: { 'X-Registry-Auth': await registryAuthHeader(options.credentials, full.domain) },
    signal: options.signal, what,
  });
  let upToDate = false;
  for await (const m of jsonMessages(res.body)) {
    throwIfError(m, what);
    const e = pullEventOf(m, reference);
    if (e?.type === 'status') upToDate = e.upToDate;
    if (e) options.onEvent?.(e);
  }
  const image = await inspectEngineImage(client, reference);
  const repo = repositoryOf(full);
  const repoDigest = (image.RepoDigests ?? []).map((d) => parseReference(d)).find((r) => repositoryOf(r) === repo);
  return { id: image.Id as Digest, reference, repoDigest: repoDigest ? formatReference(repoDigest) : '', upToDate };
}

const PUSH_STATUSES = new Set(['Preparing', 'Waiting', 'Pushing', 'Pushed', 'Layer already exists']);

/** One engine push message as a PushEvent, or undefined. */
export function pushEventOf(m: { status?: string; id?: string; progressDetail?: { current?: number; total?: number }; aux?: Record<string, unknown> }): PushEvent | undefined {
  const status = m.status ?? '';
  if (m.aux && typeof m.aux.Digest === 'string') return { type: 'done', tag: String(m.aux.Tag ?? ''), digest: m.aux.Digest as Digest, size: Number(m.aux.Size ?? 0) };
  if (m.id && PUSH_STATUSES.has(status)) {
    return { type: 'layer', id: m.id, status: status as Extract<PushEvent, { type: 'layer' }>['status'], current: m.progressDetail?.current, total: m.progressDetail?.total };
  }
  const mounted = /^Mounted from (.+)$/.exec(status);
  if (m.id && mounted) return { type: 'layer', id: m.id, status: 'Mounted from', from: mounted[1] };
  return undefined;
}

/** Pushes one tag from the engine to its registry. */
export async function enginePush(client: DockerClient, ref: ImageReference, options: { credentials: CredentialStore; onEvent?: (e: PushEvent) => void; signal?: AbortSignal }): Promise<{ tag: string; digest: Digest; size: number }> {
  const full = withDefaultTag(ref);
  const what = `pushing "${formatReference(full)}"`;
  options.onEvent?.({ type: 'start', repository: repositoryOf(full) });
  const res = await client.request('POST', `/images/${namePath(repositoryOf(full))}/push`, {
    query: { tag: full.tag },
    headers: { 'X-Registry-Auth': await registryAuthHeader(options.credentials, full.domain) },
    signal: options.signal, what,
  });
  let done: Extract<PushEvent, { type: 'done' }> | undefined;
  for await (const m of jsonMessages(res.body)) {
    throwIfError(m, what);
    const e = pushEventOf(m);
    if (e?.type === 'done') done = e;
    if (e) options.onEvent?.(e);
  }
  if (!done) throw new BerthError('ENGINE', `${what}: the engine did not report the pushed digest`);
  return { tag: done.tag, digest: done.digest, size: done.size };
}
