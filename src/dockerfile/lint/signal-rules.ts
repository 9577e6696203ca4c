/**
 * STOPSIGNAL: a signal name (`SIGTERM`, `TERM`, `SIGRTMIN+3`) or number, as Docker's `signal.ParseSignal`
 * reads it on Linux. https://docs.docker.com/reference/dockerfile/#stopsignal
 */
import type { Rule } from './types';

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR',
  'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH',
  'XCPU', 'XFSZ',
]);

/** Whether `text` names a signal: 1 to 64, or a name with or without `SIG`, any case. */
export function isSignal(text: string): boolean {
  if (/^\d+$/.test(text)) return Number(text) >= 1 && Number(text) <= 64;
  const name = text.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.has(name) || /^RTM(IN|AX)([+-]\d{1,2})?$/.test(name);
}

/** A STOPSIGNAL the builder refuses (words with variables are left to the build). */
export const INVALID_STOP_SIGNAL = {
  code: 'InvalidStopSignal',
  defaultSeverity: 'error',
  description: 'STOPSIGNAL takes a signal name (SIGTERM, SIGINT...) or a number from 1 to 64',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      if (i.keyword !== 'STOPSIGNAL' || i.args.length === 0 || i.argsText.includes('$')) continue;
      const signal = i.args.map((a) => a.value).join(' ');
      if (isSignal(signal)) continue;
      report({ message: `Invalid signal: ${signal}; use a signal name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64`, range: i.argsRange });
    }
  },
} satisfies Rule;
