/**
 * The platform this process runs on, in the names images use (Go's GOOS/GOARCH, as
 * containerd's `platforms.DefaultSpec`): Node's `x64` is `amd64`, `ia32` is `386`.
 */
import { BerthError } from '../errors';
import type { Platform } from './types';

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The image platform of this machine: always `linux` (Berth's images are Linux images). */
export function hostPlatform(arch: string = process.arch): Platform {
  const architecture = ARCH[arch] ?? arch;
  return architecture === 'arm' ? { os: 'linux', architecture, variant: 'v7' } : { os: 'linux', architecture };
}

/** True when an image built for `p` runs on `want` (the variant is compared only when both name one). */
export function platformMatches(p: Platform | undefined, want: Platform): boolean {
  if (!p || p.os !== want.os || p.architecture !== want.architecture) return false;
  return !p.variant || !want.variant || p.variant === want.variant;
}

/** `linux/arm64/v8`-style text for messages. */
export function platformString(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Parses `linux/arm64/v8` (case-insensitive), as `--platform` and `FROM --platform` take it. */
export function parsePlatformText(value: string): Platform {
  const [os, architecture, variant] = value.toLowerCase().split('/');
  if (!os || !architecture) throw new BerthError('INVALID_ARGUMENT', `invalid platform "${value}": expected OS/ARCH[/VARIANT], e.g. linux/arm64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}
