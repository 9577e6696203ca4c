/**
 * Positions and ranges as the Language Server Protocol counts them, and the table that turns an
 * offset in a document into one.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#position
 */

/** A place in a document: 0-based line, 0-based offset in UTF-16 code units within that line (LSP). */
export interface Position {
  line: number;
  character: number;
}

/** A span of a document, `end` exclusive (LSP). */
export interface Range {
  start: Position;
  end: Position;
}

/**
 * Where each line of a text starts. Lines end at `\r\n`, `\n` or a lone `\r`, as LSP clients count
 * them (BuildKit splits only at `\n`; the parser follows BuildKit for meaning and LSP for positions).
 */
export interface LineIndex {
  readonly text: string;
  /** Offset of the first character of each line; `lineStarts[0]` is 0. */
  readonly lineStarts: readonly number[];
}

/** Builds the line table of `text` in one pass. */
export function lineIndex(text: string): LineIndex {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lineStarts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      lineStarts.push(i + 1);
    }
  }
  return { text, lineStarts };
}

/** The length of line `line`, without its line break. */
export function lineLength(index: LineIndex, line: number): number {
  const start = index.lineStarts[line] ?? index.text.length;
  let end = index.lineStarts[line + 1] ?? index.text.length;
  if (end > start && index.text.charCodeAt(end - 1) === 10) end--;
  if (end > start && index.text.charCodeAt(end - 1) === 13) end--;
  return end - start;
}

/** The position of `offset` (clamped to the text; an offset inside a line break maps to the line's end). */
export function positionAt(index: LineIndex, offset: number): Position {
  const starts = index.lineStarts;
  const at = Math.max(0, Math.min(offset, index.text.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: Math.min(at - starts[lo]!, lineLength(index, lo)) };
}

/** The range from offset `start` to offset `end`. */
export function rangeAt(index: LineIndex, start: number, end: number): Range {
  return { start: positionAt(index, start), end: positionAt(index, end) };
}

/**
 * `p`, or `same` when it is the same place. The parser lets ranges that meet share a position object
 * this way (a tree of a large file holds fewer objects); positions in a tree are never changed in place.
 */
export function sharedPosition(p: Position, same: Position | undefined): Position {
  return same !== undefined && same.line === p.line && same.character === p.character ? same : p;
}

/** Whether `a` comes before `b`, or is the same place. */
export function isBeforeOrEqual(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}
