/**
 * EXPOSE: `port`, `port/protocol` or `start-end/protocol`, ports up to 65535, protocols tcp, udp and
 * sctp (lower-case), and no host address or host port (those belong to `docker run -p`).
 * https://docs.docker.com/reference/dockerfile/#expose https://docs.docker.com/reference/build-checks/expose-proto-casing/
 */
import type { Arg, Instruction } from '../ast';
import { argsRange } from '../args-position';
import type { Range } from '../position';
import type { Rule } from './types';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** The literal words of EXPOSE instructions (words with variables are checked by the build). */
function exposedWords(instructions: Instruction[]): { i: Instruction; arg: Arg; plain: boolean }[] {
  const out: { i: Instruction; arg: Arg; plain: boolean }[] = [];
  for (const i of instructions) {
    if (i.keyword !== 'EXPOSE') continue;
    for (const arg of i.args) if (!arg.value.includes('$')) out.push({ i, arg, plain: arg.rawText === arg.value });
  }
  return out;
}

/** The range of `arg.value[from, to)`, exact when the word is written without quotes. */
function partRange(i: Instruction, arg: Arg, plain: boolean, from: number, to: number): Range {
  return plain ? argsRange(i, arg.start + from, arg.start + to) : arg.range;
}

/** The container port part of a word: what follows the last `:`. */
function containerPart(value: string): { spec: string; at: number } {
  const colon = value.lastIndexOf(':');
  return { spec: value.slice(colon + 1), at: colon + 1 };
}

function portProblem(port: string): string | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  if (!m) return `Invalid port "${port}" in EXPOSE; a port is a number from 0 to 65535, or a range such as 8000-8010`;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535) return `Invalid port "${port}" in EXPOSE; ports go up to 65535`;
  if (end < start) return `Invalid port range "${port}" in EXPOSE; the range must go from the lower port to the higher`;
  return undefined;
}

const INVALID_EXPOSE = {
  code: 'InvalidExpose',
  defaultSeverity: 'error',
  description: 'EXPOSE takes ports (80, 8000-8010) with an optional protocol tcp, udp or sctp',
  check(ctx, report) {
    for (const { i, arg, plain } of exposedWords(ctx.ast.instructions)) {
      const { spec, at } = containerPart(arg.value);
      const slash = spec.lastIndexOf('/');
      const port = slash < 0 ? spec : spec.slice(0, slash);
      if (slash >= 0 && !PROTOCOLS.has(spec.slice(slash + 1).toLowerCase())) {
        const proto = spec.slice(slash + 1);
        report({
          message: `Invalid protocol "${proto}" in EXPOSE ${arg.value}; use tcp, udp or sctp`,
          range: partRange(i, arg, plain, at + slash + 1, at + spec.length),
        });
      }
      const problem = portProblem(port);
      if (problem) report({ message: problem, range: partRange(i, arg, plain, at, at + port.length) });
    }
  },
} satisfies Rule;

const EXPOSE_PROTO_CASING = {
  code: 'ExposeProtoCasing',
  defaultSeverity: 'warning',
  description: 'Protocol in EXPOSE instruction should be lowercase',
  check(ctx, report) {
    for (const { i, arg, plain } of exposedWords(ctx.ast.instructions)) {
      const { spec, at } = containerPart(arg.value);
      const slash = spec.lastIndexOf('/');
      const proto = slash < 0 ? '' : spec.slice(slash + 1);
      const lower = proto.toLowerCase();
      if (proto === lower || !PROTOCOLS.has(lower)) continue;
      const range = partRange(i, arg, plain, at + slash + 1, at + spec.length);
      const newText = plain ? lower : arg.value.slice(0, at + slash + 1) + lower;
      report({
        message: `Defined protocol '${arg.value}' in EXPOSE instruction should be lowercase: ${lower}`,
        range,
        fixes: [{ title: `Write ${lower}`, edits: [{ range, newText }], preferred: true }],
      });
    }
  },
} satisfies Rule;

const EXPOSE_INVALID_FORMAT = {
  code: 'ExposeInvalidFormat',
  defaultSeverity: 'warning',
  description: 'IP address and host-port mapping should not be used in EXPOSE instruction; this will become an error in a future release',
  check(ctx, report) {
    for (const { arg } of exposedWords(ctx.ast.instructions)) {
      const { spec, at } = containerPart(arg.value);
      if (at === 0) continue;
      report({
        message: `EXPOSE instruction should not define an IP address or host-port mapping, found '${arg.value}'; expose the container port (${spec}) and map host ports when running the container (docker run -p)`,
        range: arg.range,
        fixes: [{ title: `Expose ${spec}`, edits: [{ range: arg.range, newText: spec }], preferred: true }],
      });
    }
  },
} satisfies Rule;

/** The EXPOSE checks, in order. */
export const EXPOSE_RULES: Rule[] = [INVALID_EXPOSE, EXPOSE_PROTO_CASING, EXPOSE_INVALID_FORMAT];
