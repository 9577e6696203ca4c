/**
 * Registry answers that are not success, as errors that keep the registry's own code
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes) and say whether
 * a retry may help.
 */
import { BerthError, type ErrorCode } from '../errors';

/** One entry of a registry's `{"errors": [...]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Parses the error body of a registry answer (empty when the body is not the spec's JSON). */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return [];
    return body.errors.filter((e): e is RegistryErrorEntry => typeof e === 'object' && e !== null && typeof (e as RegistryErrorEntry).code === 'string');
  } catch {
    return [];
  }
}

/** The engine code for an HTTP status and registry code. */
function codeFor(status: number, registryCode: string | undefined): ErrorCode {
  if (registryCode === 'UNAUTHORIZED' || status === 401) return 'UNAUTHORIZED';
  if (registryCode === 'DENIED' || status === 403) return 'DENIED';
  if (registryCode === 'TOOMANYREQUESTS' || status === 429) return 'TOO_MANY_REQUESTS';
  if (['MANIFEST_UNKNOWN', 'BLOB_UNKNOWN', 'NAME_UNKNOWN'].includes(registryCode ?? '') || status === 404) return 'NOT_FOUND';
  if (registryCode === 'DIGEST_INVALID' || registryCode === 'SIZE_INVALID') return 'DIGEST_MISMATCH';
  return 'REGISTRY';
}

/** True for answers worth another try: server errors and rate limits. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * An error for a registry's non-success answer. `what` says what was being done
 * (`pulling manifest for docker.io/library/busybox:latest`).
 */
export function registryError(status: number, bodyText: string, what: string): BerthError {
  const entries = parseErrorBody(bodyText);
  const first = entries[0];
  const detail = entries.length
    ? entries.map((e) => `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.trim()).join('; ')
    : `the registry answered ${status}${bodyText && bodyText.length < 200 && !/[<{]/.test(bodyText) ? ` (${bodyText.trim()})` : ''}`;
  return new BerthError(codeFor(status, first?.code), `${what}: ${detail}`, { registryCode: first?.code, retryable: isRetryableStatus(status) });
}

/** An error for a failed connection, naming the address tried; a retry may help. */
export function networkError(url: string, cause: unknown): BerthError {
  const e = cause as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the registry running at that address?)',
    ECONNRESET: 'the connection was reset',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be resolved',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection was cut',
    UND_ERR_HEADERS_TIMEOUT: 'the registry did not answer in time',
    UND_ERR_BODY_TIMEOUT: 'the registry stopped sending data',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed; put its CA in ~/.docker/certs.d/HOST/ca.crt or mark it insecure',
    SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted; put its CA in ~/.docker/certs.d/HOST/ca.crt',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted; put its CA in ~/.docker/certs.d/HOST/ca.crt',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  };
  const reason = (code && why[code]) ?? e?.message ?? String(cause);
  const retryable = code !== 'ENOTFOUND' && code !== 'ECONNREFUSED' && !String(code).includes('CERT');
  return new BerthError('NETWORK', `cannot reach registry ${host}: ${reason}`, { cause, retryable });
}
