/** The `--platform OS/ARCH[/VARIANT]` flag of pull and import. */
import type { Platform } from '../engine/oci/types';
import { UsageError } from './args';

/** Parses `linux/arm64/v8` (case-insensitive); undefined when the flag was not given. */
export function parsePlatform(value: string | undefined): Platform | undefined {
  if (!value) return undefined;
  const [os, architecture, variant] = value.toLowerCase().split('/');
  if (!os || !architecture) throw new UsageError(`invalid platform "${value}": expected OS/ARCH[/VARIANT], e.g. linux/arm64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}
