/**
 * What several checks need to know about a Dockerfile, computed once per instruction or stage: the
 * instruction names, key-value pairs, and each stage's chain of parent stages. https://docs.docker.com/reference/dockerfile/
 */
import type { Instruction, Stage } from '../ast';
import { parseKeyValues, type KeyValues } from '../key-values';
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

/** Whether the stage's chain starts from `scratch`: no base image brings variables or a working directory. */
export function isScratchBased(ctx: LintContext, stage: Stage): boolean {
  const chain = stageChain(ctx, stage);
  return chain[chain.length - 1]!.image.toLowerCase() === 'scratch';
}

/** The instruction's keyword is one of the Dockerfile reference's. */
export function isKnown(instruction: Instruction): boolean {
  return INSTRUCTIONS.has(instruction.keyword);
}
