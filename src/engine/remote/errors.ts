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

/**
 * An error for a failed connection, naming the address tried. A retry may help, except for an unknown
 * host, a refused connection and TLS failures (an untrusted or wrong certificate, a client certificate
 * the registry wants): those say what to put in `~/.docker/certs.d/HOST/`.
 */
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
  const certs = `~/.docker/certs.d/${host}`;
  const untrusted = `its TLS certificate is not trusted (${e?.message ?? code}); put the CA that signed it in ${certs}/ca.crt`;
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
    DEPTH_ZERO_SELF_SIGNED_CERT: `its TLS certificate is self-signed; put that certificate in ${certs}/ca.crt`,
    SELF_SIGNED_CERT_IN_CHAIN: untrusted,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: untrusted,
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: untrusted,
    UNABLE_TO_GET_ISSUER_CERT: untrusted,
    CERT_UNTRUSTED: untrusted,
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet (is the clock right?)',
    ERR_TLS_CERT_ALTNAME_INVALID: `its TLS certificate is not for that name (${e?.message ?? code})`,
  };
  const clientCert = /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_\w+|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/.test(code ?? '')
    ? `the registry refused the TLS connection (${e?.message?.match(/alert [\w ]+/)?.[0] ?? code}): it wants a client certificate it trusts; put the certificate and its key in ${certs}/client.cert and ${certs}/client.key`
    : undefined;
  const reason = clientCert ?? (code && why[code]) ?? e?.message ?? String(cause);
  const tls = /CERT|^UNABLE_TO_|^ERR_SSL_|^ERR_TLS_/.test(code ?? '');
  const retryable = code !== 'ENOTFOUND' && code !== 'ECONNREFUSED' && !tls;
  return new BerthError('NETWORK', `cannot reach registry ${host}: ${reason}`, { cause, retryable });
}
