/**
 * Checks of the `--flags` between an instruction's keyword and its arguments: BuildKit refuses a flag
 * the instruction does not have, a flag given twice, a missing value and a boolean that is not one.
 * RUN's flags are checked with the RUN rules. https://docs.docker.com/reference/dockerfile/
 */
import type { Instruction } from '../ast';
import { isKnown } from './facts';
import { closest } from './suggest';
import type { Rule } from './types';

type FlagKind = 'string' | 'bool' | 'list';

const DURATION = 'string' as const;

/** The flags each instruction takes (BuildKit's `instructions/parse.go`); absent means none. */
const FLAGS: Record<string, Record<string, FlagKind>> = {
  FROM: { platform: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'list' },
  ADD: { chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', exclude: 'list', unpack: 'bool' },
  HEALTHCHECK: { interval: DURATION, timeout: DURATION, 'start-period': DURATION, 'start-interval': DURATION, retries: 'string' },
};

/** The instructions whose flags these rules check (those that have flags). */
function checked(instruction: Instruction): boolean {
  return instruction.flags.length > 0 && isKnown(instruction) && instruction.keyword !== 'RUN';
}

function flagList(keyword: string): string {
  const names = Object.keys(FLAGS[keyword] ?? {});
  return names.length === 0 ? `${keyword} takes no flags` : `${keyword} takes ${names.map((n) => `--${n}`).join(', ')}`;
}

const UNKNOWN_FLAG = {
  code: 'UnknownFlag',
  defaultSeverity: 'error',
  description: 'An instruction has a --flag it does not know; the build fails',
  check(ctx, report) {
    for (const instruction of ctx.ast.instructions) {
      if (!checked(instruction)) continue;
      const known = FLAGS[instruction.keyword] ?? {};
      for (const flag of instruction.flags) {
        if (Object.prototype.hasOwnProperty.call(known, flag.name)) continue;
        const suggestion = closest(flag.name, Object.keys(known), 2);
        const hint = suggestion ? ` (did you mean --${suggestion}?)` : '';
        const fixes = suggestion
          ? [{ title: `Write --${suggestion}`, edits: [{ range: flag.nameRange, newText: suggestion }], preferred: true }]
          : [];
        report({ message: `Unknown flag --${flag.name} for ${instruction.keyword}${hint}; ${flagList(instruction.keyword)}`, range: flag.range, fixes });
      }
    }
  },
} satisfies Rule;

const BOOLEAN = new Set(['true', 'false']);

const INVALID_FLAG = {
  code: 'InvalidFlag',
  defaultSeverity: 'error',
  description: 'A --flag is given twice, lacks its value, or a boolean flag has a value other than true or false',
  check(ctx, report) {
    for (const instruction of ctx.ast.instructions) {
      if (!checked(instruction)) continue;
      const known = FLAGS[instruction.keyword] ?? {};
      const seen = new Set<string>();
      for (const flag of instruction.flags) {
        const kind = Object.prototype.hasOwnProperty.call(known, flag.name) ? known[flag.name] : undefined;
        if (!kind) continue;
        if (kind !== 'list' && seen.has(flag.name)) {
          report({ message: `Duplicate flag specified: --${flag.name}; give it once`, range: flag.range });
        }
        seen.add(flag.name);
        if (kind !== 'bool' && flag.value === undefined) {
          report({ message: `Missing a value on flag --${flag.name}; write --${flag.name}=VALUE`, range: flag.range });
        } else if (kind === 'bool' && flag.value !== undefined && !BOOLEAN.has(flag.value.toLowerCase())) {
          report({ message: `Expecting a boolean value for flag --${flag.name}, not "${flag.value}"; write --${flag.name} or --${flag.name}=false`, range: flag.range });
        }
      }
    }
  },
} satisfies Rule;

/** The flag checks, in order. */
export const FLAG_RULES: Rule[] = [UNKNOWN_FLAG, INVALID_FLAG];
