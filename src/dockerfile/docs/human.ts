/**
 * Sizes and ages written as `docker images` writes them (github.com/docker/go-units: HumanSize with
 * three significant digits, HumanDuration), with the ages also in Chinese. The CLI has its own copy in
 * src/cli/format/units.ts; this layer may not import it.
 */
import type { Locale } from './types';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.<precision>g`: trailing zeros removed, exponent of at least two digits. */
function goFormatG(x: number, precision: number): string {
  if (x === 0) return '0';
  const [mantissa = '', exponent] = x.toPrecision(precision).split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  if (exponent === undefined) return m;
  const e = Number(exponent);
  return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Bytes in decimal units with three significant digits, as docker prints image sizes: `2.13MB`. */
export function humanSize(bytes: number): string {
  let size = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  let unit = 0;
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    unit++;
  }
  return goFormatG(size, 3) + DECIMAL_UNITS[unit];
}

type DurationUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** A duration as go-units counts it: an amount of a unit, `about` for "About a minute/an hour". */
interface Duration {
  amount: number;
  unit: DurationUnit;
  about?: boolean;
  lessThanASecond?: boolean;
}

function durationOf(ms: number): Duration {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return { amount: 1, unit: 'second', lessThanASecond: true };
  if (seconds < 60) return { amount: seconds, unit: 'second' };
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return { amount: 1, unit: 'minute', about: true };
  if (minutes < 60) return { amount: minutes, unit: 'minute' };
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return { amount: 1, unit: 'hour', about: true };
  if (hours < 48) return { amount: hours, unit: 'hour' };
  if (hours < 24 * 7 * 2) return { amount: Math.trunc(hours / 24), unit: 'day' };
  if (hours < 24 * 30 * 2) return { amount: Math.trunc(hours / 24 / 7), unit: 'week' };
  if (hours < 24 * 365 * 2) return { amount: Math.trunc(hours / 24 / 30), unit: 'month' };
  return { amount: Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365), unit: 'year' };
}

const ZH_UNITS: Record<DurationUnit, string> = { second: '秒', minute: '分钟', hour: '小时', day: '天', week: '周', month: '个月', year: '年' };

function english(d: Duration): string {
  if (d.lessThanASecond) return 'Less than a second';
  if (d.about) return d.unit === 'hour' ? 'About an hour' : 'About a minute';
  return d.amount === 1 ? `1 ${d.unit}` : `${d.amount} ${d.unit}s`;
}

function chinese(d: Duration): string {
  if (d.lessThanASecond) return '不到 1 秒';
  return `${d.about ? '大约 ' : ''}${d.amount} ${ZH_UNITS[d.unit]}`;
}

/**
 * How long ago `created` (RFC 3339) was, as `docker images` says it ("3 days ago"; Chinese "3 天前");
 * undefined when the time cannot be read.
 */
export function humanAge(created: string, locale: Locale, now: number = Date.now()): string | undefined {
  const at = Date.parse(created);
  if (Number.isNaN(at)) return undefined;
  const d = durationOf(now - at);
  return locale === 'zh-cn' ? `${chinese(d)}前` : `${english(d)} ago`;
}
