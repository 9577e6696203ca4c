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
    }
  }
  for (const stage of stages) {
    const last = stage.instructions[stage.instructions.length - 1];
    if (last) stage.range = { start: stage.from.range.start, end: last.range.end };
  }
  return stages;
}

/**
 * The first stage of each name, by lower-cased name: {@link stageNamed} for many lookups in one file
 * without a walk over the stages for each.
 */
export function stagesByName(stages: readonly Stage[]): Map<string, Stage> {
  const byName = new Map<string, Stage>();
  for (const s of stages) {
    if (s.name === undefined) continue;
    const key = s.name.toLowerCase();
    if (!byName.has(key)) byName.set(key, s);
  }
  return byName;
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
