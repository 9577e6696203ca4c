/**
 * Registry credentials where the docker CLI keeps them, so that `docker login` and `berth login` see
 * each other: `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`) with
 *
 * - `auths`: per registry, `auth` (base64 "user:password"), or `username`/`password`, and
 *   `identitytoken` (an OAuth2 refresh token);
 * - `credsStore`: the credential helper for every registry, and `credHelpers`: per-registry helpers,
 *   spoken to as docker/cli's `cli/config/credentials` native store does (see credential-helper.ts);
 * - `DOCKER_AUTH_CONFIG`: the environment variable with an `auths` object, read before the file as
 *   docker/cli 28 does.
 *
 * Registry keys are docker's: Docker Hub is `https://index.docker.io/v1/`, other registries are
 * `host[:port]`; entries written as URLs (`https://host`, `http://host/v2/`) match when reading.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BerthError, sysCode } from '../errors';
import { withFileLock } from '../store/lock';
import { credentialHelper, type CredentialHelper } from './credential-helper';

/** The key docker uses for Docker Hub's credentials. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** Host names that all mean Docker Hub. */
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The username a helper keeps for an identity token (docker/cli's `tokenUsername`). */
const TOKEN_USERNAME = '<token>';

/** Credentials for one registry: a username and password, or an identity (refresh) token. */
export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

/** Where credentials are kept. `registry` is anything {@link normalizeRegistryKey} accepts. */
export interface CredentialStore {
  get(registry: string): Promise<Credentials | undefined>;
  /** `where` names the place: the config file (plain text) or the helper program. */
  store(registry: string, creds: { username: string; password: string }): Promise<{ where: string; plaintext?: boolean }>;
  /** False when there was nothing to remove. */
  erase(registry: string): Promise<boolean>;
  /** The registries with credentials, as normalized keys, sorted. */
  list(): Promise<string[]>;
}

/** Options of {@link dockerCredentialStore}. */
export interface DockerCredentialOptions {
  /** The folder of config.json; default `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string;
  /** For DOCKER_CONFIG, HOME, DOCKER_AUTH_CONFIG and the PATH where helpers are found. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The key under which docker keeps a registry's credentials: `https://index.docker.io/v1/` for Docker
 * Hub and its aliases (or an empty name), else the lower-cased `host[:port]` with any scheme and path
 * removed (docker/cli `ConvertToHostname`).
 */
export function normalizeRegistryKey(host: string): string {
  let h = host.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(h);
  if (scheme) h = h.slice(scheme[0].length);
  h = (h.split('/')[0] ?? '').replace(/^[^@]*@/, '').toLowerCase();
  return h === '' || HUB_HOSTS.has(h) ? DOCKER_HUB_KEY : h;
}

/** The config file docker reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigFile(options: DockerCredentialOptions = {}): string {
  const env = options.env ?? process.env;
  return join(options.configDir ?? (env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')), 'config.json');
}

/** The credential store of the docker CLI: config.json, its credential helpers and DOCKER_AUTH_CONFIG. */
export function dockerCredentialStore(options: DockerCredentialOptions = {}): CredentialStore {
  const env = options.env ?? process.env;
  const file = dockerConfigFile(options);
  const helper = (name: string): CredentialHelper => credentialHelper(name, { env });
  return {
    async get(registry) {
      const key = normalizeRegistryKey(registry);
      const fromEnv = envAuths(env);
      const envEntry = fromEnv && findEntry(fromEnv, key);
      if (envEntry) return decodeEntry(envEntry, 'DOCKER_AUTH_CONFIG', key);
      const config = await readConfig(file);
      const helperName = helperFor(config, key);
      if (helperName) return fromHelper(await helper(helperName).get(key));
      const entry = findEntry(config.auths ?? {}, key);
      return entry && decodeEntry(entry, file, key);
    },

    async store(registry, creds) {
      const key = normalizeRegistryKey(registry);
      if (!creds.username || creds.username.includes(':')) throw new BerthError('INVALID_ARGUMENT', 'a username must not be empty or contain ":"');
      return updateConfig<{ where: string; plaintext: boolean }>(file, async (config) => {
        const auths = authsOf(config, file);
        const helperName = helperFor(config, key);
        if (helperName) {
          const h = helper(helperName);
          await h.store(key, { username: creds.username, secret: creds.password });
          auths[key] = {}; // as docker does: the file keeps the entry, the helper the secret
          return { value: { where: h.program, plaintext: false }, write: true };
        }
        auths[key] = { auth: Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64') };
        return { value: { where: file, plaintext: true }, write: true };
      });
    },

    async erase(registry) {
      const key = normalizeRegistryKey(registry);
      const current = await readConfig(file);
      if (!helperFor(current, key) && !findEntry(current.auths ?? {}, key)) return false; // nothing to do, nothing to create
      return updateConfig(file, async (config) => {
        const helperName = helperFor(config, key);
        const erasedInHelper = helperName ? await helper(helperName).erase(key) : false;
        const auths = config.auths ?? {};
        const matching = Object.keys(auths).filter((k) => normalizeRegistryKey(k) === key);
        for (const k of matching) delete auths[k];
        return { value: erasedInHelper || matching.length > 0, write: matching.length > 0 };
      });
    },

    async list() {
      const keys = new Set<string>(Object.keys(envAuths(env) ?? {}).map(normalizeRegistryKey));
      const config = await readConfig(file);
      for (const [k, entry] of Object.entries(config.auths ?? {})) {
        const key = normalizeRegistryKey(k);
        if (!helperFor(config, key) && hasCredentials(entry)) keys.add(key);
      }
      if (config.credsStore) for (const k of Object.keys(await helper(config.credsStore).list())) keys.add(normalizeRegistryKey(k));
      for (const [k, name] of Object.entries(config.credHelpers ?? {})) {
        if (fromHelper(await helper(name).get(normalizeRegistryKey(k)))) keys.add(normalizeRegistryKey(k));
      }
      return [...keys].sort();
    },
  } satisfies CredentialStore;
}

// --- config.json ------------------------------------------------------------------------------------

/** One entry of `auths`, as docker/cli's AuthConfig writes it. */
interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

/** The parts of config.json this module reads; every other key is kept as it is. */
interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

async function readConfig(file: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return {};
    throw new BerthError('IO', `cannot read ${file}: ${sysCode(e) ?? (e as Error).message}`, { cause: e });
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `${file} is not valid JSON (${jsonProblem(e as Error, text)}); fix or remove it`);
  }
  if (!isObject(value)) throw new BerthError('INVALID_ARGUMENT', `${file} must hold a JSON object; fix or remove it`);
  const config = value as DockerConfig;
  if (config.auths !== undefined && (!isObject(config.auths) || !Object.values(config.auths).every(isObject))) {
    throw new BerthError('INVALID_ARGUMENT', `${file}: "auths" must map registries to objects; fix or remove it`);
  }
  if (config.credsStore !== undefined && typeof config.credsStore !== 'string') throw new BerthError('INVALID_ARGUMENT', `${file}: "credsStore" must be a string`);
  if (config.credHelpers !== undefined && (!isObject(config.credHelpers) || !Object.values(config.credHelpers).every((v) => typeof v === 'string'))) {
    throw new BerthError('INVALID_ARGUMENT', `${file}: "credHelpers" must map registries to helper names`);
  }
  return config;
}

/**
 * What JSON.parse disliked and where, without the excerpt of the text that V8 quotes in its
 * message (the file holds secrets).
 */
function jsonProblem(e: Error, text: string): string {
  const what = e.message.split('"')[0]!.replace(/ at position \d+.*$/s, '').replace(/ in JSON$/, '').replace(/[\s,]+$/, '');
  const pos = /at position (\d+)/.exec(e.message);
  if (!pos) return what;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return `${what} at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function authsOf(config: DockerConfig, file: string): Record<string, AuthEntry> {
  if (config.auths === undefined) config.auths = {};
  if (!isObject(config.auths)) throw new BerthError('INVALID_ARGUMENT', `${file}: "auths" must be an object`);
  return config.auths;
}

/**
 * Reads config.json, lets `change` edit it, and writes it back when `change` says so: under a lock,
 * through a temporary file of mode 0600 renamed over the original (a symlink's target is replaced, as
 * docker does). The folder is created with mode 0700 when missing.
 */
async function updateConfig<T>(file: string, change: (config: DockerConfig) => Promise<{ value: T; write: boolean }>): Promise<T> {
  const target = await realpath(file).catch(() => file);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  return withFileLock(`${target}.lock`, async () => {
    const config = await readConfig(target);
    const { value, write } = await change(config);
    if (write) await writeConfig(target, config);
    return value;
  }, { timeoutMs: 10_000 });
}

async function writeConfig(target: string, config: DockerConfig): Promise<void> {
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(config, null, '\t'));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new BerthError('IO', `cannot write ${target}: ${sysCode(e) ?? (e as Error).message}`, { cause: e });
  }
}

// --- lookups ----------------------------------------------------------------------------------------

/** The exact key first, then any entry whose key means the same registry (a URL, a Hub alias). */
function findEntry(auths: Record<string, AuthEntry>, key: string): AuthEntry | undefined {
  if (Object.hasOwn(auths, key)) return auths[key];
  const k = Object.keys(auths).find((name) => normalizeRegistryKey(name) === key);
  return k === undefined ? undefined : auths[k];
}

/** The helper for a registry: its `credHelpers` entry, else `credsStore`, else none. */
function helperFor(config: DockerConfig, key: string): string | undefined {
  const helpers = config.credHelpers ?? {};
  const name = Object.hasOwn(helpers, key) ? helpers[key] : Object.entries(helpers).find(([k]) => normalizeRegistryKey(k) === key)?.[1];
  return name || config.credsStore || undefined;
}

function hasCredentials(entry: AuthEntry): boolean {
  return Boolean(entry.auth || entry.identitytoken || entry.username || entry.password);
}

/** Decodes an `auths` entry; a malformed `auth` is an error that names the file and registry only. */
function decodeEntry(entry: AuthEntry, source: string, key: string): Credentials | undefined {
  const creds: Credentials = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry.auth)) {
      throw new BerthError('INVALID_ARGUMENT', `${source}: the "auth" of ${key} is not base64 of "username:password"; log in again`);
    }
    creds.username = text.slice(0, colon);
    creds.password = text.slice(colon + 1).replace(/\0+$/, '');
  } else {
    if (typeof entry.username === 'string' && entry.username) creds.username = entry.username;
    if (typeof entry.password === 'string' && entry.password) creds.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) creds.identityToken = entry.identitytoken;
  return Object.keys(creds).length ? creds : undefined;
}

function fromHelper(found: { username: string; secret: string } | undefined): Credentials | undefined {
  if (!found) return undefined;
  return found.username === TOKEN_USERNAME ? { identityToken: found.secret } : { username: found.username, password: found.secret };
}

/** The `auths` of DOCKER_AUTH_CONFIG, or undefined when it is not set. */
function envAuths(env: NodeJS.ProcessEnv): Record<string, AuthEntry> | undefined {
  const raw = env.DOCKER_AUTH_CONFIG;
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BerthError('INVALID_ARGUMENT', 'DOCKER_AUTH_CONFIG is not valid JSON; it must look like {"auths": {"REGISTRY": {"auth": "BASE64"}}}');
  }
  const auths = isObject(value) ? value.auths : undefined;
  if (auths === undefined) return {};
  if (!isObject(auths) || !Object.values(auths).every(isObject)) throw new BerthError('INVALID_ARGUMENT', 'DOCKER_AUTH_CONFIG: "auths" must map registries to objects');
  return auths as Record<string, AuthEntry>;
}
