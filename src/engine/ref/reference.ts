/**
 * Image references ("ubuntu:14.04", "localhost:5000/x@sha256:..."), parsed and normalized as Docker
 * does: github.com/distribution/reference `ParseNormalizedNamed`, `FamiliarName`, `FamiliarString`,
 * `TagNameOnly`, with the messages the docker CLI prints. The grammar (reference/regexp.go):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [ domain "/" ] path
 *   domain           := host [ ":" port-number ]
 *   host             := domain-name | "[" IPv6address "]"
 *   domain-name      := domain-component [ "." domain-component ]*
 *   domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
 *   path             := path-component [ "/" path-component ]*
 *   path-component   := /[a-z0-9]+/ [ separator /[a-z0-9]+/ ]*
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := /[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}/
 *
 * A hand-written scanner checks it, looking at each character a bounded number of times, so no input
 * can make parsing slow. Deliberate differences from Docker: `registry.hub.docker.com` is Docker Hub like
 * `index.docker.io`; a bare 64-hex digest after `@` reads as `sha256:<hex>`; a name whose first component
 * looks like a domain but is not a valid one (`a_b.com/x`), which Docker keeps without any domain, is refused.
 */
import { BerthError } from '../errors';
import { matchPath } from './pattern';

/** A parsed, normalized image reference: `domain/path[:tag][@digest]`. */
export interface ImageReference {
  /** The registry: 'docker.io', 'localhost:5000', '[::1]:5000', 'hub.c.163.com'. */
  readonly domain: string;
  /** The repository inside the registry: 'library/ubuntu', 'public/ubuntu', 'x'. */
  readonly path: string;
  /** The tag; undefined when none was given. */
  readonly tag?: string;
  /** The manifest digest ('sha256:<64 hex>'); undefined when none was given. */
  readonly digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const MAX_PATH_LENGTH = 255;
const HUB_DOMAINS = new Set(['index.docker.io', 'registry.hub.docker.com']);
/** Hex length of each digest algorithm Docker knows (go-digest). */
const DIGEST_HEX_LENGTH = new Map([['sha256', 64], ['sha384', 96], ['sha512', 128]]);
const IDENTIFIER = /^[a-f0-9]{64}$/;

const INVALID_FORMAT = 'invalid reference format';
const NOT_LOWERCASE = 'invalid reference format: repository name must be lowercase';

/** The outcome of tryParseReference: the reference, or Docker's message saying why it is invalid. */
export type ReferenceParseResult = { ok: true; ref: ImageReference } | { ok: false; message: string };

/** Parses and normalizes a reference as `docker pull` does; throws INVALID_REFERENCE with Docker's message. */
export function parseReference(s: string): ImageReference {
  const r = tryParseReference(s);
  if (!r.ok) throw new BerthError('INVALID_REFERENCE', r.message);
  return r.ref;
}

/** Like parseReference, but returns the error message instead of throwing (for the language server). */
export function tryParseReference(s: string): ReferenceParseResult {
  if (typeof s !== 'string') return fail(INVALID_FORMAT);
  if (IDENTIFIER.test(s)) return fail(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const input = withBareDigestAsSha256(s);
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) return fail(NOT_LOWERCASE);
  const parsed = parseCanonical(`${domain}/${remainder}`);
  if (parsed.ok && parsed.ref.domain === '') return fail(INVALID_FORMAT);
  return parsed;
}

/**
 * Splits a reference already in the normal form the store keeps (`docker.io/library/busybox:latest`)
 * without validating it again: the listing of thousands of tags needs it fast. A string that is not
 * in normal form (no domain part) is parsed in full.
 */
export function splitNormalized(s: string): ImageReference {
  const at = s.indexOf('@');
  const name = at >= 0 ? s.slice(0, at) : s;
  const slash = name.indexOf('/');
  if (slash < 0) return parseReference(s);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repo = hasTag ? name.slice(0, colon) : name;
  const ref: { domain: string; path: string; tag?: string; digest?: string } = { domain: repo.slice(0, slash), path: repo.slice(slash + 1) };
  if (hasTag) ref.tag = name.slice(colon + 1);
  if (at >= 0) ref.digest = s.slice(at + 1);
  return ref;
}

/** Adds the tag 'latest' when the reference has neither tag nor digest, as Docker's TagNameOnly. */
export function withDefaultTag(r: ImageReference): ImageReference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: DEFAULT_TAG } : r;
}

