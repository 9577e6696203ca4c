/**
 * The Dockerfile parser: BuildKit's reading of lines (directives, comments, continuations, empty
 * continuation lines, heredocs) with a range on every node. It never throws: what BuildKit would refuse
 * comes back in `problems`. https://docs.docker.com/reference/dockerfile/
 */
import type { Comment, DockerfileAst, EscapeChar, Instruction, ParseProblem, ParseProblemCode } from './ast';
import { skipGoSpace, trimGoSpaceEnd, utf8Length } from './chars';
import { continuationEnd } from './continuation';
import { DirectiveReader, isEscapeChar } from './directives';
import { chompHeredocContent, heredocMarkers, HEREDOC_INSTRUCTIONS, type HeredocMarker } from './heredoc';
import { buildInstruction } from './instruction';
import { JoinedLineBuilder, lineRange, type JoinedLine } from './joined-line';
import { lineIndex, rangeAt, sharedPosition, type LineIndex, type Range } from './position';
import { stagesOf } from './stages';

/** BuildKit reads lines with a 64 KiB buffer; a longer line fails the build. */
const MAX_LINE_BYTES = 65535;

/**
 * What one instruction was made from, so that a later parse of an edited text can take the instruction as
 * it is when none of its source changed: `span` characters from `start` (its first line's start, through the
 * `\n` after its last line, heredoc bodies included), the comments and problems found while reading it
 * (index ranges into the tree's lists), and the escape character it was read with.
 */
interface InstructionSource {
  start: number;
  span: number;
  instruction: Instruction;
  comments: readonly Comment[];
  problems: readonly ParseProblem[];
  escape: EscapeChar;
  /** It read to the end of the text wanting more (a continuation or a heredoc): more text would change it. */
  open: boolean;
}

/** How a parse was made: the text, its line count, and where each instruction came from. */
interface ParseRecord {
  text: string;
  lines: number;
  /** In document order: ascending `start`. */
  sources: InstructionSource[];
}

const records = new WeakMap<DockerfileAst, ParseRecord>();

