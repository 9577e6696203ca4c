/**
 * From offsets in an instruction's `argsText` back to document ranges, across continuation lines, so
 * that a word, a key, or a `$variable` found in the joined arguments can be underlined where it was written.
 */
import type { Instruction } from './ast';
import { endPosition, lineRange, startPosition, type JoinedLine } from './joined-line';
import type { Position, Range } from './position';

function argsLine(instruction: Instruction): JoinedLine {
  return { text: instruction.argsText, segments: instruction.argsMap, base: instruction.argsRange.start };
}

/** The document range of `argsText[start, end)`. */
export function argsRange(instruction: Instruction, start: number, end: number): Range {
  return lineRange(argsLine(instruction), start, end);
}

/** The document position of the character at `offset` of `argsText` (its end when `offset` is the length). */
export function argsPosition(instruction: Instruction, offset: number): Position {
  const line = argsLine(instruction);
  return offset >= instruction.argsText.length ? endPosition(line, offset) : startPosition(line, offset);
}
