/**
 * What several checks need to know about a Dockerfile, computed once per instruction or stage: the
 * instruction names, key-value pairs, each stage's chain of parent stages and the stages by name. https://docs.docker.com/reference/dockerfile/
 */
import type { ArgScope } from '../arg-scope';
import type { DockerfileAst, Instruction, Stage } from '../ast';
import { parseKeyValues, type KeyValues } from '../key-values';
import { stagesByName } from '../stages';
import type { LintContext } from './types';

/** The instructions of the Dockerfile reference. https://docs.docker.com/reference/dockerfile/#overview */
export const INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** The instructions that add a layer to the image. */
export const LAYER_INSTRUCTIONS: ReadonlySet<string> = new Set(['ADD', 'COPY', 'RUN']);

const pairs = new WeakMap<Instruction, KeyValues>();

/** The key-value pairs of an ENV, LABEL or ARG (memoized). */
export function keyValuesOf(ctx: LintContext, instruction: Instruction): KeyValues {
  let kv = pairs.get(instruction);
  if (!kv) {
    kv = parseKeyValues(instruction, ctx.ast.escapeChar);
    pairs.set(instruction, kv);
  }
  return kv;
}

/** The stage an earlier FROM names as this stage's base, if its base is a stage. */
export function parentStage(ctx: LintContext, stage: Stage): Stage | undefined {
  const parent = ctx.scope.stages[stage.index]?.parent;
  return parent === undefined ? undefined : ctx.ast.stages[parent];
}

/** The stage and the stages it is built on, nearest first. */
export function stageChain(ctx: LintContext, stage: Stage): Stage[] {
  const chain = [stage];
  for (let s = parentStage(ctx, stage); s && chain.length <= ctx.ast.stages.length; s = parentStage(ctx, s)) chain.push(s);
  return chain;
}

// The first stage of each chain, per scope: checks ask for every stage, and walking each chain would
// cost a file whose stages are each built FROM the one before time quadratic in its stages.
const chainRoots = new WeakMap<ArgScope, Stage[]>();

/** The stage the chain of `stage` starts from: the last of {@link stageChain}. */
function chainRoot(ctx: LintContext, stage: Stage): Stage {
  let roots = chainRoots.get(ctx.scope);
  if (!roots) {
    roots = [];
    for (const s of ctx.ast.stages) {
      const parent = parentStage(ctx, s);
      // a parent is always an earlier stage, so its root is known already
      roots.push(parent && parent.index < s.index ? roots[parent.index]! : s);
    }
    chainRoots.set(ctx.scope, roots);
  }
  return roots[stage.index] ?? stage;
}

/** Whether the stage's chain starts from `scratch`: no base image brings variables or a working directory. */
export function isScratchBased(ctx: LintContext, stage: Stage): boolean {
  return chainRoot(ctx, stage).image.toLowerCase() === 'scratch';
}

const stageNames = new WeakMap<DockerfileAst, Map<string, Stage>>();

/** `stageNamed(ctx.ast.stages, name, before)` with the names indexed once per tree. */
export function namedStage(ctx: LintContext, name: string, before = ctx.ast.stages.length): Stage | undefined {
  let byName = stageNames.get(ctx.ast);
  if (!byName) {
    byName = stagesByName(ctx.ast.stages);
    stageNames.set(ctx.ast, byName);
  }
  const stage = byName.get(name.toLowerCase());
  return stage && stage.index < before ? stage : undefined;
}

/** The instruction's keyword is one of the Dockerfile reference's. */
export function isKnown(instruction: Instruction): boolean {
  return INSTRUCTIONS.has(instruction.keyword);
}

/** The instructions with the trigger of each ONBUILD after it, in document order. */
export function withTriggers(instructions: readonly Instruction[]): Instruction[] {
  const out: Instruction[] = [];
  for (const instruction of instructions) {
    out.push(instruction);
    if (instruction.onbuild) out.push(instruction.onbuild);
  }
  return out;
}
