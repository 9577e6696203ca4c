/**
 * `HEALTHCHECK` as a change line: `NONE`, or `[--interval=D] [--timeout=D] [--start-period=D]
 * [--start-interval=D] [--retries=N] CMD command`, with Go duration syntax ("30s", "1m30s") and the
 * checks Docker's builder makes. https://docs.docker.com/reference/dockerfile/#healthcheck
 */
import type { ContainerConfig } from '../oci/types';

/** The health check part of a container config (durations in nanoseconds). */
export type Healthcheck = NonNullable<ContainerConfig['Healthcheck']>;

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses a Go duration (`time.ParseDuration`) into nanoseconds; throws a plain Error when malformed. */
export function parseGoDuration(s: string): number {
  const m0 = /^([-+]?)(.*)$/s.exec(s)!;
  const sign = m0[1] === '-' ? -1 : 1;
  const body = m0[2]!;
  if (body === '0') return 0;
  if (body === '') throw new Error(`time: invalid duration "${s}"`);
  let total = 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let at = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number.parseFloat(m[1]!) * UNIT_NS[m[2]!]!;
    at = re.lastIndex;
  }
  if (at !== body.length) throw new Error(`time: invalid duration "${s}"`);
  return Math.round(sign * total);
}

const DURATION_FLAGS: Record<string, 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval'> = {
  interval: 'Interval',
  timeout: 'Timeout',
  'start-period': 'StartPeriod',
  'start-interval': 'StartInterval',
};

/** Parses the text after `HEALTHCHECK`; `parseCommand` turns `CMD`'s rest into JSON or shell form. */
export function parseHealthcheck(rest: string, parseCommand: (s: string) => { json?: string[]; shell?: string }): Healthcheck {
  const hc: Healthcheck = {};
  let text = rest.trim();
  let flagsSeen = false;
  for (let m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(text); m; m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(text)) {
    flagsSeen = true;
    setFlag(hc, m[1]!, m[2]);
    text = text.slice(m[0].length);
  }
  const word = /^(\S+)\s*(.*)$/s.exec(text);
  if (!word) throw new Error('HEALTHCHECK requires an argument');
  const kind = word[1]!.toUpperCase();
  if (kind === 'NONE') {
    if (word[2] !== '' || flagsSeen) throw new Error('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD') throw new Error(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
  const cmd = parseCommand(word[2]!);
  if (cmd.json) hc.Test = ['CMD', ...cmd.json];
  else if (cmd.shell) hc.Test = ['CMD-SHELL', cmd.shell];
  else throw new Error('Missing command after HEALTHCHECK CMD');
  return hc;
}

function setFlag(hc: Healthcheck, name: string, value: string | undefined): void {
  if (value === undefined) throw new Error(`Missing a value on flag: --${name}`);
  const key = DURATION_FLAGS[name];
  if (key) {
    const ns = parseGoDuration(value);
    if (ns !== 0 && ns < 1e6) throw new Error(`Interval "${name}" cannot be less than 1ms`);
    if (ns !== 0) hc[key] = ns;
    return;
  }
  if (name === 'retries') {
    if (!/^[-+]?\d+$/.test(value)) throw new Error(`strconv.ParseInt: parsing "${value}": invalid syntax`);
    const n = Number.parseInt(value, 10);
    if (n < 0) throw new Error(`--retries cannot be negative (${n})`);
    if (n !== 0) hc.Retries = n;
    return;
  }
  throw new Error(`Unknown flag: ${name}`);
}
