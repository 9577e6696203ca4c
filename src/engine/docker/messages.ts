/**
 * The JSON message streams the engine answers pull, push, build, load, import and events with: one
 * JSON object after another (newline separated in practice, but split anywhere by the transport). An
 * object with `error` ends the operation: it becomes a BerthError with the engine's words.
 * https://github.com/moby/moby/blob/v20.10.24/pkg/jsonmessage/jsonmessage.go
 */
import { BerthError, type ErrorCode } from '../errors';

/** One message of a stream, the fields Berth reads. */
export interface EngineMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The JSON objects of `body` one by one, as they arrive. */
export async function* jsonMessages<T = EngineMessage>(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<T> {
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  const rest = (pending + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as T;
}

/** The code for an engine's error text: the registry's refusals keep their meaning. */
export function codeOfMessage(text: string): ErrorCode {
  if (/unauthorized|authentication required|no basic auth credentials/i.test(text)) return 'UNAUTHORIZED';
  if (/denied/i.test(text)) return 'DENIED';
  if (/not found|manifest unknown|No such image/i.test(text)) return 'NOT_FOUND';
  if (/toomanyrequests/i.test(text)) return 'TOO_MANY_REQUESTS';
  return 'ENGINE';
}

/** Throws when `m` carries an error: `what` says what was being done. */
export function throwIfError(m: EngineMessage, what: string, code?: ErrorCode): void {
  const text = m.errorDetail?.message ?? m.error;
  if (text === undefined) return;
  throw new BerthError(code ?? codeOfMessage(text), `${what}: ${text.trim()}`);
}
