/**
 * An instruction's lines joined into one string (BuildKit's logical line), remembering where each
 * character came from so that every word of it gets its document range.
 * https://docs.docker.com/reference/dockerfile/#format
 */
import type { ArgsSegment } from './ast';
import { positionAt, type LineIndex, type Position, type Range } from './position';

/** A joined line: its text, the runs it is made of, and the position to use when it is empty. */
export interface JoinedLine {
  text: string;
  /** Sorted by `at`; a run never crosses a document line (a lone `\r` ends one). */
  segments: ArgsSegment[];
  /** The position of an empty line (no segments); not used, and not computed, when there are segments. */
  base: Position;
}

/** The `base` of a line with segments, which nothing reads. */
const UNUSED_BASE: Position = Object.freeze({ line: 0, character: 0 });

/** Collects the pieces of a logical line. */
export class JoinedLineBuilder {
  private text = '';
  private readonly segments: ArgsSegment[] = [];

  constructor(
    private readonly index: LineIndex,
    private readonly baseOffset: number,
  ) {}

  /** Appends `source[from, to)`. */
  add(from: number, to: number): void {
    const source = this.index.text;
    let start = from;
    for (let i = from; i < to; i++) {
      if (source.charCodeAt(i) === 13) {
        this.push(start, i + 1);
        start = i + 1;
      }
    }
    this.push(start, to);
  }

  build(): JoinedLine {
    const base = this.segments.length === 0 ? positionAt(this.index, this.baseOffset) : UNUSED_BASE;
    return { text: this.text, segments: this.segments, base };
  }

  private push(from: number, to: number): void {
    if (to <= from) return;
    const p = positionAt(this.index, from);
    this.segments.push({ at: this.text.length, line: p.line, character: p.character });
    this.text += this.index.text.slice(from, to);
  }
}

function segmentOf(segments: readonly ArgsSegment[], i: number): ArgsSegment {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.at <= i) lo = mid;
    else hi = mid - 1;
  }
  return segments[lo]!;
}

/** The position of the character at offset `i` of the line (the end position when `i` is the length). */
export function startPosition(line: JoinedLine, i: number): Position {
  if (line.segments.length === 0) return { ...line.base };
  if (i >= line.text.length) return endPosition(line, line.text.length);
  const s = segmentOf(line.segments, Math.max(0, i));
  return { line: s.line, character: s.character + (Math.max(0, i) - s.at) };
}

/** The position just after the character at offset `i - 1`: the exclusive end of a range ending at `i`. */
export function endPosition(line: JoinedLine, i: number): Position {
  if (line.segments.length === 0) return { ...line.base };
  if (i <= 0) return startPosition(line, 0);
  const j = Math.min(i, line.text.length) - 1;
  const s = segmentOf(line.segments, j);
  if (line.text.charCodeAt(j) === 13) return { line: s.line + 1, character: 0 };
  return { line: s.line, character: s.character + (j - s.at) + 1 };
}

/** The document range of `[from, to)` of the line. */
export function lineRange(line: JoinedLine, from: number, to: number): Range {
  if (to <= from) {
    const p = from > 0 ? endPosition(line, from) : startPosition(line, 0);
    return { start: p, end: { ...p } };
  }
  return { start: startPosition(line, from), end: endPosition(line, to) };
}

/** The part `[from, to)` of the line, as a line of its own. */
export function sliceLine(line: JoinedLine, from: number, to: number): JoinedLine {
  const text = line.text.slice(from, to);
  const segments: ArgsSegment[] = [];
  if (to > from && line.segments.length > 0) {
    const first = segmentOf(line.segments, from);
    segments.push({ at: 0, line: first.line, character: first.character + (from - first.at) });
    for (const s of line.segments) {
      if (s.at > from && s.at < to) segments.push({ at: s.at - from, line: s.line, character: s.character });
    }
  }
  const base = segments.length > 0 ? UNUSED_BASE : from > 0 ? endPosition(line, from) : startPosition(line, 0);
  return { text, segments, base };
}
