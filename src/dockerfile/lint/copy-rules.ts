/**
 * Checks of `COPY --from`: it names an earlier stage (by name or index) or an image. BuildKit takes a
 * name that is no stage for an image, so only names that cannot work are flagged.
 * https://docs.docker.com/reference/dockerfile/#copy---from
 */
import type { Flag, Instruction, Stage } from '../ast';
import { namedStage } from './facts';
import { closest } from './suggest';
import type { LintContext, Report, Rule } from './types';

/** Each `COPY --from=value` of a stage, with a literal, non-empty value. */
function copyFroms(stage: Stage): { instruction: Instruction; flag: Flag; value: string }[] {
  const out: { instruction: Instruction; flag: Flag; value: string }[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'COPY' || instruction.flags.length === 0) continue;
    const flag = instruction.flags.find((f) => f.name === 'from');
    const value = flag?.value;
    if (!flag || !value || value.includes('$')) continue;
    out.push({ instruction, flag, value });
  }
  return out;
}

function line(stage: Stage): number {
  return stage.from.range.start.line + 1;
}

/** What is wrong with `--from=<index>` in `stage`, if anything. */
function indexProblem(ctx: LintContext, stage: Stage, value: string): string | undefined {
  const index = Number(value);
  const count = ctx.ast.stages.length;
  if (index < stage.index) return undefined;
  if (index === stage.index) return `COPY --from=${value} names this stage itself; copy from an earlier stage or an image`;
  if (index < count) {
    return `COPY --from=${value} names stage ${index} (line ${line(ctx.ast.stages[index]!)}), which comes later; a stage can only copy from an earlier stage, so move that stage above this one`;
  }
  return `COPY --from=${value}: there is no stage ${index} (stages are numbered from 0 and this file has ${count}); name an earlier stage or an image`;
}

/** What is wrong with `--from=<name>` in `stage` when the name is a stage of the file. */
function nameProblem(ctx: LintContext, stage: Stage, value: string): string | undefined {
  if (namedStage(ctx, value, stage.index)) return undefined;
  const target = namedStage(ctx, value);
  if (!target) return undefined;
  if (target.index === stage.index) return `COPY --from=${value} names this stage itself; copy from an earlier stage or an image`;
  return `COPY --from=${value} names the stage on line ${line(target)}, which comes later; a stage can only copy from an earlier stage, so move that stage above this one`;
}

function check(ctx: LintContext, report: Report): void {
  for (const stage of ctx.ast.stages) {
    for (const { flag, value } of copyFroms(stage)) {
      const message = /^\d+$/.test(value) ? indexProblem(ctx, stage, value) : nameProblem(ctx, stage, value);
      if (message) report({ message, range: flag.valueRange ?? flag.range });
    }
  }
}

const INVALID_COPY_FROM = {
  code: 'InvalidCopyFrom',
  defaultSeverity: 'error',
  description: 'COPY --from must name an earlier stage or an image, not its own stage or a later one',
  check,
} satisfies Rule;

/** The repository part of an image reference: tag and digest removed. */
function repositoryPart(value: string): string {
  const at = value.indexOf('@');
  const name = at < 0 ? value : value.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** Why `value` cannot be an image reference, if it cannot. */
function notAnImage(ctx: LintContext, value: string): string | undefined {
  const repository = repositoryPart(value);
  if (repository !== repository.toLowerCase()) return 'image names are lower-case';
  return ctx.validateReference?.(value);
}

const COPY_FROM_UNKNOWN_STAGE = {
  code: 'CopyFromUnknownStage',
  defaultSeverity: 'warning',
  description: 'COPY --from names neither a stage of this Dockerfile nor a valid image',
  check(ctx, report) {
    const names = ctx.ast.stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
    for (const stage of ctx.ast.stages) {
      for (const { flag, value } of copyFroms(stage)) {
        if (/^\d+$/.test(value) || namedStage(ctx, value)) continue;
        const why = notAnImage(ctx, value);
        if (why === undefined) continue;
        const suggestion = closest(value, names, 2);
        const hint = suggestion ? ` Did you mean the stage "${suggestion}"?` : '';
        report({
          message: `COPY --from=${value} names no stage of this Dockerfile, and it is not a valid image reference either (${why}).${hint}`,
          range: flag.valueRange ?? flag.range,
        });
      }
    }
  },
} satisfies Rule;

/** The COPY --from checks, in order. */
export const COPY_RULES: Rule[] = [INVALID_COPY_FROM, COPY_FROM_UNKNOWN_STAGE];
