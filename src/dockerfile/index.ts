/**
 * The Dockerfile language, pure: the parser the builder and the language server share.
 * https://docs.docker.com/reference/dockerfile/
 */
export type {
  Arg,
  ArgsSegment,
  Comment,
  Directive,
  DockerfileAst,
  EscapeChar,
  Flag,
  Heredoc,
  Instruction,
  ParseProblem,
  ParseProblemCode,
  Stage,
} from './ast';
export type { Position, Range } from './position';
export { parse, type ParseOptions } from './parse';
export { argsPosition, argsRange } from './args-position';
export {
  expand,
  expandsVariables,
  unquote,
  variableReferences,
  EXPANDING_INSTRUCTIONS,
  type ExpandProblem,
  type ExpandProblemCode,
  type ExpandResult,
  type OffsetRange,
  type VariableReference,
} from './expand';
export { parseKeyValues, type KeyValue, type KeyValues } from './key-values';
export {
  argScope,
  globalArgValues,
  variablesAt,
  BUILTIN_ARGS,
  PREDEFINED_ARGS,
  type ArgScope,
  type StageScope,
  type VariableDefinition,
  type VisibleVariable,
} from './arg-scope';
export { stageNamed } from './stages';
export { HEREDOC_INSTRUCTIONS } from './heredoc';
