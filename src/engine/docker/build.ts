/**
 * `docker build` through the engine: `POST /build` with the context as a tar stream, the build args,
 * target, labels, tags and network as the legacy builder reads them, the credentials for `FROM` pulls in
 * `X-Registry-Config`, and the builder's output turned into the BuildEvents the bundled builder reports
 * ("Step 2/5 : ...", " ---> Using cache", RUN output), so `berth build` prints the same either way.
 * https://docs.docker.com/engine/api/v1.41/#operation/ImageBuild
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest';
import { BerthError, isBerthError } from '../errors';
import { formatReference, parseReference, withDefaultTag } from '../ref/reference';
import { platformString } from '../oci/platform';
import type { CredentialStore } from '../remote/credentials';
import type { BuildEvent, BuildRequest, BuildResult } from '../build/builder';
import type { DockerClient } from './client';
import { contextArchive } from './build-context';
import { jsonMessages, throwIfError } from './messages';
import { fullName } from './images';

/** The value of X-Registry-Config: every stored credential, keyed by registry, base64url JSON. */
export async function registryConfigHeader(credentials: CredentialStore): Promise<string> {
  const out: Record<string, { username?: string; password?: string; identitytoken?: string; serveraddress: string }> = {};
  for (const key of await credentials.list().catch(() => [])) {
    const c = await credentials.get(key).catch(() => undefined);
    if (!c) continue;
    out[key] = c.identityToken ? { identitytoken: c.identityToken, serveraddress: key } : { username: c.username, password: c.password, serveraddress: key };
  }
  return Buffer.from(JSON.stringify(out)).toString('base64url');
}

/**
 * Turns the builder's text into events: known lines become their event, the rest is output.
 * `builtId` gives the full ID the engine reported (an aux message comes before "Successfully built").
 */
export function buildLineEvents(builtId: () => Digest | undefined): (text: string) => BuildEvent[] {
  return (text) => {
    const events: BuildEvent[] = [];
    for (const line of text.split(/(?<=\n)/)) {
      const bare = line.replace(/\n$/, '');
      let m: RegExpExecArray | null;
      if ((m = /^Step (\d+)\/(\d+) : (.*)$/.exec(bare))) events.push({ type: 'step', step: Number(m[1]), total: Number(m[2]), text: m[3]! });
      else if (bare === ' ---> Using cache') events.push({ type: 'cache' });
      else if ((m = /^ ---> Running in ([a-f0-9]+)$/.exec(bare))) events.push({ type: 'run', container: m[1]! });
      else if ((m = /^Removing intermediate container ([a-f0-9]+)$/.exec(bare))) events.push({ type: 'removed', container: m[1]! });
      else if ((m = /^Successfully built ([a-f0-9]+)$/.exec(bare))) events.push({ type: 'built', id: builtId() ?? (`sha256:${m[1]!}` as Digest) });
      else if ((m = /^Successfully tagged (.+)$/.exec(bare))) events.push({ type: 'tagged', name: fullName(m[1]!) ?? m[1]! });
      else if (line) events.push({ type: 'output', chunk: Buffer.from(line), stream: 'stdout' });
    }
    return events;
  };
}

function query(request: BuildRequest, dockerfile: string, tags: string[]): Record<string, string | number | string[] | undefined> {
  return {
    t: tags,
    dockerfile,
    buildargs: request.buildArgs && Object.keys(request.buildArgs).length ? JSON.stringify(request.buildArgs) : undefined,
    labels: request.labels && Object.keys(request.labels).length ? JSON.stringify(request.labels) : undefined,
    target: request.target || undefined,
    nocache: request.noCache ? 1 : undefined,
    pull: request.pull ? 1 : undefined,
    networkmode: request.network === 'none' ? 'none' : undefined,
    platform: request.platform ? platformString(request.platform) : undefined,
    rm: 1,
    forcerm: 1,
  };
}

/** Builds on the engine; resolves with the image ID and the tags set. */
export async function engineBuild(client: DockerClient, credentials: CredentialStore, request: BuildRequest): Promise<BuildResult> {
  const tags = (request.tags ?? []).map((t) => formatReference(withDefaultTag(parseReference(t))));
  const emit = request.onEvent ?? (() => undefined);
  if (request.sourceDateEpoch !== undefined) emit({ type: 'warning', message: 'SOURCE_DATE_EPOCH is not applied by the Docker engine\'s builder; the image times are the build\'s' });
  const archive = await contextArchive(request.context, { dockerfile: request.dockerfile, dockerfileText: request.dockerfileText });
  const what = `building ${request.context}`;
  const res = await client.request('POST', '/build', {
    query: query(request, archive.dockerfile, tags),
    headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': await registryConfigHeader(credentials) },
    body: archive.stream as unknown as Readable, signal: request.signal, what,
  });
  let id: Digest | undefined;
  const lines = buildLineEvents(() => id);
  try {
    for await (const m of jsonMessages(res.body)) {
      throwIfError(m, 'the build failed', 'BUILD_FAILED');
      if (typeof m.aux?.ID === 'string') id = m.aux.ID as Digest;
      if (typeof m.stream === 'string') for (const e of lines(m.stream)) emit(e);
      else if (m.status && !m.id) emit({ type: 'output', chunk: Buffer.from(`${m.status}\n`), stream: 'stdout' });
    }
  } catch (e) {
    if (request.signal?.aborted) throw new BerthError('CANCELLED', `${what}: cancelled`, { cause: e });
    throw isBerthError(e) ? e : new BerthError('ENGINE', `${what}: ${(e as Error).message}`, { cause: e });
  }
  if (!id) throw new BerthError('BUILD_FAILED', `${what}: the engine did not report the image it built`);
  return { id, tags };
}