/** The full repository name, without tag or digest: 'docker.io/library/ubuntu'. */
export function repositoryOf(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** The full normal form: 'docker.io/library/ubuntu:latest', 'x@sha256:...', 'x:tag@sha256:...'. */
export function formatReference(r: ImageReference): string {
  return repositoryOf(r) + suffixOf(r);
}

/** The repository as Docker shows it (FamiliarName): 'ubuntu', 'user/x', 'localhost:5000/x'. */
export function familiarRepository(r: ImageReference): string {
  if (r.domain !== DEFAULT_DOMAIN) return repositoryOf(r);
  if (r.path.startsWith(OFFICIAL_PREFIX)) {
    const rest = r.path.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

/** The reference as Docker shows it (FamiliarString): 'ubuntu:latest', 'localhost:5000/x@sha256:...'. */
export function familiarString(r: ImageReference): string {
  return familiarRepository(r) + suffixOf(r);
}

/**
 * Normalizes a repository name ('ubuntu' -> 'docker.io/library/ubuntu'), for commands that take a
 * repository and not an image; throws INVALID_REFERENCE when the name carries a tag or digest.
 */
export function parseRepository(s: string): string {
  const r = parseReference(s);
  if (r.tag !== undefined || r.digest !== undefined) {
    throw new BerthError('INVALID_REFERENCE', `invalid repository name "${s}": a repository name must not have a tag or digest`);
  }
  return repositoryOf(r);
}

/**
 * True when `pattern` (Go's path.Match syntax) matches the familiar string ('ubuntu:14.04') or the familiar
 * repository ('ubuntu'), as Docker's `images --filter reference=PATTERN` (FamiliarMatch). Throws
 * INVALID_ARGUMENT for a malformed pattern, as Docker refuses it.
 */
export function matchesFamiliarPattern(r: ImageReference, pattern: string): boolean {
  if (matchPath(pattern, familiarString(r))) return true;
  try {
    return matchPath(pattern, familiarRepository(r));
  } catch {
    return false;
  }
}

function suffixOf(r: ImageReference): string {
  return (r.tag === undefined ? '' : `:${r.tag}`) + (r.digest === undefined ? '' : `@${r.digest}`);
}

function fail(message: string): ReferenceParseResult {
  return { ok: false, message };
}

/** `name@<64 hex>` -> `name@sha256:<64 hex>`: old tutorials write digests without the algorithm. */
function withBareDigestAsSha256(s: string): string {
  const at = s.indexOf('@');
  return at >= 0 && IDENTIFIER.test(s.slice(at + 1)) ? `${s.slice(0, at + 1)}sha256:${s.slice(at + 1)}` : s;
}

/**
 * Docker's splitDockerDomain: the first component is the registry when it contains '.' or ':' or is
 * 'localhost'; else the registry is Docker Hub, where a one-component name is under 'library/'.
 */
function splitDockerDomain(s: string): { domain: string; remainder: string } {
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  const hasDomain = slash >= 0 && (first === 'localhost' || first.includes('.') || first.includes(':'));
  const domain = !hasDomain || HUB_DOMAINS.has(first) ? DEFAULT_DOMAIN : first;
  let remainder = hasDomain ? s.slice(slash + 1) : s;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/** Docker's reference.Parse on an already normalized string. */
function parseCanonical(s: string): ReferenceParseResult {
  const ref = scanReference(s);
  if (ref === undefined) {
    const lower = s.toLowerCase();
    return fail(lower !== s && scanReference(lower) !== undefined ? 'repository name must be lowercase' : INVALID_FORMAT);
  }
  if (ref.path.length > MAX_PATH_LENGTH) return fail(`repository name must not be more than ${MAX_PATH_LENGTH} characters`);
  const problem = ref.digest === undefined ? undefined : digestProblem(ref.digest);
  return problem === undefined ? { ok: true, ref } : fail(problem);
}

/**
 * Matches the whole grammar. Names, tags and digests hold no '@', so the digest follows the first '@';
 * neither a path nor a tag holds ':', so a ':' after the last '/' starts the tag. The domain is the first
 * component when it is a valid domain; otherwise the name is all path (domain '').
 */
function scanReference(s: string): ImageReference | undefined {
  const at = s.indexOf('@');
  const digest = at < 0 ? undefined : s.slice(at + 1);
  if (digest !== undefined && !isDigestSyntax(digest)) return undefined;
  const left = at < 0 ? s : s.slice(0, at);
  const colon = left.lastIndexOf(':');
  const hasTag = colon > left.lastIndexOf('/');
  const tag = hasTag ? left.slice(colon + 1) : undefined;
  if (tag !== undefined && !isTag(tag)) return undefined;
  const name = hasTag ? left.slice(0, colon) : left;
  const slash = name.indexOf('/');
  let domain = '';
  let path = name;
  if (slash >= 0 && isDomain(name.slice(0, slash)) && isPath(name.slice(slash + 1))) {
    domain = name.slice(0, slash);
    path = name.slice(slash + 1);
  } else if (!isPath(name)) {
    return undefined;
  }
  return { domain, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** What go-digest's Validate says about a digest that has the reference grammar's shape, or undefined. */
function digestProblem(d: string): string | undefined {
  const colon = d.indexOf(':');
  const algorithm = d.slice(0, colon);
  const hex = d.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH.get(algorithm);
  if (length === undefined) {
    // go-digest: an unknown algorithm is "unsupported" if it is well formed (lower case), else "invalid".
    return algorithm.toLowerCase() === algorithm ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  if (hex.length !== length) return 'invalid checksum digest length';
  return /^[a-f0-9]+$/.test(hex) ? undefined : 'invalid checksum digest format';
}

const enum Ch {
  Dash = 0x2d,
  Dot = 0x2e,
  Digit0 = 0x30,
  Digit9 = 0x39,
  Colon = 0x3a,
  Plus = 0x2b,
  UpperA = 0x41,
  UpperF = 0x46,
  UpperZ = 0x5a,
  Underscore = 0x5f,
  LowerA = 0x61,
  LowerF = 0x66,
  LowerZ = 0x7a,
}

const isDigit = (c: number): boolean => c >= Ch.Digit0 && c <= Ch.Digit9;
const isLower = (c: number): boolean => c >= Ch.LowerA && c <= Ch.LowerZ;
const isUpper = (c: number): boolean => c >= Ch.UpperA && c <= Ch.UpperZ;
const isLetter = (c: number): boolean => isLower(c) || isUpper(c);
const isAlnum = (c: number): boolean => isLetter(c) || isDigit(c);
const isWord = (c: number): boolean => isAlnum(c) || c === Ch.Underscore;
const isHex = (c: number): boolean => isDigit(c) || (c >= Ch.LowerA && c <= Ch.LowerF) || (c >= Ch.UpperA && c <= Ch.UpperF);

function every(s: string, from: number, test: (c: number) => boolean): boolean {
  for (let i = from; i < s.length; i++) if (!test(s.charCodeAt(i))) return false;
  return true;
}

/** tag := [\w][\w.-]{0,127} */
function isTag(t: string): boolean {
  return t.length >= 1 && t.length <= 128 && isWord(t.charCodeAt(0)) && every(t, 1, (c) => isWord(c) || c === Ch.Dot || c === Ch.Dash);
}

/** path := path-component ("/" path-component)* */
function isPath(p: string): boolean {
  let start = 0;
  for (;;) {
    const slash = p.indexOf('/', start);
    const end = slash < 0 ? p.length : slash;
    if (!isPathComponent(p, start, end)) return false;
    if (slash < 0) return true;
    start = slash + 1;
  }
}

/** path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+ */
function isPathComponent(s: string, from: number, to: number): boolean {
  let i = from;
  for (;;) {
    const run = i;
    while (i < to && (isLower(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
    if (i === run) return false;
    if (i === to) return true;
    const c = s.charCodeAt(i++);
    if (c === Ch.Underscore && s.charCodeAt(i) === Ch.Underscore) i++;
    else if (c === Ch.Dash) while (s.charCodeAt(i) === Ch.Dash) i++;
    else if (c !== Ch.Dot && c !== Ch.Underscore) return false;
  }
}

/** domain := (domain-name | "[" [a-fA-F0-9:]+ "]") (":" [0-9]+)? */
function isDomain(d: string): boolean {
  if (d.startsWith('[')) {
    const close = d.indexOf(']');
    return close > 1 && every(d.slice(1, close), 0, (c) => isHex(c) || c === Ch.Colon) && isOptionalPort(d.slice(close + 1));
  }
  const colon = d.indexOf(':');
  const host = colon < 0 ? d : d.slice(0, colon);
  return isOptionalPort(colon < 0 ? '' : d.slice(colon)) && host.split('.').every(isDomainComponent);
}

function isOptionalPort(p: string): boolean {
  return p === '' || (p.length > 1 && p.charCodeAt(0) === Ch.Colon && every(p, 1, isDigit));
}

/** domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
function isDomainComponent(c: string): boolean {
  if (c.length === 0 || c.charCodeAt(0) === Ch.Dash || c.charCodeAt(c.length - 1) === Ch.Dash) return false;
  return every(c, 0, (x) => isAlnum(x) || x === Ch.Dash);
}

/** digest := algorithm ":" [0-9a-fA-F]{32,}; algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.] [A-Za-z][A-Za-z0-9]*)* */
function isDigestSyntax(d: string): boolean {
  const colon = d.indexOf(':');
  if (colon < 0 || d.length - colon - 1 < 32 || !every(d, colon + 1, isHex)) return false;
  let expectLetter = true;
  for (let i = 0; i < colon; i++) {
    const c = d.charCodeAt(i);
    if (expectLetter) {
      if (!isLetter(c)) return false;
      expectLetter = false;
    } else if (c === Ch.Dash || c === Ch.Underscore || c === Ch.Dot || c === Ch.Plus) {
      expectLetter = true;
    } else if (!isAlnum(c)) {
      return false;
    }
  }
  return !expectLetter;
}
