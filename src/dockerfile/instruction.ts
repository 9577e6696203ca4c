/**
 * One logical line made into an instruction: keyword, flags, arguments (exec or shell form), with the
 * per-instruction argument rules of BuildKit's dispatch table (`parser.go`, `line_parsers.go`).
 * https://docs.docker.com/reference/dockerfile/#overview
 */
import type { Arg, EscapeChar, Flag, Instruction, ParseProblem } from './ast';
import { isGoSpace, isSplitSpace, skipGoSpace, trimGoSpaceEnd } from './chars';
import { unquote } from './expand';
import { extractFlags, sourceOf, type FlagWord } from './flags';
import { lineRange, sliceLine, type JoinedLine } from './joined-line';
import { parseJsonArray } from './json-array';
import { parseKeyValues } from './key-values';
import { sharedPosition, type Range } from './position';
import { splitAtWhitespace, splitQuotedWords, type WordSpan } from './words';

/** Instructions whose arguments may be a JSON array (exec form). */
const JSON_FORM = new Set(['ADD', 'COPY', 'VOLUME', 'RUN', 'CMD', 'ENTRYPOINT', 'SHELL']);
/** Instructions whose shell-form arguments split at any whitespace. */
const WHITESPACE_WORDS = new Set(['ADD', 'COPY', 'VOLUME', 'FROM', 'EXPOSE']);
/** ONBUILD inside ONBUILD is refused by BuildKit later; nesting deeper than this is not parsed. */
const MAX_ONBUILD_DEPTH = 8;

/** The empty list an instruction shares when it has no empty continuation lines (the tree is read-only). */
const NONE: never[] = Object.freeze([]) as never[];

/** An instruction and the problems found while making it. */
export interface BuiltInstruction {
  instruction: Instruction;
  problems: ParseProblem[];
}

function flagOf(line: JoinedLine, w: FlagWord): Flag {
  const eq = w.text.indexOf('=');
  const nameEnd = eq < 0 ? w.text.length : eq;
  const nameFrom = sourceOf(w, 2) ?? w.end;
  const nameTo = nameEnd > 2 ? sourceOf(w, nameEnd - 1)! + 1 : nameFrom;
  const flag: Flag = {
    name: w.text.slice(2, nameEnd),
    rawText: line.text.slice(w.start, w.end),
    range: lineRange(line, w.start, w.end),
    nameRange: lineRange(line, nameFrom, nameTo),
  };
  if (eq >= 0) {
    flag.value = w.text.slice(eq + 1);
    flag.valueRange = lineRange(line, sourceOf(w, eq)! + 1, w.end);
  }
  return flag;
}

interface ArgsForm {
  args: Arg[];
  json?: string[];
  jsonError?: string;
  problems: ParseProblem[];
}

function wordArgs(line: JoinedLine, words: WordSpan[], escape: EscapeChar, shift = 0): Arg[] {
  return words.map((w) => ({
    value: unquote(w.text, escape),
    rawText: w.text,
    range: lineRange(line, w.start + shift, w.end + shift),
    start: w.start + shift,
    end: w.end + shift,
  }));
}

/** Exec form when `text` is a JSON array of strings, else the shell form's words. */
function maybeJson(line: JoinedLine, text: string, shift: number, shellWords: () => Arg[]): ArgsForm {
  if (!text.startsWith('[')) return { args: shellWords(), problems: [] };
  const r = parseJsonArray(text);
  if (r.kind === 'strings') {
    const args = r.items.map((it) => ({
      value: it.value,
      rawText: text.slice(it.start, it.end),
      range: lineRange(line, it.start + shift, it.end + shift),
      start: it.start + shift,
      end: it.end + shift,
    }));
    return { args, json: r.items.map((it) => it.value), problems: [] };
  }
  const problems: ParseProblem[] = [];
  if (r.kind === 'not-strings') {
    problems.push({ range: lineRange(line, shift, shift + text.length), message: r.message, code: 'json-not-string-array' });
  }
  return { args: shellWords(), jsonError: r.message, problems };
}

