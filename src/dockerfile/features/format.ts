/**
 * Formatting a Dockerfile: instruction keywords upper-cased, instructions and comments moved to the start
 * of their line, continuation lines indented by one unit, trailing blanks removed. Only the case of
 * keywords and blanks change, and blanks only where BuildKit reads the file the same way afterwards:
 * directives, heredoc bodies, quoted and JSON strings and the words of every argument stay as written.
 * https://docs.docker.com/reference/dockerfile/#format
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_formatting
 */
import type { DockerfileAst, EscapeChar, Instruction } from '../ast';
import { isGoSpace, isSplitSpace, skipGoSpace, trimGoSpaceEnd } from '../chars';
import { extractFlags } from '../flags';
import { continuationEnd } from '../continuation';
import { parseKeyValues } from '../key-values';
import { lineIndex, rangeAt, type LineIndex, type Position, type Range } from '../position';
import type { FormatOptions, TextEdit } from './types';

/**
 * Instructions whose words do not change when the blanks between two words change (BuildKit splits them
 * at whitespace, or the shell does). WORKDIR, USER, STOPSIGNAL, MAINTAINER and the legacy `ENV key value`
 * keep their blanks in the value, so their continuation lines are left where they are.
 */
const WORD_ARGS: ReadonlySet<string> = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'RUN',
  'SHELL',
  'VOLUME',
]);

/** The instructions of the Dockerfile reference; other words in keyword position keep their case. */
const KEYWORDS: ReadonlySet<string> = new Set([
  ...WORD_ARGS,
  'MAINTAINER',
  'ONBUILD',
  'STOPSIGNAL',
  'USER',
  'WORKDIR',
]);

/** A line as BuildKit splits the file (at `\n`); `[start, contentEnd)` is its text without trailing `\r`s. */
interface PhysicalLine {
  start: number;
  contentEnd: number;
}

interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

interface Formatter {
  text: string;
  escape: EscapeChar;
  /** The continuation indent; empty when none can be used. */
  indent: string;
  edits: OffsetEdit[];
}

function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let contentEnd = end;
    while (contentEnd > start && text.charCodeAt(contentEnd - 1) === 13) contentEnd--;
    lines.push({ start, contentEnd });
    start = end + 1;
  }
  return lines;
}

function offsetAt(index: LineIndex, p: Position): number {
  const start = index.lineStarts[p.line];
  return start === undefined ? index.text.length : Math.min(start + p.character, index.text.length);
}

