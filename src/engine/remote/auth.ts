/**
 * Registry authentication: the `WWW-Authenticate` challenge, the bearer token flow
 * (https://distribution.github.io/distribution/spec/auth/token/) and basic auth.
 * Tokens are cached per host and scope until shortly before they expire. Secrets stay in memory.
 */
import type { Dispatcher } from 'undici';
import { BerthError } from '../errors';
import { bodyText } from './body';
import type { Credentials } from './credentials';
import { networkError, registryError } from './errors';

/** A token service's answer is a small JSON object; more than this is cut (it would not parse). */
const MAX_TOKEN_ANSWER = 1 << 20;

/** A parsed challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header (several challenges may be given, comma separated). */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)|\s*([A-Za-z][A-Za-z0-9_.-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?/y;
  let current: Challenge | undefined;
  re.lastIndex = 0;
  while (re.lastIndex < header.length) {
    const start = re.lastIndex;
    const m = re.exec(header);
    if (!m || re.lastIndex === start) break;
    if (m[1] !== undefined && m[2] === undefined) {
      current = { scheme: m[1].toLowerCase(), params: {} };
      out.push(current);
    } else if (current && m[2] !== undefined) {
      current.params[m[2].toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
    }
  }
  return out;
}

/** `Basic base64(user:password)`. */
export function basicAuthorization(creds: Credentials): string | undefined {
  if (creds.username === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/** A token and when it stops being usable (ms since epoch). */
interface CachedToken {
  authorization: string;
  expiresAt: number;
}

/** Tokens by `host scope...`. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string): string | undefined {
    const t = this.tokens.get(key);
    if (!t) return undefined;
    if (t.expiresAt <= Date.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return t.authorization;
  }

  set(key: string, authorization: string, expiresAt: number): void {
    this.tokens.set(key, { authorization, expiresAt });
  }
}

/** What fetching a token needs. */
export interface TokenRequest {
  challenge: Challenge;
  scopes: string[];
  credentials?: Credentials;
  dispatcher: Dispatcher;
  /** The registry, for messages. */
  host: string;
  request: typeof import('undici').request;
}

/** Gets an `Authorization` header value for a challenge, with its expiry. */
export async function authorize(req: TokenRequest): Promise<CachedToken> {
  if (req.challenge.scheme === 'basic') {
    const basic = req.credentials && basicAuthorization(req.credentials);
    if (!basic) throw new BerthError('UNAUTHORIZED', `${req.host} requires a username and password; run "berth login ${req.host}"`, { registryCode: 'UNAUTHORIZED' });
    return { authorization: basic, expiresAt: Number.MAX_SAFE_INTEGER };
  }
  if (req.challenge.scheme !== 'bearer') throw new BerthError('UNSUPPORTED', `${req.host} asks for "${req.challenge.scheme}" authentication, which Berth does not support`);
  const realm = req.challenge.params.realm;
  if (!realm) throw new BerthError('REGISTRY', `${req.host} asked for a bearer token but named no realm to get it from`);
  const service = req.challenge.params.service;
  const url = new URL(realm);
  const headers: Record<string, string> = { 'user-agent': 'berth' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  const scopes = req.scopes.length ? req.scopes : req.challenge.params.scope ? [req.challenge.params.scope] : [];
  if (req.credentials?.identityToken) {
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: req.credentials.identityToken, client_id: 'berth' });
    if (service) form.set('service', service);
    if (scopes.length) form.set('scope', scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const basic = req.credentials && basicAuthorization(req.credentials);
    if (basic) {
      headers.authorization = basic;
      url.searchParams.set('account', req.credentials!.username!);
    }
  }
  let res;
  try {
    res = await req.request(url, { method, headers, body, dispatcher: req.dispatcher });
  } catch (e) {
    throw networkError(url.toString(), e);
  }
  const text = await bodyText(res, MAX_TOKEN_ANSWER);
  if (res.statusCode === 401 || res.statusCode === 403) {
    throw new BerthError('UNAUTHORIZED', `${req.host}: ${req.credentials ? 'the username or password is wrong' : 'authentication required'}; run "berth login ${req.host}"`, { registryCode: 'UNAUTHORIZED' });
  }
  if (res.statusCode !== 200) throw registryError(res.statusCode, text, `getting a token for ${req.host} from ${url.origin}`);
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BerthError('REGISTRY', `the token service of ${req.host} (${url.origin}) answered with something that is not JSON`);
  }
  const token = parsed.access_token || parsed.token;
  if (!token) throw new BerthError('REGISTRY', `the token service of ${req.host} (${url.origin}) answered without a token`);
  const lifetime = Math.max(60, parsed.expires_in ?? 60) * 1000;
  return { authorization: `Bearer ${token}`, expiresAt: Date.now() + lifetime - 10_000 };
}
