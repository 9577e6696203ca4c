/**
 * Where registries are and how to reach them: Docker Hub mirrors, insecure registries (plain HTTP allowed
 * when HTTPS is not offered; a certificate, when one is offered, is still verified), the folder of per-registry certificates and Docker Hub's search endpoint.
 *
 * Read from Berth's own config file (`$XDG_CONFIG_HOME/berth/config.json`, the keys of dockerd's
 * daemon.json: `registry-mirrors`, `insecure-registries`, plus `hub-search-url`), then
 * `/etc/docker/daemon.json` when present, then `BERTH_REGISTRY_MIRRORS` and
 * `BERTH_INSECURE_REGISTRIES` (comma separated). Entries are checked and normalized as dockerd does
 * (moby `registry/config.go`: `ValidateMirror`, `loadInsecureRegistries`).
 */
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError, sysCode } from '../errors';

/** Docker Hub's search API (the v1 index). */
export const DEFAULT_HUB_SEARCH_URL = 'https://index.docker.io/v1/search';
/** Where dockerd keeps its settings. */
export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';

/** How registries are reached. */
export interface RegistryConfig {
  /** Docker Hub mirrors, as URLs ending in "/", in the order to try them. */
  mirrors: string[];
  /** Insecure registries: `host[:port]` (lower case) or CIDR ranges. Loopback is always insecure. */
  insecure: string[];
  /** Per-registry TLS material: `CERTS_DIR/HOST[:PORT]/{ca.crt,client.cert,client.key}`. */
  certsDir: string;
  /** Docker Hub's search endpoint. */
  hubSearchUrl: string;
}

/** Options of {@link loadRegistryConfig}. */
export interface LoadRegistryConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Default `$XDG_CONFIG_HOME/berth/config.json`, else `~/.config/berth/config.json`. */
  berthConfigPath?: string;
  /** Default `/etc/docker/daemon.json`. */
  daemonJsonPath?: string;
  /** More insecure registries, from the command line (`--insecure-registry`). */
  insecure?: string[];
  /** More mirrors, from the command line (`--registry-mirror`). */
  mirrors?: string[];
}

/** The settings one file gives. */
interface FileSettings {
  mirrors: string[];
  insecure: string[];
  hubSearchUrl?: string;
}

/** Reads and merges the registry settings; a malformed file or entry is an INVALID_ARGUMENT error naming it. */
export async function loadRegistryConfig(options: LoadRegistryConfigOptions = {}): Promise<RegistryConfig> {
  const env = options.env ?? process.env;
  const home = env.HOME || homedir();
  const berthPath = options.berthConfigPath ?? join(env.XDG_CONFIG_HOME || join(home, '.config'), 'berth', 'config.json');
  const berth = await readSettings(berthPath, true);
  const daemon = await readSettings(options.daemonJsonPath ?? DEFAULT_DAEMON_JSON, false);
  const envMirrors = splitList(env.BERTH_REGISTRY_MIRRORS).map((m) => normalizeMirror(m, 'BERTH_REGISTRY_MIRRORS'));
  const envInsecure = splitList(env.BERTH_INSECURE_REGISTRIES).map((r) => normalizeInsecure(r, 'BERTH_INSECURE_REGISTRIES'));
  const flagMirrors = (options.mirrors ?? []).map((m) => normalizeMirror(m, '--registry-mirror'));
  const flagInsecure = (options.insecure ?? []).map((r) => normalizeInsecure(r, '--insecure-registry'));
  return {
    mirrors: unique([...flagMirrors, ...berth.mirrors, ...daemon.mirrors, ...envMirrors]),
    insecure: unique([...berth.insecure, ...daemon.insecure, ...envInsecure, ...flagInsecure]),
    certsDir: join(home, '.docker', 'certs.d'),
    hubSearchUrl: berth.hubSearchUrl ?? DEFAULT_HUB_SEARCH_URL,
  };
}

/**
 * True when `host` (`host`, `host:port`, `[v6]:port`) may be reached over plain HTTP when it does not
 * speak TLS: `localhost`, 127.0.0.0/8 and ::1 always (as dockerd), a listed `host[:port]` exactly, or an IP
 * address inside a listed CIDR range. Names are not resolved to match CIDR ranges.
 */
export function isInsecure(host: string, config: Pick<RegistryConfig, 'insecure'>): boolean {
  const h = host.trim().toLowerCase();
  const name = hostnameOf(h);
  if (name === 'localhost' || inCidr(name, '127.0.0.0/8') || inCidr(name, '::1/128')) return true;
  return config.insecure.some((entry) => (entry.includes('/') ? inCidr(name, entry) : entry === h));
}

