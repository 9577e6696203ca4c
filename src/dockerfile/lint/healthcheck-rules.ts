/**
 * HEALTHCHECK: `NONE`, or `[--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
 * [--retries=N] CMD command`, durations in Go's syntax and at least 1ms (0 keeps the default), as
 * Docker's builder checks them. https://docs.docker.com/reference/dockerfile/#healthcheck
 */
import type { Flag, Instruction } from '../ast';
import { parseGoDuration } from './go-duration';
import type { Report, Rule } from './types';

const DURATIONS = new Set(['interval', 'timeout', 'start-period', 'start-interval']);
const MIN_NS = 1e6;

function checkFlag(flag: Flag, report: Report): void {
  const value = flag.value;
  if (value === undefined || value === '') return;
  if (DURATIONS.has(flag.name)) {
    const ns = parseGoDuration(value);
    if (ns === undefined) {
      report({ message: `--${flag.name}=${value} is not a duration; write it as Go does, e.g. 30s, 1m30s or 500ms`, range: flag.range });
    } else if (ns < 0) {
      report({ message: `--${flag.name} cannot be negative (${value})`, range: flag.range });
    } else if (ns !== 0 && ns < MIN_NS) {
      report({ message: `Interval "${flag.name}" cannot be less than 1ms (${value})`, range: flag.range });
    }
  } else if (flag.name === 'retries') {
    if (!/^[-+]?\d+$/.test(value)) report({ message: `--retries=${value} is not a whole number; write e.g. --retries=3`, range: flag.range });
    else if (Number(value) < 0) report({ message: `--retries cannot be negative (${value})`, range: flag.range });
  }
}

function checkForm(i: Instruction, report: Report): void {
  const type = i.args[0];
  if (!type) return;
  const kind = type.value.toUpperCase();
  if (kind === 'NONE') {
    if (i.args.length > 1 || i.flags.length > 0) {
      report({ message: 'HEALTHCHECK NONE takes no arguments or flags; it turns off the health check of the base image', range: i.argsRange });
    }
  } else if (kind !== 'CMD') {
    report({ message: `Unknown type "${type.value}" in HEALTHCHECK (try CMD): HEALTHCHECK [OPTIONS] CMD command, or HEALTHCHECK NONE`, range: type.range });
  } else if (i.args.length === 1 && !i.json) {
    report({ message: 'Missing command after HEALTHCHECK CMD: write HEALTHCHECK CMD command', range: type.range });
  } else if (i.json && i.json.length === 0) {
    report({ message: 'Missing command after HEALTHCHECK CMD: the JSON array is empty', range: i.argsRange });
  }
}

/** What Docker's builder refuses in a HEALTHCHECK: its type, flags and their values. */
export const INVALID_HEALTHCHECK = {
  code: 'InvalidHealthcheck',
  defaultSeverity: 'error',
  description: 'HEALTHCHECK takes NONE, or CMD with a command; durations like 30s (at least 1ms) and a whole number of retries',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      if (i.keyword !== 'HEALTHCHECK') continue;
      for (const flag of i.flags) checkFlag(flag, report);
      checkForm(i, report);
    }
  },
} satisfies Rule;
