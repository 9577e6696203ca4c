/**
 * Errors of the engine. Every error has a stable `code` (callers tell errors apart by it, not by
 * `instanceof`), a message that says what is wrong and what to do, and the `cause` when there is one.
 * Messages never contain secrets.
 */

/** The stable codes an engine error can carry. */
export type ErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'AMBIGUOUS'
  | 'CONFLICT'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'INVALID_ARCHIVE'
  | 'UNSAFE_ARCHIVE'
  | 'INVALID_MANIFEST'
  | 'UNSUPPORTED'
  | 'STORE_CORRUPT'
  | 'LOCK_TIMEOUT'
  | 'CANCELLED'
  | 'BUILD_FAILED'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'TOO_MANY_REQUESTS'
  | 'NETWORK'
  | 'REGISTRY'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE'
  | 'IO';

/** An error raised by the engine; `code` is stable, `message` is for people. */
export class BerthError extends Error {
  override name = 'BerthError';
  readonly code: ErrorCode;
  /** The registry's own error code (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, `DENIED`, ...), when a registry said no. */
  readonly registryCode?: string;
  /** True when trying again later may succeed (a 5xx, a 429, a cut connection). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; registryCode?: string; retryable?: boolean }) {
    super(message, options);
    this.code = code;
    this.registryCode = options?.registryCode;
    this.retryable = options?.retryable ?? false;
  }
}

/** True when `e` is a BerthError with one of the given codes. */
export function isBerthError(e: unknown, ...codes: ErrorCode[]): e is BerthError {
  return e instanceof Error && (e as BerthError).name === 'BerthError' && (codes.length === 0 || codes.includes((e as BerthError).code));
}

/** The `code` of a Node system error (`ENOENT`, `EEXIST`, ...), or undefined. */
export function sysCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}
