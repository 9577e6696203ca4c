/**
 * Go's `time.ParseDuration`, which Docker uses for the HEALTHCHECK flags: `300ms`, `1.5h`, `2h45m`,
 * an optional sign, and `0` without a unit. https://pkg.go.dev/time#ParseDuration
 */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** The duration in nanoseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  let i = 0;
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (text.slice(i) === '0') return 0;
  if (i === text.length) return undefined;
  let total = 0;
  while (i < text.length) {
    const start = i;
    while (isDigit(text[i])) i++;
    const pre = i > start;
    let post = false;
    if (text[i] === '.') {
      i++;
      const fraction = i;
      while (isDigit(text[i])) i++;
      post = i > fraction;
    }
    if (!pre && !post) return undefined;
    const value = Number.parseFloat(text.slice(start, i));
    const unitStart = i;
    while (i < text.length && text[i] !== '.' && !isDigit(text[i])) i++;
    const unit = UNIT_NS[text.slice(unitStart, i)];
    if (unit === undefined) return undefined;
    total += value * unit;
  }
  return sign * total;
}