/** The source that starts at `start`, found by bisection in sources sorted by start. */
function sourceAt(sources: readonly InstructionSource[], start: number): InstructionSource | undefined {
  let lo = 0;
  let hi = sources.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sources[mid]!.start;
    if (s === start) return sources[mid];
    if (s < start) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
const NONE: readonly never[] = Object.freeze([]);

/**
 * Where the previous text and the new one agree: the instructions of the old text that lie wholly in the
 * common prefix, or wholly in the common suffix when the line count did not change, are the same in both.
 */
class Reuse {
  private readonly prefix: number;
  private readonly suffixFrom: number;
  private readonly shift: number;

  constructor(private readonly old: ParseRecord, text: string, lines: number) {
    const a = old.text;
    const max = Math.min(a.length, text.length);
    let p = 0;
    while (p < max && a.charCodeAt(p) === text.charCodeAt(p)) p++;
    let q = 0;
    if (lines === old.lines) {
      while (q < max - p && a.charCodeAt(a.length - 1 - q) === text.charCodeAt(text.length - 1 - q)) q++;
    }
    this.prefix = p;
    this.suffixFrom = q > 0 ? text.length - q : Infinity;
    this.shift = text.length - a.length;
  }

  /** The old instruction that starts at `start` of the new text, unchanged, if there is one. */
  at(start: number, escape: EscapeChar): InstructionSource | undefined {
    if (start < this.prefix) {
      const known = sourceAt(this.old.sources, start);
      return known && known.escape === escape && !known.open && start + known.span <= this.prefix ? known : undefined;
    }
    // the `\n` before the line is in the suffix too, so the line's columns count from the same place
    if (start - 1 < this.suffixFrom) return undefined;
    const known = sourceAt(this.old.sources, start - this.shift);
    return known && known.escape === escape ? known : undefined;
  }
}

/** A line as split at `\n`: `[start, contentEnd)` is its text without trailing `\r`s. */
interface PhysicalLine {
  start: number;
  contentEnd: number;
}

class Parser {
  private readonly index: LineIndex;
  private next = 0;
  private escape: EscapeChar = '\\';
  private longLineReported = false;
  /** Set when a read found the end of the text. */
  private atEnd = false;
  private readonly directiveReader = new DirectiveReader();
  private readonly sources: InstructionSource[] = [];
  private readonly reuse?: Reuse;
  private readonly ast: DockerfileAst = {
    directives: [],
    escapeChar: '\\',
    comments: [],
    instructions: [],
    stages: [],
    problems: [],
  };

  constructor(private readonly text: string, previous?: ParseRecord) {
    this.index = lineIndex(text);
    if (text.charCodeAt(0) === 0xfeff) this.next = 1;
    if (previous) this.reuse = new Reuse(previous, text, this.index.lineStarts.length);
  }

  run(): DockerfileAst {
    for (let line = this.readLine(); line; line = this.readLine()) this.topLine(line);
    if (this.ast.instructions.length === 0) this.problem('no-instructions', 'file with no instructions', this.range(0, 0));
    this.ast.escapeChar = this.escape;
    this.ast.stages = stagesOf(this.ast.instructions);
    records.set(this.ast, { text: this.text, lines: this.index.lineStarts.length, sources: this.sources });
    return this.ast;
  }

  private readLine(): PhysicalLine | undefined {
    const text = this.text;
    if (this.next >= text.length) {
      this.atEnd = true;
      return undefined;
    }
    const start = this.next;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    this.next = end + 1;
    let contentEnd = end;
    while (contentEnd > start && text.charCodeAt(contentEnd - 1) === 13) contentEnd--;
    if (!this.longLineReported && end - start > MAX_LINE_BYTES / 3 && utf8Length(text, start, end) > MAX_LINE_BYTES) {
      this.longLineReported = true;
      const message = `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`;
      this.problem('line-too-long', message, this.range(start, contentEnd));
    }
    return { start, contentEnd };
  }

  private range(start: number, end: number): Range {
    return rangeAt(this.index, start, end);
  }

  private problem(code: ParseProblemCode, message: string, range: Range): void {
    this.ast.problems.push({ range, message, code });
  }

  private comment(from: number, to: number): void {
    const text = this.text;
    const a = skipGoSpace(text, from + 1, to);
    const c: Comment = { text: text.slice(a, trimGoSpaceEnd(text, a, to)), range: this.range(from, to) };
    this.ast.comments.push(c);
  }

  /** Reads a line that is not inside an instruction; returns true when it was a directive. */
  private directive(t: number, end: number): boolean {
    const read = this.directiveReader.read(this.text, t, end);
    if (read.kind === 'end') return false;
    const m = read.match;
    if (read.kind === 'duplicate') {
      this.problem('duplicate-directive', `only one ${m.name} parser directive can be used`, this.range(t, end));
      return true;
    }
    this.ast.directives.push({
      name: m.name,
      rawName: m.rawName,
      value: m.value,
      range: this.range(t, end),
      nameRange: this.range(m.nameStart, m.nameEnd),
      valueRange: this.range(m.valueStart, m.valueEnd),
    });
    if (m.name === 'escape') {
      if (isEscapeChar(m.value)) this.escape = m.value;
      else {
        const message = `invalid escape token '${m.value}' does not match \` or \\`;
        this.problem('invalid-escape-token', message, this.range(m.valueStart, m.valueEnd));
      }
    }
    return true;
  }

  private topLine(line: PhysicalLine): void {
    const text = this.text;
    const t = skipGoSpace(text, line.start, line.contentEnd);
    if (this.directive(t, line.contentEnd)) return;
    if (text.charCodeAt(t) === 35) return this.comment(t, line.contentEnd);
    const cont = continuationEnd(text, t, line.contentEnd, this.escape);
    if (cont === undefined && t === line.contentEnd) return;
    const known = this.reuse?.at(line.start, this.escape);
    if (known) return this.reused(line.start, known);
    const comments = this.ast.comments.length;
    const problems = this.ast.problems.length;
    this.atEnd = false;
    const builder = new JoinedLineBuilder(this.index, t);
    builder.add(t, cont ?? line.contentEnd);
    const empties: Range[] = [];
    const end = cont === undefined ? line.contentEnd : this.continuationLines(builder, empties, line.contentEnd);
    const joined = builder.build();
    const built = buildInstruction(joined, this.escape);
    this.ast.problems.push(...built.problems);
    const instruction = built.instruction;
    if (empties.length > 0) instruction.emptyContinuationLines = empties;
    const last = this.heredocs(instruction, joined) ?? end;
    const range = this.range(t, last);
    instruction.range = { start: sharedPosition(range.start, instruction.keywordRange.start), end: sharedPosition(range.end, instruction.argsRange.end) };
    this.ast.instructions.push(instruction);
    this.remember(line.start, instruction, comments, problems);
  }

  /** Notes where `instruction` came from, for the next parse; a source with a line too long to check is not kept. */
  private remember(start: number, instruction: Instruction, comments: number, problems: number): void {
    const span = this.next - start;
    if (span > MAX_LINE_BYTES / 3) return;
    this.sources.push({
      start,
      span,
      instruction,
      comments: this.ast.comments.length === comments ? NONE : this.ast.comments.slice(comments),
      problems: this.ast.problems.length === problems ? NONE : this.ast.problems.slice(problems),
      escape: this.escape,
      open: this.atEnd,
    });
  }

  /** Takes an instruction of the previous parse whose source is unchanged at `start`, with its comments and problems. */
  private reused(start: number, known: InstructionSource): void {
    this.next = start + known.span;
    for (const c of known.comments) this.ast.comments.push(c);
    for (const p of known.problems) this.ast.problems.push(p);
    this.ast.instructions.push(known.instruction);
    this.sources.push(known.start === start ? known : { ...known, start });
  }

  /** Reads continuation lines into `builder`; returns where the last line read ends. */
  private continuationLines(builder: JoinedLineBuilder, empties: Range[], end: number): number {
    const text = this.text;
    for (let line = this.readLine(); line; line = this.readLine()) {
      end = line.contentEnd;
      const t = skipGoSpace(text, line.start, line.contentEnd);
      if (text.charCodeAt(t) === 35) {
        this.comment(t, line.contentEnd);
        continue;
      }
      if (t === line.contentEnd) {
        empties.push(this.range(line.start, line.contentEnd));
        continue;
      }
      const cont = continuationEnd(text, line.start, line.contentEnd, this.escape);
      builder.add(line.start, cont ?? line.contentEnd);
      if (cont === undefined) break;
    }
    return end;
  }

  /** Reads the bodies of the instruction's heredocs; returns where the last line read ends, if any was. */
  private heredocs(instruction: Instruction, joined: JoinedLine): number | undefined {
    const target = instruction.keyword === 'ONBUILD' ? instruction.onbuild : instruction;
    if (!target || !HEREDOC_INSTRUCTIONS.has(target.keyword) || target.json) return undefined;
    const found = heredocMarkers(joined.text);
    for (const p of found.problems) this.problem('invalid-heredoc', p.message, lineRange(joined, p.start, p.end));
    let last: number | undefined;
    for (const marker of found.markers) last = this.heredocBody(instruction, joined, marker) ?? last;
    return last;
  }

  private heredocBody(instruction: Instruction, joined: JoinedLine, marker: HeredocMarker): number | undefined {
    const text = this.text;
    const bodyStart = Math.min(this.next, text.length);
    const markerRange = lineRange(joined, marker.start, marker.end);
    let contentEnd = bodyStart;
    let last: number | undefined;
    let terminatorRange: Range | undefined;
    for (let line = this.readLine(); line; line = this.readLine()) {
      let s = line.start;
      if (marker.chomp) while (s < line.contentEnd && text.charCodeAt(s) === 9) s++;
      last = line.contentEnd;
      if (line.contentEnd - s === marker.name.length && text.startsWith(marker.name, s)) {
        terminatorRange = this.range(s, line.contentEnd);
        break;
      }
      contentEnd = Math.min(this.next, text.length);
    }
    const rawContent = text.slice(bodyStart, contentEnd);
    instruction.heredocs.push({
      name: marker.name,
      quoted: marker.quoted,
      chomp: marker.chomp,
      fileDescriptor: marker.fileDescriptor,
      content: marker.chomp ? chompHeredocContent(rawContent) : rawContent,
      rawContent,
      markerRange,
      contentRange: this.range(bodyStart, contentEnd),
      ...(terminatorRange ? { terminatorRange } : {}),
    });
    if (!terminatorRange) this.problem('unterminated-heredoc', `unterminated heredoc ${marker.name}`, markerRange);
    return last;
  }
}

function failed(error: unknown): DockerfileAst {
  const at = { line: 0, character: 0 };
  const problem: ParseProblem = {
    range: { start: at, end: { ...at } },
    message: `internal error while parsing: ${error instanceof Error ? error.message : String(error)}`,
    code: 'internal-error',
  };
  return { directives: [], escapeChar: '\\', comments: [], instructions: [], stages: [], problems: [problem] };
}

/** How to parse. */
export interface ParseOptions {
  /**
   * The tree of an earlier version of the same document: instructions whose source did not change (the
   * common prefix, and the common suffix when the line count is the same) are taken from it as they are,
   * so that an edit re-reads only what it touched. The result is the same as a parse without it.
   */
  previous?: DockerfileAst;
}

/**
 * Parses a Dockerfile. Never throws, for any input: problems BuildKit would refuse the file for are
 * returned in `problems`, and parsing goes on after them. The tree is read-only: trees parsed with
 * `previous` share nodes with it.
 */
export function parse(text: string, options: ParseOptions = {}): DockerfileAst {
  const source = typeof text === 'string' ? text : String(text ?? '');
  try {
    const previous = options?.previous ? records.get(options.previous) : undefined;
    return new Parser(source, previous).run();
  } catch (error) {
    return failed(error);
  }
}
