/**
 * WORKDIR: a relative path is resolved against the base image's working directory, which the
 * Dockerfile does not control. https://docs.docker.com/reference/build-checks/workdir-relative-path/
 */
import type { Instruction, Stage } from '../ast';
import { isScratchBased, parentStage } from './facts';
import type { LintContext, Rule } from './types';

/** The path a WORKDIR sets (its whole argument text, quotes removed where they wrap it). */
function workdirPath(i: Instruction): string {
  return i.args.length === 1 ? i.args[0]!.value : i.argsText.trim();
}

/** Absolute on Linux or Windows; a path starting with a variable may be either, so it counts as set. */
function settlesWorkdir(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || path.startsWith('$') || /^[A-Za-z]:/.test(path);
}

/** Whether the stage, or a stage it is built on, sets an absolute WORKDIR (memoized per stage). */
function setsAbsolute(ctx: LintContext, stage: Stage, memo: Map<number, boolean>, depth = 0): boolean {
  const known = memo.get(stage.index);
  if (known !== undefined) return known;
  const parent = parentStage(ctx, stage);
  let result = parent !== undefined && depth < ctx.ast.stages.length && setsAbsolute(ctx, parent, memo, depth + 1);
  for (let p = 0; !result && p < stage.instructions.length; p++) {
    if (stage.instructions[p]!.keyword === 'WORKDIR' && settlesWorkdir(workdirPath(stage.instructions[p]!))) result = true;
  }
  memo.set(stage.index, result);
  return result;
}

/** A relative WORKDIR before any absolute one in the stage chain (stages from scratch start at /). */
export const WORKDIR_RELATIVE_PATH = {
  code: 'WorkdirRelativePath',
  defaultSeverity: 'warning',
  description: 'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  check(ctx, report) {
    const memo = new Map<number, boolean>();
    for (const stage of ctx.ast.stages) {
      if (isScratchBased(ctx, stage)) continue;
      const parent = parentStage(ctx, stage);
      let settled = parent !== undefined && setsAbsolute(ctx, parent, memo);
      for (const i of stage.instructions) {
        if (i.keyword !== 'WORKDIR' || i.argsText.trim() === '') continue;
        const path = workdirPath(i);
        if (settlesWorkdir(path)) settled = true;
        if (settled) continue;
        const absolute = `/${path.replace(/^\.\/+/, '')}`;
        report({
          message: `Relative workdir "${path}" can have unexpected results if the base image changes; use an absolute path such as "${absolute}"`,
          range: i.argsRange,
          fixes: [{ title: `Use ${absolute}`, edits: [{ range: i.argsRange, newText: absolute }] }],
        });
      }
    }
  },
} satisfies Rule;