function healthcheckArgs(args: JoinedLine, escape: EscapeChar): ArgsForm {
  const text = args.text;
  let sep = 0;
  while (sep < text.length && !isGoSpace(text.charCodeAt(sep))) sep++;
  if (sep === 0) return { args: [], problems: [] };
  const type = wordArgs(args, [{ text: text.slice(0, sep), start: 0, end: sep }], escape);
  const next = skipGoSpace(text, sep, text.length);
  const rest = text.slice(next);
  const form = maybeJson(args, rest, next, () => wordArgs(args, splitQuotedWords(rest, escape), escape, next));
  return { ...form, args: [...type, ...form.args] };
}

function argsOf(keyword: string, args: JoinedLine, escape: EscapeChar): ArgsForm {
  const text = args.text;
  const shellWords = (): Arg[] =>
    wordArgs(args, WHITESPACE_WORDS.has(keyword) ? splitAtWhitespace(text) : splitQuotedWords(text, escape), escape);
  if (keyword === 'HEALTHCHECK') return healthcheckArgs(args, escape);
  if (JSON_FORM.has(keyword)) return maybeJson(args, text, 0, shellWords);
  return { args: shellWords(), problems: [] };
}

/** The arguments' range, sharing its positions with the first word's start and the last word's end. */
function argsRangeSharing(range: Range, args: readonly Arg[]): Range {
  return { start: sharedPosition(range.start, args[0]?.range.start), end: sharedPosition(range.end, args[args.length - 1]?.range.end) };
}

/**
 * Makes the instruction of a logical line. The range covers the line's own text; the caller widens it
 * to the physical lines, heredocs included.
 */
export function buildInstruction(line: JoinedLine, escape: EscapeChar, depth = 0): BuiltInstruction {
  const text = line.text;
  const ts = skipGoSpace(text, 0, text.length);
  const te = trimGoSpaceEnd(text, ts, text.length);
  let ce = ts;
  while (ce < te && !isSplitSpace(text.charCodeAt(ce))) ce++;
  let rest = ce;
  while (rest < te && isSplitSpace(text.charCodeAt(rest))) rest++;
  const split = ce < te ? extractFlags(text, rest, te) : { flags: [], argsStart: te };
  const as = skipGoSpace(text, split.argsStart, te);
  const ae = trimGoSpaceEnd(text, as, te);
  const rawKeyword = text.slice(ts, ce);
  const keyword = rawKeyword.toUpperCase();
  const argsLine = sliceLine(line, as, ae);
  const form = argsOf(keyword, argsLine, escape);
  const argsRange = lineRange(line, as, ae);
  const keywordRange = lineRange(line, ts, ce);
  const instruction: Instruction = {
    keyword,
    rawKeyword,
    keywordRange,
    // a top-level instruction's range is set by the parser, which knows its physical lines
    range: depth > 0 ? lineRange(line, ts, te) : keywordRange,
    flags: split.flags.map((f) => flagOf(line, f)),
    args: form.args,
    argsText: argsLine.text,
    argsRange: argsRangeSharing(argsRange, form.args),
    argsMap: argsLine.segments,
    heredocs: [],
    emptyContinuationLines: NONE,
    text: text.slice(ts, te),
  };
  if (form.json) instruction.json = form.json;
  if (form.jsonError !== undefined) instruction.jsonError = form.jsonError;
  const problems = [...form.problems];
  if (keyword === 'ENV' || keyword === 'LABEL') problems.push(...parseKeyValues(instruction, escape).problems);
  if (keyword === 'ONBUILD' && argsLine.text.length > 0 && depth < MAX_ONBUILD_DEPTH) {
    const trigger = buildInstruction(argsLine, escape, depth + 1);
    instruction.onbuild = trigger.instruction;
    problems.push(...trigger.problems);
  }
  return { instruction, problems };
}
