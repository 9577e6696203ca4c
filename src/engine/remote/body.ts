/** Reading the body of an answer that may never end: only its start is kept. */
import type { Dispatcher } from 'undici';

/** How much of an error answer's body is read: enough for the registry's `{"errors": [...]}`. */
const ERROR_BODY_LIMIT = 64 << 10;

/**
 * The start of an answer's body as text, at most `limit` bytes; the rest is never read, so a registry
 * (or a token service) that sends without end cannot make Berth wait or grow. A body that fails midway
 * gives what arrived.
 */
export async function bodyText(res: Dispatcher.ResponseData, limit = ERROR_BODY_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // What arrived is all there is.
  } finally {
    if (size >= limit) res.body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