/** The index of the line holding `offset`. */
function lineOf(lines: readonly PhysicalLine[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Blanks the parser skips at the start of a line (Go's spaces, but not line breaks). */
function skipBlank(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || !isGoSpace(c)) break;
    i++;
  }
  return i;
}

function skipSpaceTab(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

function replace(f: Formatter, start: number, end: number, newText: string): void {
  if (f.text.slice(start, end) !== newText) f.edits.push({ start, end, newText });
}

/**
 * Removes spaces and tabs at the end of `[from, to)`; the continuation check ignores them too. Not after
 * a lone `\r`: that `\r` would then end the line and be dropped, a change formatting again would find.
 */
function trimEnd(f: Formatter, from: number, to: number): void {
  let end = to;
  while (end > from && (f.text.charCodeAt(end - 1) === 32 || f.text.charCodeAt(end - 1) === 9)) end--;
  if (end > from && f.text.charCodeAt(end - 1) === 13) return;
  replace(f, end, to, '');
}

/**
 * Removes the blanks before `t` at the start of a line, unless that would bring a byte order mark to the
 * start of the file (the parser skips one only there).
 */
function trimStart(f: Formatter, line: PhysicalLine, t: number): void {
  if (line.start === 0 && f.text.charCodeAt(t) === 0xfeff) return;
  replace(f, line.start, t, '');
}

/** How a part of an instruction line is quoted, as the parser reads that part. */
interface QuoteRules {
  single: boolean;
  double: boolean;
  /** Escape characters outside quotes, in double quotes and in single quotes; -1 for none. */
  escape: number;
  escapeInDouble: number;
  escapeInSingle: number;
}

const PLAIN: QuoteRules = { single: false, double: false, escape: -1, escapeInDouble: -1, escapeInSingle: -1 };
/** JSON strings of the exec form. */
const JSON_ARRAY: QuoteRules = { single: false, double: true, escape: -1, escapeInDouble: 92, escapeInSingle: -1 };
/** `extractFlags`: both quotes, a backslash escaping everywhere whatever the escape directive says. */
const FLAGS: QuoteRules = { single: true, double: true, escape: 92, escapeInDouble: 92, escapeInSingle: 92 };

function shellRules(escape: EscapeChar): QuoteRules {
  const e = escape.charCodeAt(0);
  return { single: true, double: true, escape: e, escapeInDouble: e, escapeInSingle: -1 };
}

/**
 * For each offset of an instruction's joined line: whether it lies inside quotes or after an escape
 * character, and how many unquoted spaces and tabs come just before it. Where a continuation line joins
 * outside quotes with blanks on either side, the number of blanks does not change any word.
 */
class JoinStates {
  readonly open: Uint8Array;
  readonly blanks: Int32Array;
  private quote = 0;
  private escaped = false;
  private run = 0;

  constructor(private readonly text: string) {
    this.open = new Uint8Array(text.length + 1);
    this.blanks = new Int32Array(text.length + 1);
  }

  /** Reads `[from, to)` with `rules`, from outside any quote (each part is read on its own, as the parser does). */
  scan(from: number, to: number, rules: QuoteRules): void {
    this.quote = 0;
    this.escaped = false;
    for (let i = from; i < to; i++) {
      this.record(i);
      this.step(this.text.charCodeAt(i), rules);
    }
    this.record(to);
  }

  private record(i: number): void {
    this.open[i]! |= this.quote !== 0 || this.escaped ? 1 : 0;
    this.blanks[i] = this.run;
  }

  private step(c: number, r: QuoteRules): void {
    const blank = c === 32 || c === 9;
    if (this.escaped) this.escaped = false;
    else if (this.quote === 0) {
      if (blank) {
        this.run++;
        return;
      }
      if ((c === 34 && r.double) || (c === 39 && r.single)) this.quote = c;
      else if (c === r.escape) this.escaped = true;
    } else if (c === this.quote) this.quote = 0;
    else if (c === (this.quote === 34 ? r.escapeInDouble : r.escapeInSingle)) this.escaped = true;
    this.run = 0;
  }
}

/** Reads `text[from, to)` in the parts `buildInstruction` cuts it into: keyword, flags, arguments. */
function scanInstructionLine(states: JoinStates, text: string, from: number, to: number, instruction: Instruction, escape: EscapeChar): void {
  const ts = skipGoSpace(text, from, to);
  const te = trimGoSpaceEnd(text, ts, to);
  let ce = ts;
  while (ce < te && !isSplitSpace(text.charCodeAt(ce))) ce++;
  let rest = ce;
  while (rest < te && isSplitSpace(text.charCodeAt(rest))) rest++;
  const argsStart = ce < te ? extractFlags(text, rest, te).argsStart : te;
  const as = skipGoSpace(text, argsStart, te);
  states.scan(from, ce, PLAIN);
  states.scan(ce, argsStart, FLAGS);
  const args = instruction.json ? JSON_ARRAY : shellRules(escape);
  if (instruction.keyword === 'ONBUILD' && instruction.onbuild) {
    states.scan(argsStart, as, PLAIN);
    scanInstructionLine(states, text, as, te, instruction.onbuild, escape);
    states.scan(te, to, PLAIN);
  } else if (instruction.keyword === 'HEALTHCHECK') {
    let sep = as;
    while (sep < te && !isGoSpace(text.charCodeAt(sep))) sep++;
    states.scan(argsStart, sep, PLAIN);
    states.scan(sep, to, args);
  } else states.scan(argsStart, to, args);
}

/** Whether continuation lines of `instruction` may be re-indented (see WORD_ARGS). */
function mayReindent(instruction: Instruction, escape: EscapeChar): boolean {
  const target = instruction.keyword === 'ONBUILD' ? instruction.onbuild : instruction;
  if (!target || !WORD_ARGS.has(target.keyword)) return false;
  return !((target.keyword === 'ENV' || target.keyword === 'LABEL') && parseKeyValues(target, escape).legacy);
}

/** Upper-cases the keyword of the instruction and of its ONBUILD trigger, when they are instructions BuildKit knows. */
function upperCaseKeywords(f: Formatter, index: LineIndex, instruction: Instruction): void {
  for (let i: Instruction | undefined = instruction; i && KEYWORDS.has(i.keyword); i = i.onbuild) {
    const start = offsetAt(index, i.keywordRange.start);
    const end = offsetAt(index, i.keywordRange.end);
    const upper = i.rawKeyword.toUpperCase();
    if (upper.length === i.rawKeyword.length && f.text.slice(start, end) === i.rawKeyword) replace(f, start, end, upper);
  }
}

/**
 * Whether `[from, to)` ends in a backslash and blanks. On an instruction's last line the heredoc scanner
 * reads that backslash as escaping the blank (whatever the escape directive), so the blank can belong to
 * a heredoc's name.
 */
function endsInEscapedBlank(text: string, from: number, to: number): boolean {
  let end = to;
  while (end > from && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return end < to && end > from && text.charCodeAt(end - 1) === 92;
}

/** A continuation line that carries words: where it joins the line, and its leading spaces and tabs. */
interface Join {
  line: PhysicalLine;
  /** Offset in the joined line. */
  at: number;
  /** End of the leading blanks, in the document. */
  leadingEnd: number;
}

/**
 * The instruction's own lines (not its heredoc bodies): the first one moved to the start of the line,
 * continuation lines indented, comments and blank lines in between indented and emptied.
 */
function formatInstruction(f: Formatter, index: LineIndex, instruction: Instruction, lines: PhysicalLine[]): void {
  const text = f.text;
  upperCaseKeywords(f, index, instruction);
  let joined = '';
  const joins: Join[] = [];
  lines.forEach((line, n) => {
    const t = skipBlank(text, line.start, line.contentEnd);
    if (n < lines.length - 1 || !endsInEscapedBlank(text, t, line.contentEnd)) trimEnd(f, t, line.contentEnd);
    if (n === 0) {
      trimStart(f, line, t);
      joined += text.slice(t, continuationEnd(text, t, line.contentEnd, f.escape) ?? line.contentEnd);
    } else if (t === line.contentEnd) replace(f, line.start, line.contentEnd, '');
    else if (text.charCodeAt(t) === 35) {
      if (f.indent !== '') replace(f, line.start, t, f.indent);
    } else {
      const end = continuationEnd(text, line.start, line.contentEnd, f.escape) ?? line.contentEnd;
      const leadingEnd = skipSpaceTab(text, line.start, end);
      if (leadingEnd === t) joins.push({ line, at: joined.length, leadingEnd });
      joined += text.slice(line.start, end);
    }
  });
  if (joins.length === 0 || f.indent === '' || !mayReindent(instruction, f.escape)) return;
  const states = new JoinStates(joined);
  scanInstructionLine(states, joined, 0, joined.length, instruction, f.escape);
  for (const j of joins) {
    const leading = j.leadingEnd - j.line.start;
    if (states.open[j.at] === 0 && states.blanks[j.at]! + leading > 0) replace(f, j.line.start, j.leadingEnd, f.indent);
  }
}

/** A line outside every instruction: a comment or a blank line. */
function formatLooseLine(f: Formatter, line: PhysicalLine): void {
  const t = skipBlank(f.text, line.start, line.contentEnd);
  trimStart(f, line, t);
  trimEnd(f, t, line.contentEnd);
}

function indentUnit(options: FormatOptions): string {
  if (!options.insertSpaces) return '\t';
  return ' '.repeat(Math.max(0, Math.min(Math.floor(options.tabSize) || 0, 16)));
}

/**
 * The edits that format the whole Dockerfile `text` (`ast` is `parse(text)`), in document order and not
 * overlapping. Formatting formatted text gives no edits. Never throws.
 */
export function format(ast: DockerfileAst, text: string, options: FormatOptions): TextEdit[] {
  if (ast.problems.some((p) => p.code === 'internal-error')) return [];
  const index = lineIndex(text);
  const f: Formatter = { text, escape: ast.escapeChar, indent: indentUnit(options), edits: [] };
  const lines = physicalLines(text);
  const done = new Array<boolean>(lines.length).fill(false);
  if (lines.length === 0) return [];
  for (const d of ast.directives) done[lineOf(lines, offsetAt(index, d.range.start))] = true;
  for (const instruction of ast.instructions) {
    const first = lineOf(lines, offsetAt(index, instruction.range.start));
    const last = lineOf(lines, offsetAt(index, instruction.range.end));
    const body = instruction.heredocs[0];
    const bodyStart = body ? offsetAt(index, body.contentRange.start) : Infinity;
    const own: PhysicalLine[] = [];
    for (let i = first; i <= last; i++) {
      done[i] = true;
      if (i === first || lines[i]!.start < bodyStart) own.push(lines[i]!);
    }
    formatInstruction(f, index, instruction, own);
  }
  lines.forEach((line, i) => {
    if (!done[i]) formatLooseLine(f, line);
  });
  return f.edits
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((e) => ({ range: rangeAt(index, e.start, e.end), newText: e.newText }));
}

/**
 * The edits of `format` that begin on the lines `range` covers (a range ending at the start of a line
 * does not cover that line).
 */
export function formatRange(ast: DockerfileAst, text: string, range: Range, options: FormatOptions): TextEdit[] {
  const first = range.start.line;
  const last = range.end.character === 0 && range.end.line > first ? range.end.line - 1 : range.end.line;
  return format(ast, text, options).filter((e) => e.range.start.line >= first && e.range.start.line <= last);
}
