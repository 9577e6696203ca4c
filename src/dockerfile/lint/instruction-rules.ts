/**
 * Checks that hold for every instruction: known and consistently cased keywords, arguments present,
 * no deprecated MAINTAINER, one CMD/ENTRYPOINT/HEALTHCHECK per stage, valid ONBUILD triggers and SHELL
 * forms, no empty continuation lines, and no more layers than an image can have.
 * https://docs.docker.com/reference/dockerfile/ https://docs.docker.com/reference/build-checks/
 */
import type { Instruction } from '../ast';
import { INSTRUCTIONS, isKnown, LAYER_INSTRUCTIONS, parentStage, withTriggers } from './facts';
import { doubleQuoted } from './quote';
import { headRange, linesDeletion } from './ranges';
import { closest } from './suggest';
import type { LintContext, Rule } from './types';

/** Overlay filesystems stack at most this many layers; Berth's builder refuses more. */
export const MAX_LAYERS = 127;

const UNKNOWN_INSTRUCTION = {
  code: 'UnknownInstruction',
  defaultSeverity: 'error',
  description: 'A line starts with a word that is not a Dockerfile instruction',
  check(ctx, report) {
    for (const instruction of ctx.ast.instructions) {
      if (isKnown(instruction)) continue;
      const raw = instruction.rawKeyword;
      const upper = closest(instruction.keyword, INSTRUCTIONS, 2);
      const suggestion = upper && (raw === raw.toLowerCase() ? upper.toLowerCase() : upper);
      const hint = suggestion
        ? ` (did you mean ${suggestion}?)`
        : `; if the line belongs to the instruction before it, end that line with ${ctx.ast.escapeChar} to continue it`;
      const fixes = suggestion ? [{ title: `Write ${suggestion}`, edits: [{ range: instruction.keywordRange, newText: suggestion }], preferred: true }] : [];
      report({
        message: `Unknown instruction: ${raw}${hint}`,
        range: instruction.keywordRange,
        fixes,
      });
    }
  },
} satisfies Rule;

/** Every keyword: top-level instructions and ONBUILD triggers. */
function keywords(ctx: LintContext): Instruction[] {
  return withTriggers(ctx.ast.instructions).filter(isKnown);
}

const CONSISTENT_INSTRUCTION_CASING = {
  code: 'ConsistentInstructionCasing',
  defaultSeverity: 'warning',
  description: 'All instructions should use the same casing (either upper or lower)',
  check(ctx, report) {
    let lower = 0;
    let upper = 0;
    for (const i of ctx.ast.instructions) {
      if (!isKnown(i)) continue;
      if (i.rawKeyword === i.rawKeyword.toLowerCase()) lower++;
      else if (i.rawKeyword === i.rawKeyword.toUpperCase()) upper++;
    }
    const majorityLower = lower > upper;
    for (const i of keywords(ctx)) {
      const wanted = majorityLower ? i.keyword.toLowerCase() : i.keyword;
      if (i.rawKeyword === wanted) continue;
      report({
        message: `Command '${i.rawKeyword}' should match the case of the command majority (${majorityLower ? 'lowercase' : 'uppercase'})`,
        range: i.keywordRange,
        fixes: [{ title: `Write ${wanted}`, edits: [{ range: i.keywordRange, newText: wanted }], preferred: true }],
      });
    }
  },
} satisfies Rule;

/** The author a MAINTAINER names: its text, surrounding quotes removed. */
function author(instruction: Instruction): string {
  const text = instruction.argsText.trim();
  const q = text[0];
  if (text.length >= 2 && (q === '"' || q === "'") && text.endsWith(q)) return text.slice(1, -1);
  return text;
}

const MAINTAINER_DEPRECATED = {
  code: 'MaintainerDeprecated',
  defaultSeverity: 'warning',
  description: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      if (i.keyword !== 'MAINTAINER') continue;
      const label = i.rawKeyword === i.rawKeyword.toLowerCase() ? 'label' : 'LABEL';
      const newText = `${label} org.opencontainers.image.authors=${doubleQuoted(author(i), ctx.ast.escapeChar)}`;
      report({
        message: 'Maintainer instruction is deprecated in favor of using label; write LABEL org.opencontainers.image.authors="..."',
        range: headRange(i),
        tags: ['deprecated'],
        fixes: [{ title: 'Replace with LABEL org.opencontainers.image.authors', edits: [{ range: headRange(i), newText }], preferred: true }],
      });
    }
  },
} satisfies Rule;

const ONCE_PER_STAGE = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

const MULTIPLE_INSTRUCTIONS_DISALLOWED = {
  code: 'MultipleInstructionsDisallowed',
  defaultSeverity: 'warning',
  description: 'Multiple CMD, ENTRYPOINT or HEALTHCHECK instructions in one stage: only the last one is used',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const last = new Map<string, Instruction>();
      for (const i of stage.instructions) if (ONCE_PER_STAGE.has(i.keyword)) last.set(i.keyword, i);
      for (const i of stage.instructions) {
        const final = last.get(i.keyword);
        if (!final || final === i) continue;
        const lines = linesDeletion(ctx, i.range.start.line, i.range.end.line);
        report({
          message: `Multiple ${i.keyword} instructions should not be used in the same stage because only the last one will be used (line ${final.range.start.line + 1}); remove this one`,
          range: headRange(i),
          tags: ['unnecessary'],
          fixes: [{ title: `Remove this ${i.keyword}`, edits: [{ range: lines, newText: '' }] }],
        });
      }
    }
  },
} satisfies Rule;

