/**
 * Human-readable sizes, durations and truncation, exactly as docker prints them:
 * github.com/docker/go-units (size.go, duration.go) and docker/cli's formatter.Ellipsis.
 */
import { formatFloat } from './gofloat.js';
import { isWide } from './width.js';

export { formatGoTime, parseDuration } from './gotime.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;

function scale(size: number, base: number, units: readonly string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return formatFloat(size, 'g', precision) + units[i];
}

/**
 * go-units HumanSizeWithPrecision: decimal units with Go's `%.<precision>g`, e.g. 4261215 ->
 * "4.26MB", 999999 -> "1e+03kB". docker prints image and container sizes with precision 3.
 */
export function humanSize(bytes: number, precision = 3): string {
  return scale(bytes, 1000, DECIMAL_UNITS, precision);
}

/** go-units BytesSize: binary units with `%.4g`, e.g. 1048576 -> "1MiB". */
export function bytesSize(bytes: number): string {
  return scale(bytes, 1024, BINARY_UNITS, 4);
}

/**
 * go-units HumanDuration: "Less than a second", "1 second", "About a minute", "3 hours",
 * "2 weeks", ... (hours are rounded, everything else truncated). docker adds " ago" for
 * CreatedSince.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/**
 * docker's formatter.Ellipsis: `s` cut to `maxWidth` display cells with "…" as the last one
 * (East Asian wide characters count 2). Width 1 gives the first character, 0 or less "".
 */
export function ellipsis(s: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  const runes = Array.from(s);
  if (maxWidth === 1) return runes[0] ?? '';
  if (/^[\x00-\x7f]*$/.test(s)) return runes.length <= maxWidth ? s : runes.slice(0, maxWidth - 1).join('') + '…';
  const ends: number[] = [];
  let width = 0;
  for (const r of runes) {
    width += isWide(r.codePointAt(0)!) ? 2 : 1;
    ends.push(width);
  }
  if (width <= maxWidth) return s;
  for (let i = 0; i + 1 < ends.length; i++) {
    if (ends[i] <= maxWidth - 1 && ends[i + 1] > maxWidth - 1) return runes.slice(0, i + 1).join('') + '…';
  }
  return s;
}
