/**
 * Go to definition in a Dockerfile: from a stage reference (`FROM <stage>`, `COPY --from=<stage>`,
 * `RUN --mount=from=<stage>`) to the stage's `AS name`, and from a `$VAR` or `${VAR}` to the ARG or ENV
 * that defines it where it is used.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_definition
 * https://docs.docker.com/reference/dockerfile/#scope
 */
import { argScope, variablesAt, type ArgScope } from '../arg-scope';
import { argsRange } from '../args-position';
import type { DockerfileAst, Flag, Instruction, Stage } from '../ast';
import { variableReferences } from '../expand';
import { isBeforeOrEqual, lineIndex, rangeAt, type LineIndex, type Position, type Range } from '../position';
import { stageNamed } from '../stages';
import type { LocationResult } from './types';

/** Instructions whose `$VAR`s are expanded in the running container, where only ENV is set. */
const RUNTIME_ONLY: ReadonlySet<string> = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

function contains(range: Range, p: Position): boolean {
  return isBeforeOrEqual(range.start, p) && isBeforeOrEqual(p, range.end);
}

function offsetAt(index: LineIndex, p: Position): number {
  const start = index.lineStarts[p.line];
  return start === undefined ? index.text.length : Math.min(start + p.character, index.text.length);
}

/** A stage by name (case-insensitive) or, for `--from`, by index. */
function stageByReference(stages: readonly Stage[], ref: string, byIndex: boolean): Stage | undefined {
  const named = stageNamed(stages, ref);
  if (named || !byIndex || !/^\d+$/.test(ref)) return named;
  return stages[Number(ref)];
}

function stageLocation(stage: Stage | undefined): LocationResult[] | undefined {
  return stage ? [{ range: stage.nameRange ?? stage.from.range }] : undefined;
}

/** The `from=` value of a `--mount` flag under `p` (any `from=` when the flag spans lines). */
function mountSource(flag: Flag, p: Position): string | undefined {
  const raw = flag.rawText;
  const oneLine = flag.range.start.line === flag.range.end.line;
  const column = p.character - flag.range.start.character;
  let start = raw.indexOf('=') + 1;
  if (start === 0) return undefined;
  while (start <= raw.length) {
    let end = raw.indexOf(',', start);
    if (end < 0) end = raw.length;
    const field = raw.slice(start, end).replace(/["']/g, '');
    const eq = field.indexOf('=');
    const under = !oneLine || (column >= start && column <= end);
    if (under && eq > 0 && field.slice(0, eq).trim().toLowerCase() === 'from') return field.slice(eq + 1).trim();
    start = end + 1;
  }
  return undefined;
}

function stageReference(ast: DockerfileAst, instruction: Instruction, p: Position): LocationResult[] | undefined {
  if (instruction.keyword === 'FROM') {
    const stage = ast.stages.find((s) => s.from === instruction);
    if (!stage?.imageRange || !contains(stage.imageRange, p)) return undefined;
    return stageLocation(stageNamed(ast.stages, stage.image, stage.index));
  }
  for (const flag of instruction.flags) {
    if (!flag.valueRange || flag.value === undefined || !contains(flag.valueRange, p)) continue;
    if (flag.name === 'from' && (instruction.keyword === 'COPY' || instruction.keyword === 'ADD')) {
      return stageLocation(stageByReference(ast.stages, flag.value, true));
    }
    if (flag.name === 'mount' && instruction.keyword === 'RUN') {
      const source = mountSource(flag, p);
      if (source !== undefined) return stageLocation(stageByReference(ast.stages, source, true));
    }
  }
  return undefined;
}

/** The name of the variable whose `$` expression is under `p`, in an argument, a flag or a heredoc body. */
function variableNameAt(ast: DockerfileAst, index: LineIndex, instruction: Instruction, p: Position): string | undefined {
  const escape = ast.escapeChar;
  if (!instruction.json) {
    for (const arg of instruction.args) {
      if (!contains(arg.range, p)) continue;
      for (const ref of variableReferences(arg.rawText, escape)) {
        if (contains(argsRange(instruction, arg.start + ref.range.start, arg.start + ref.range.end), p)) return ref.name;
      }
    }
  }
  for (const flag of instruction.flags) {
    if (flag.range.start.line !== flag.range.end.line || !contains(flag.range, p)) continue;
    const column = p.character - flag.range.start.character;
    const ref = variableReferences(flag.rawText, escape).find((r) => column >= r.range.start && column <= r.range.end);
    if (ref) return ref.name;
  }
  for (const heredoc of instruction.heredocs) {
    if (!contains(heredoc.contentRange, p) || (heredoc.quoted && instruction.keyword !== 'RUN')) continue;
    const base = offsetAt(index, heredoc.contentRange.start);
    for (const ref of variableReferences(heredoc.rawContent, escape)) {
      if (contains(rangeAt(index, base + ref.range.start, base + ref.range.end), p)) return ref.name;
    }
  }
  return undefined;
}

/** On the name of `ARG name` (no default) in a stage: the global ARG whose default it takes. */
function redeclaredGlobal(scope: ArgScope, instruction: Instruction, p: Position): LocationResult[] | undefined {
  if (instruction.keyword !== 'ARG') return undefined;
  for (const stage of scope.stages) {
    const d = stage.definitions.find((v) => v.instruction === instruction && contains(v.range, p));
    if (!d) continue;
    if (d.rawValue !== undefined) return undefined;
    const global = scope.global.filter((g) => g.name === d.name).pop();
    return global ? [{ range: global.range }] : undefined;
  }
  return undefined;
}

function variableDefinition(ast: DockerfileAst, text: string, instruction: Instruction, p: Position): LocationResult[] {
  if (instruction.keyword === 'ONBUILD') return [];
  const scope = argScope(ast);
  const redeclared = redeclaredGlobal(scope, instruction, p);
  if (redeclared) return redeclared;
  const name = variableNameAt(ast, lineIndex(text), instruction, p);
  if (name === undefined) return [];
  const visible = variablesAt(scope, instruction).get(name);
  if (!visible?.definition) return [];
  if (RUNTIME_ONLY.has(instruction.keyword) && visible.kind !== 'env') return [];
  return [{ range: visible.definition.range }];
}

/**
 * Where the thing under `position` is defined in the Dockerfile `text` (`ast` is `parse(text)`): a
 * stage's `AS name` (its FROM when it has no name and is referred to by index), or the name in the ARG
 * or ENV that defines the variable as seen at that instruction. Empty when there is nothing to go to.
 */
export function definition(ast: DockerfileAst, text: string, position: Position): LocationResult[] {
  const instruction = ast.instructions.find((i) => contains(i.range, position));
  if (!instruction) return [];
  return stageReference(ast, instruction, position) ?? variableDefinition(ast, text, instruction, position);
}
