/**
 * The parse tree of a Dockerfile: plain data, every node with its range, shared by the builder and the
 * language server. Treat it as read-only: ranges that begin or end at the same place may share their
 * position objects. https://docs.docker.com/reference/dockerfile/
 */
import type { Range } from './position';

/** The two escape characters a Dockerfile may choose. https://docs.docker.com/reference/dockerfile/#escape */
export type EscapeChar = '\\' | '`';

/**
 * A parser directive (`# syntax=...`, `# escape=...`, `# check=...`), only at the top of the file before
 * any instruction, comment or empty line. https://docs.docker.com/reference/dockerfile/#parser-directives
 */
export interface Directive {
  /** Lower-cased: `syntax`, `escape` or `check`. */
  name: 'syntax' | 'escape' | 'check';
  /** The name as written. */
  rawName: string;
  value: string;
  range: Range;
  nameRange: Range;
  valueRange: Range;
}

/** A comment line (`#` first on the line). Comments inside a continued instruction are kept here too. */
export interface Comment {
  /** The text after `#`, trimmed. */
  text: string;
  /** From `#` to the end of the line. */
  range: Range;
}

/** A `--name=value` or `--name` flag before an instruction's arguments (quotes removed, as BuildKit). */
export interface Flag {
  name: string;
  /** Absent for `--name` without `=`. */
  value?: string;
  /** The flag as written, quotes and all. */
  rawText: string;
  range: Range;
  nameRange: Range;
  valueRange?: Range;
}

/**
 * An argument word. Which words an instruction has follows BuildKit: exec form gives the JSON strings;
 * FROM, EXPOSE and the shell form of ADD, COPY and VOLUME split at whitespace only; the others split at
 * whitespace outside quotes.
 */
export interface Arg {
  /** Quotes and escapes removed; `$variables` left as written (see `expand`). */
  value: string;
  /** The word as the parser keeps it (quotes and escapes in place; a JSON string literal as written). */
  rawText: string;
  range: Range;
  /** Where the word lies in `Instruction.argsText`, `[start, end)`. */
  start: number;
  end: number;
}

/** A here-document of RUN, COPY or ADD. https://docs.docker.com/reference/dockerfile/#here-documents */
export interface Heredoc {
  name: string;
  /** Some part of the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no expansion of the content. */
  quoted: boolean;
  /** `<<-`: leading tabs are stripped from the content and the terminator. */
  chomp: boolean;
  /** The `3` of `3<<EOF`; 0 when absent. */
  fileDescriptor: number;
  /** The body, leading tabs stripped when `chomp`. */
  content: string;
  /** The body exactly as written. */
  rawContent: string;
  /** `<<EOF` in the instruction line. */
  markerRange: Range;
  contentRange: Range;
  /** Absent when the file ends before the terminator. */
  terminatorRange?: Range;
}

/** Where a run of `argsText` begins in the document; characters within a run are consecutive. */
export interface ArgsSegment {
  /** Offset in `argsText`. */
  at: number;
  line: number;
  character: number;
}

/** One instruction, continuation lines joined as BuildKit joins them. */
export interface Instruction {
  /** Upper-cased keyword, e.g. `RUN`. */
  keyword: string;
  /** The keyword as written, for casing checks. */
  rawKeyword: string;
  keywordRange: Range;
  /** The whole instruction: continuation lines, comments and empty lines inside it, heredoc bodies. */
  range: Range;
  flags: Flag[];
  args: Arg[];
  /** The arguments after the flags as one string, continuations removed. */
  argsText: string;
  argsRange: Range;
  /** Maps offsets of `argsText` to document positions (see `argsRange` in args-position.ts). */
  argsMap: ArgsSegment[];
  /** The exec form's strings, when the arguments are a JSON array of strings. */
  json?: string[];
  /** Why arguments that start with `[` are not JSON; BuildKit then takes the shell form. */
  jsonError?: string;
  /** The here-documents, in order (for an ONBUILD, those of its trigger). */
  heredocs: Heredoc[];
  /** Lines of only whitespace inside the continuation. https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/ */
  emptyContinuationLines: Range[];
  /** The trigger instruction of an ONBUILD. */
  onbuild?: Instruction;
  /** The instruction as one line, as BuildKit joins it (its `Node.Original`). */
  text: string;
}

/** A build stage: a FROM and the instructions up to the next FROM. https://docs.docker.com/reference/dockerfile/#from */
export interface Stage {
  /** 0-based position among the stages. */
  index: number;
  /** The name after `AS`, as written (BuildKit compares names case-insensitively). */
  name?: string;
  nameRange?: Range;
  /** The base image or stage as written, quotes removed, not expanded. */
  image: string;
  imageRange?: Range;
  from: Instruction;
  /** The instructions after FROM. */
  instructions: Instruction[];
  range: Range;
}

/** Stable codes of the problems the parser reports. */
export type ParseProblemCode =
  | 'invalid-escape-token'
  | 'duplicate-directive'
  | 'unterminated-heredoc'
  | 'invalid-heredoc'
  | 'json-not-string-array'
  | 'missing-value'
  | 'missing-equals'
  | 'line-too-long'
  | 'no-instructions'
  | 'internal-error';

/** Something the parser found wrong; BuildKit refuses the file for each of these. Data, never thrown. */
export interface ParseProblem {
  range: Range;
  message: string;
  code: ParseProblemCode;
}

/** The result of `parse`. */
export interface DockerfileAst {
  directives: Directive[];
  escapeChar: EscapeChar;
  comments: Comment[];
  instructions: Instruction[];
  stages: Stage[];
  problems: ParseProblem[];
}