// --- files --------------------------------------------------------------------------------------------

async function readSettings(path: string, isBerth: boolean): Promise<FileSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (sysCode(e) === 'ENOENT' || sysCode(e) === 'ENOTDIR') return { mirrors: [], insecure: [] };
    throw new BerthError('IO', `cannot read ${path}: ${sysCode(e) ?? (e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BerthError('INVALID_ARGUMENT', `${path} must hold a JSON object`);
  const settings = value as Record<string, unknown>;
  const list = (key: string): string[] => {
    const v = settings[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new BerthError('INVALID_ARGUMENT', `${path}: "${key}" must be a list of strings`);
    return v;
  };
  const result: FileSettings = {
    mirrors: list('registry-mirrors').map((m) => normalizeMirror(m, path)),
    insecure: list('insecure-registries').map((r) => normalizeInsecure(r, path)),
  };
  const search = settings['hub-search-url'];
  if (isBerth && search !== undefined) {
    if (typeof search !== 'string' || !isHttpUrl(search)) throw new BerthError('INVALID_ARGUMENT', `${path}: "hub-search-url" must be an http or https URL`);
    result.hubSearchUrl = search;
  }
  return result;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// --- entries ------------------------------------------------------------------------------------------

/** A mirror as dockerd accepts it: http(s), no path, query, fragment or credentials; ends in "/". */
function normalizeMirror(value: string, source: string): string {
  const raw = value.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BerthError('INVALID_ARGUMENT', `${source}: invalid mirror "${raw}": not a URL (write it as https://HOST[:PORT])`);
  }
  if (u.username || u.password) {
    throw new BerthError('INVALID_ARGUMENT', `${source}: invalid mirror ${u.protocol}//${u.username ? `${u.username}:xxxxx@` : ''}${u.host}: a username or password is not allowed in the URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BerthError('INVALID_ARGUMENT', `${source}: invalid mirror "${raw}": the scheme must be http or https`);
  if (u.pathname !== '/' || u.search || u.hash) throw new BerthError('INVALID_ARGUMENT', `${source}: invalid mirror "${raw}": no path, query or fragment is allowed`);
  return `${u.protocol}//${u.host}/`;
}

/** An insecure registry as dockerd accepts it: `host[:port]` or a CIDR range; http(s):// is dropped. */
function normalizeInsecure(value: string, source: string): string {
  let r = value.trim();
  const scheme = /^https?:\/\//i.exec(r);
  if (scheme) r = r.slice(scheme[0].length);
  else if (r.includes('://')) throw new BerthError('INVALID_ARGUMENT', `${source}: insecure registry "${r}" must not contain "://"`);
  if (r.toLowerCase() === 'index.docker.io') r = 'docker.io';
  if (r.includes('/')) {
    if (!parseCidr(r)) throw new BerthError('INVALID_ARGUMENT', `${source}: insecure registry "${r}" is not a valid CIDR range or host[:port]`);
    return r;
  }
  if (!HOST_PORT.test(r)) throw new BerthError('INVALID_ARGUMENT', `${source}: insecure registry "${r}" is not a valid host[:port] or CIDR range`);
  return r.toLowerCase();
}

/** A domain name, IPv4 address or bracketed IPv6 address, with an optional port (reference's domain grammar). */
const HOST_PORT = /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])(?:\.(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))*|\[[0-9a-f:.]+\])(?::[0-9]+)?$/i;

/** The host of `host`, `host:port`, `[v6]:port` or a bare IPv6 address, brackets removed. */
function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? hostPort : hostPort.slice(1, end);
  }
  const colons = hostPort.split(':').length - 1;
  return colons === 1 ? hostPort.slice(0, hostPort.indexOf(':')) : hostPort;
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return undefined;
  const version = isIP(m[1]!);
  const prefix = Number(m[2]);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address: m[1]!, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** True when `address` is an IP literal inside `cidr` (an IPv4-mapped IPv6 address counts as IPv4). */
function inCidr(address: string, cidr: string): boolean {
  const range = parseCidr(cidr);
  if (!range) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  const version = isIP(ip);
  if (version === 0 || (version === 4) !== (range.family === 'ipv4')) return false;
  const list = new BlockList();
  list.addSubnet(range.address, range.prefix, range.family);
  return list.check(ip, range.family);
}
