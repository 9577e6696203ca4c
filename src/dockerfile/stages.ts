/**
 * Build stages: each FROM opens one, named by `AS name`. https://docs.docker.com/reference/dockerfile/#from
 * https://docs.docker.com/build/building/multi-stage/
 */
import type { Instruction, Stage } from './ast';

function openStage(from: Instruction, index: number): Stage {
  const args = from.args;
  const stage: Stage = { index, image: args[0]?.value ?? '', from, instructions: [], range: from.range };
  if (args[0]) stage.imageRange = args[0].range;
  if (args.length === 3 && args[1]!.rawText.toLowerCase() === 'as') {
    stage.name = args[2]!.value;
    stage.nameRange = args[2]!.range;
  }
  return stage;
}

/** Groups instructions into stages; instructions before the first FROM (global ARGs) belong to none. */
export function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: Stage[] = [];
  let current: Stage | undefined;
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      current = openStage(instruction, stages.length);
      stages.push(current);
    } else if (current) {
      current.instructions.push(instruction);
      current.range = { start: current.from.range.start, end: instruction.range.end };
    }
  }
  return stages;
}

/** The stage `name` refers to (case-insensitive, as BuildKit compares stage names) among the first `before` stages, if any. */
export function stageNamed(stages: readonly Stage[], name: string, before = stages.length): Stage | undefined {
  const wanted = name.toLowerCase();
  const end = Math.min(before, stages.length);
  for (let i = 0; i < end; i++) {
    const s = stages[i]!;
    if (s.name !== undefined && s.name.toLowerCase() === wanted) return s;
  }
  return undefined;
}
