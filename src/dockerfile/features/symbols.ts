/**
 * The outline of a Dockerfile: parser directives and global ARGs at the top, then one symbol per build
 * stage with its instructions inside.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_documentSymbol
 * https://docs.docker.com/build/building/multi-stage/
 */
import type { Directive, DockerfileAst, Instruction, Stage } from '../ast';
import { SymbolKind, type SymbolResult } from './types';

/** The longest detail shown for an instruction; longer arguments end in `…`. */
const MAX_DETAIL = 60;

const KINDS: Readonly<Record<string, number>> = {
  ARG: SymbolKind.Variable,
  ENV: SymbolKind.Variable,
  LABEL: SymbolKind.Property,
  EXPOSE: SymbolKind.Constant,
  STOPSIGNAL: SymbolKind.Constant,
  RUN: SymbolKind.Function,
  CMD: SymbolKind.Method,
  ENTRYPOINT: SymbolKind.Method,
  HEALTHCHECK: SymbolKind.Method,
  SHELL: SymbolKind.Method,
  ONBUILD: SymbolKind.Event,
};

/** The flags and arguments of an instruction on one short line. */
function shortArgs(instruction: Instruction): string {
  const words = [...instruction.flags.map((f) => f.rawText), instruction.argsText].join(' ');
  const line = words.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DETAIL ? line.slice(0, MAX_DETAIL - 1).trimEnd() + '…' : line;
}

function instructionSymbol(instruction: Instruction): SymbolResult {
  const symbol: SymbolResult = {
    name: instruction.keyword || instruction.rawKeyword || '?',
    kind: KINDS[instruction.keyword] ?? SymbolKind.Field,
    range: instruction.range,
    selectionRange: instruction.keywordRange,
  };
  const detail = shortArgs(instruction);
  if (detail !== '') symbol.detail = detail;
  return symbol;
}

function directiveSymbol(directive: Directive): SymbolResult {
  return { name: directive.name, detail: directive.value, kind: SymbolKind.Key, range: directive.range, selectionRange: directive.nameRange };
}

function stageSymbol(stage: Stage): SymbolResult {
  return {
    name: stage.name || `stage ${stage.index}`,
    detail: stage.image,
    kind: SymbolKind.Class,
    range: stage.range,
    selectionRange: stage.nameRange ?? stage.imageRange ?? stage.from.keywordRange,
    children: stage.instructions.map(instructionSymbol),
  };
}

/**
 * The document symbols of a parsed Dockerfile: directives, the instructions before the first FROM (global
 * ARGs), and each stage (named by `AS name`, else `stage N`; detail: its base) holding its instructions.
 */
export function documentSymbols(ast: DockerfileAst): SymbolResult[] {
  const firstFrom = ast.stages[0]?.from;
  const globals: SymbolResult[] = [];
  for (const instruction of ast.instructions) {
    if (instruction === firstFrom) break;
    globals.push(instructionSymbol(instruction));
  }
  return [...ast.directives.map(directiveSymbol), ...globals, ...ast.stages.map(stageSymbol)];
}
