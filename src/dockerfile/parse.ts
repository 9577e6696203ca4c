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
  private readonly directiveReader = new DirectiveReader();
  private readonly ast: DockerfileAst = {
    directives: [],
    escapeChar: '\\',
    comments: [],
    instructions: [],
    stages: [],
    problems: [],
  };

  constructor(private readonly text: string) {
    this.index = lineIndex(text);
    if (text.charCodeAt(0) === 0xfeff) this.next = 1;
  }

  run(): DockerfileAst {
    for (let line = this.readLine(); line; line = this.readLine()) this.topLine(line);
    if (this.ast.instructions.length === 0) this.problem('no-instructions', 'file with no instructions', this.range(0, 0));
    this.ast.escapeChar = this.escape;
    this.ast.stages = stagesOf(this.ast.instructions);
    return this.ast;
  }

  private readLine(): PhysicalLine | undefined {
    const text = this.text;
    if (this.next >= text.length) return undefined;
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
    const builder = new JoinedLineBuilder(this.index, t);
    builder.add(t, cont ?? line.contentEnd);
    const empties: Range[] = [];
    const end = cont === undefined ? line.contentEnd : this.continuationLines(builder, empties, line.contentEnd);
    const joined = builder.build();
    const built = buildInstruction(joined, this.escape);
    this.ast.problems.push(...built.problems);
    const instruction = built.instruction;
    instruction.emptyContinuationLines = empties;
    const last = this.heredocs(instruction, joined) ?? end;
    const range = this.range(t, last);
    instruction.range = { start: sharedPosition(range.start, instruction.keywordRange.start), end: sharedPosition(range.end, instruction.argsRange.end) };
    this.ast.instructions.push(instruction);
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

/**
 * Parses a Dockerfile. Never throws, for any input: problems BuildKit would refuse the file for are
 * returned in `problems`, and parsing goes on after them.
 */
export function parse(text: string): DockerfileAst {
  const source = typeof text === 'string' ? text : String(text ?? '');
  try {
    return new Parser(source).run();
  } catch (error) {
    return failed(error);
  }
}
