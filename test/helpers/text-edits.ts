// Applying LSP text edits (fixes, formatting) to a text in tests, as an editor would.
import { lineIndex } from '../../src/dockerfile/position';
import type { Fix, TextEdit } from '../../src/dockerfile/lint/types';

interface Position {
  line: number;
  character: number;
}

/** The offset of an LSP position in `text` (lines end at \r\n, \n or \r). */
export function offsetOf(text: string, p: Position): number {
  return (lineIndex(text).lineStarts[p.line] ?? text.length) + p.character;
}

/** `text` with non-overlapping `edits` applied (in any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits
    .map((e) => ({ start: offsetOf(text, e.range.start), end: offsetOf(text, e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** `text` with a quick fix applied. */
export function applyFix(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits);
}
