/**
 * Where problems are underlined and where quick fixes edit: an instruction's head (keyword, flags and
 * arguments, without heredoc bodies), whole lines, and the indentation of a line.
 */
import type { Instruction } from '../ast';
import { lineIndex, lineLength, type LineIndex, type Position, type Range } from '../position';
import type { LintContext } from './types';

function after(a: Position, b: Position): boolean {
  return a.line > b.line || (a.line === b.line && a.character > b.character);
}

/** From the keyword to the end of the arguments: the instruction as written, heredoc bodies left out. */
export function headRange(instruction: Instruction): Range {
  let end = instruction.keywordRange.end;
  const last = instruction.flags[instruction.flags.length - 1];
  if (last && after(last.range.end, end)) end = last.range.end;
  if (after(instruction.argsRange.end, end)) end = instruction.argsRange.end;
  return { start: instruction.keywordRange.start, end };
}

const indexes = new WeakMap<LintContext, LineIndex>();

function indexOf(ctx: LintContext): LineIndex {
  let index = indexes.get(ctx);
  if (!index) {
    index = lineIndex(ctx.text);
    indexes.set(ctx, index);
  }
  return index;
}

/**
 * The range that deletes lines `first` to `last` with their line break; for the last lines of the
 * text, the line break before them instead (so the range stays inside the document).
 */
export function linesDeletion(ctx: LintContext, first: number, last = first): Range {
  const index = indexOf(ctx);
  const lastLine = index.lineStarts.length - 1;
  if (last < lastLine) return { start: { line: first, character: 0 }, end: { line: last + 1, character: 0 } };
  const end = { line: lastLine, character: lineLength(index, lastLine) };
  if (first === 0) return { start: { line: 0, character: 0 }, end };
  return { start: { line: first - 1, character: lineLength(index, first - 1) }, end };
}

/** The whitespace that starts line `line` of the linted text. */
export function indentOf(ctx: LintContext, line: number): string {
  const index = indexOf(ctx);
  const start = index.lineStarts[line];
  if (start === undefined) return '';
  let end = start;
  while (end < ctx.text.length && (ctx.text[end] === ' ' || ctx.text[end] === '\t')) end++;
  return ctx.text.slice(start, end);
}