const NO_EMPTY_CONTINUATION = {
  code: 'NoEmptyContinuation',
  defaultSeverity: 'warning',
  description: 'Empty continuation lines will become errors in a future release',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      for (const range of i.emptyContinuationLines) {
        report({
          message: `Empty continuation line: the ${i.keyword} instruction goes on after it; remove the empty line (empty continuation lines will become errors in a future release)`,
          range,
          fixes: [{ title: 'Remove the empty line', edits: [{ range: linesDeletion(ctx, range.start.line), newText: '' }], preferred: true }],
        });
      }
    }
  },
} satisfies Rule;

const INVALID_ONBUILD_TRIGGER = {
  code: 'InvalidOnbuildTrigger',
  defaultSeverity: 'error',
  description: 'ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      const trigger = i.onbuild;
      if (i.keyword !== 'ONBUILD' || !trigger) continue;
      if (trigger.keyword === 'ONBUILD') {
        report({ message: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed; an ONBUILD trigger runs only in the next build', range: trigger.keywordRange });
      } else if (trigger.keyword === 'FROM' || trigger.keyword === 'MAINTAINER') {
        report({ message: `"${trigger.keyword}" isn't allowed as an ONBUILD trigger`, range: trigger.keywordRange });
      }
    }
  },
} satisfies Rule;

/** Instructions that need arguments, and how many. */
const NEEDS: Record<string, 'one' | 'exactly-one' | 'two'> = {
  ADD: 'two',
  COPY: 'two',
  ARG: 'one',
  ENV: 'one',
  EXPOSE: 'one',
  HEALTHCHECK: 'one',
  LABEL: 'one',
  MAINTAINER: 'one',
  ONBUILD: 'one',
  SHELL: 'one',
  VOLUME: 'one',
  STOPSIGNAL: 'exactly-one',
  USER: 'exactly-one',
  WORKDIR: 'exactly-one',
};

function missingArguments(i: Instruction): string | undefined {
  const need = NEEDS[i.keyword];
  if (!need) return undefined;
  if (need === 'two') {
    const count = i.json ? i.json.length : i.args.length;
    if (count >= 2) return undefined;
    if (count === 1) return `${i.keyword} requires at least two arguments, but only one was provided: the destination is missing (${i.keyword} SOURCE... DEST)`;
    return `${i.keyword} requires at least two arguments: ${i.keyword} SOURCE... DEST`;
  }
  if (i.argsText.trim() !== '') return undefined;
  return `${i.keyword} requires ${need === 'one' ? 'at least' : 'exactly'} one argument`;
}

const MISSING_ARGUMENTS = {
  code: 'MissingArguments',
  defaultSeverity: 'error',
  description: 'An instruction lacks the arguments it needs',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      const message = missingArguments(i);
      if (message) report({ message, range: headRange(i) });
    }
  },
} satisfies Rule;

const INVALID_SHELL = {
  code: 'InvalidShell',
  defaultSeverity: 'error',
  description: 'SHELL takes a JSON array, e.g. SHELL ["/bin/bash", "-c"]',
  check(ctx, report) {
    for (const i of ctx.ast.instructions) {
      if (i.keyword !== 'SHELL' || i.argsText.trim() === '') continue;
      if (!i.json) {
        report({ message: 'SHELL requires the arguments to be in JSON form, e.g. SHELL ["/bin/bash", "-o", "pipefail", "-c"]', range: i.argsRange });
      } else if (i.json.length === 0) {
        report({ message: 'SHELL requires at least one argument: the shell program, e.g. SHELL ["/bin/bash", "-c"]', range: i.argsRange });
      }
    }
  },
} satisfies Rule;

const TOO_MANY_LAYERS = {
  code: 'TooManyLayers',
  defaultSeverity: 'error',
  description: `An image can have at most ${MAX_LAYERS} layers; RUN, COPY and ADD each add one`,
  check(ctx, report) {
    const totals: number[] = [];
    for (const stage of ctx.ast.stages) {
      const parent = parentStage(ctx, stage);
      let count = parent ? (totals[parent.index] ?? 0) : 0;
      for (const i of stage.instructions) {
        if (!LAYER_INSTRUCTIONS.has(i.keyword)) continue;
        count++;
        if (count !== MAX_LAYERS + 1) continue;
        report({
          message: `This ${i.keyword} makes layer ${count} of its stage, more than the ${MAX_LAYERS} an image can have; combine RUN, COPY and ADD steps (e.g. RUN a && b) to make fewer`,
          range: headRange(i),
        });
      }
      totals[stage.index] = count;
    }
  },
} satisfies Rule;

/** The checks of every instruction, in order. */
export const INSTRUCTION_RULES: Rule[] = [
  UNKNOWN_INSTRUCTION,
  CONSISTENT_INSTRUCTION_CASING,
  MISSING_ARGUMENTS,
  MAINTAINER_DEPRECATED,
  MULTIPLE_INSTRUCTIONS_DISALLOWED,
  NO_EMPTY_CONTINUATION,
  INVALID_ONBUILD_TRIGGER,
  INVALID_SHELL,
  TOO_MANY_LAYERS,
];
