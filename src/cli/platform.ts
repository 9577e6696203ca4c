/** The `--platform OS/ARCH[/VARIANT]` flag of pull, import and build. */
import type { Platform } from '../engine/oci/types';
import { parsePlatformText } from '../engine/oci/platform';
import { isBerthError } from '../engine/errors';
import { UsageError } from './args';

/** Parses `linux/arm64/v8` (case-insensitive); undefined when the flag was not given. */
export function parsePlatform(value: string | undefined): Platform | undefined {
  if (!value) return undefined;
  try {
    return parsePlatformText(value);
  } catch (e) {
    throw isBerthError(e) ? new UsageError(e.message) : e;
  }
}
