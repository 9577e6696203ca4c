/**
 * Folding ranges of a Dockerfile: build stages, instructions that span lines, heredoc bodies and runs of
 * comment lines.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_foldingRange
 */
import type { DockerfileAst, Heredoc, Instruction } from '../ast';
import type { FoldingResult } from './types';

/** The last line of a heredoc: its terminator, or the last line of its body when the file ends first. */
function heredocEndLine(heredoc: Heredoc): number {
  if (heredoc.terminatorRange) return heredoc.terminatorRange.end.line;
  const end = heredoc.contentRange.end;
  return end.character === 0 && end.line > heredoc.contentRange.start.line ? end.line - 1 : end.line;
}

/** Each heredoc folds from the line before its body (its marker's line, or the previous terminator). */
function heredocFolds(instruction: Instruction): FoldingResult[] {
  return instruction.heredocs
    .filter((h) => h.contentRange.start.character === 0)
    .map((h) => ({ startLine: h.contentRange.start.line - 1, endLine: heredocEndLine(h) }));
}

function commentFolds(ast: DockerfileAst): FoldingResult[] {
  const folds: FoldingResult[] = [];
  let start = -1;
  let last = -2;
  const close = (): void => {
    if (start >= 0 && last > start) folds.push({ startLine: start, endLine: last, kind: 'comment' });
  };
  for (const c of ast.comments) {
    const line = c.range.start.line;
    if (line !== last + 1) {
      close();
      start = line;
    }
    last = line;
  }
  close();
  return folds;
}

/**
 * The folding ranges of a parsed Dockerfile, sorted by start line; where two would start on the same line
 * (a stage and its multi-line FROM, an instruction and its heredoc) the outer one is kept. `text` is the
 * document the AST was parsed from (unused: the AST's ranges say everything needed).
 */
export function foldingRanges(ast: DockerfileAst, _text: string): FoldingResult[] {
  const candidates: FoldingResult[] = [];
  for (const s of ast.stages) candidates.push({ startLine: s.range.start.line, endLine: s.range.end.line });
  for (const i of ast.instructions) {
    candidates.push({ startLine: i.range.start.line, endLine: i.range.end.line });
    candidates.push(...heredocFolds(i));
  }
  candidates.push(...commentFolds(ast));
  const byStart = new Map<number, FoldingResult>();
  for (const f of candidates) {
    if (f.endLine <= f.startLine || f.startLine < 0 || byStart.has(f.startLine)) continue;
    byStart.set(f.startLine, f);
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}
