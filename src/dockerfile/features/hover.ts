/**
 * Hover in a Dockerfile: the reference text of an instruction, a flag or a parser directive; what the
 * store knows of a FROM image; which stage a stage name is; where a `$VAR` is defined. Pure over the
 * parsed file (the server passes the AST it already has); the store is reached only through
 * `options.images`. https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_hover
 */
import { argScope, globalArgValues, variablesAt, BUILTIN_ARGS, PREDEFINED_ARGS, type ArgScope, type VisibleVariable } from '../arg-scope';
import { argsRange } from '../args-position';
import type { DockerfileAst, Flag, Heredoc, Instruction, Stage } from '../ast';
import * as docs from '../docs';
import { expand, expandsVariables, variableReferences } from '../expand';
import { isBeforeOrEqual, lineIndex, rangeAt, type Position, type Range } from '../position';
import { stageNamed } from '../stages';
import type { FeatureOptions, HoverResult, ImageSource, Locale } from './types';

/** Instructions whose `$VAR`s the running container's shell expands, where only ENV is set. */
const RUNTIME_ONLY: ReadonlySet<string> = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

interface HoverContext {
  ast: DockerfileAst;
  text: string;
  position: Position;
  locale: Locale;
  images: ImageSource | undefined;
}

const scopes = new WeakMap<DockerfileAst, ArgScope>();

/** The ARG/ENV scopes of `ast`, computed once per parse and shared by hover and completion. */
export function scopeOf(ast: DockerfileAst): ArgScope {
  let scope = scopes.get(ast);
  if (!scope) {
    scope = argScope(ast);
    scopes.set(ast, scope);
  }
  return scope;
}

/** Whether `p` is on a character of `range` (`end` excluded: a hover is about the character under the mouse). */
function on(range: Range, p: Position): boolean {
  return isBeforeOrEqual(range.start, p) && !isBeforeOrEqual(range.end, p);
}

/** The instruction whose range holds `p` (instructions are in document order and do not overlap). */
export function instructionAt(instructions: readonly Instruction[], p: Position): Instruction | undefined {
  let lo = 0;
  let hi = instructions.length - 1;
  let found: Instruction | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (isBeforeOrEqual(instructions[mid]!.range.start, p)) {
      found = instructions[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && isBeforeOrEqual(p, found.range.end) ? found : undefined;
}

/** The stage an instruction belongs to (none before the first FROM). */
export function stageOf(stages: readonly Stage[], instruction: Instruction): Stage | undefined {
  let found: Stage | undefined;
  for (const s of stages) {
    if (isBeforeOrEqual(s.from.range.start, instruction.range.start)) found = s;
    else break;
  }
  return found;
}

/** A stage named by `ref` among `earlier`: by name, or by index when `byIndex` (as `--from=0`). */
function stageReferenced(earlier: readonly Stage[], ref: string, byIndex: boolean): Stage | undefined {
  const named = stageNamed(earlier, ref);
  if (named || !byIndex || !/^\d+$/.test(ref)) return named;
  return earlier[Number(ref)];
}

function stageHover(ctx: HoverContext, stage: Stage, range: Range): HoverResult {
  const image = expandedImage(ctx, stage) ?? stage.image;
  const base = stageNamed(ctx.ast.stages, image, stage.index);
  return { markdown: docs.stageMarkdown(stage, base, ctx.locale, image), range };
}

/** The FROM image with the global ARGs' defaults substituted. */
function expandedImage(ctx: HoverContext, stage: Stage): string | undefined {
  const raw = stage.from.args[0]?.rawText;
  if (raw === undefined) return undefined;
  if (!raw.includes('$')) return stage.image;
  const values = globalArgValues(scopeOf(ctx.ast));
  return expand(raw, (name) => values.get(name), ctx.ast.escapeChar).value;
}

async function imageHover(ctx: HoverContext, reference: string, written: string, range: Range): Promise<HoverResult | undefined> {
  if (reference === '') return undefined;
  if (reference.toLowerCase() === 'scratch') return { markdown: docs.scratchMarkdown(ctx.locale), range };
  if (!ctx.images) return undefined;
  let facts;
  try {
    facts = await ctx.images.lookup(reference);
  } catch {
    return undefined;
  }
  return { markdown: docs.imageMarkdown(reference, written, facts, ctx.locale), range };
}

async function fromHover(ctx: HoverContext, from: Instruction): Promise<HoverResult | undefined> {
  const stage = ctx.ast.stages.find((s) => s.from === from);
  if (!stage) return undefined;
  if (stage.nameRange && on(stage.nameRange, ctx.position)) return stageHover(ctx, stage, stage.nameRange);
  if (!stage.imageRange || !on(stage.imageRange, ctx.position)) return undefined;
  const image = expandedImage(ctx, stage) ?? stage.image;
  const base = stageNamed(ctx.ast.stages, image, stage.index);
  if (base) return stageHover(ctx, base, stage.imageRange);
  return imageHover(ctx, image, stage.image, stage.imageRange);
}

/** Text about `name` as `instruction` sees it, or undefined when nothing useful is known. */
function describeVariable(ctx: HoverContext, instruction: Instruction, name: string): string | undefined {
  const scope = scopeOf(ctx.ast);
  const visible = variablesAt(scope, instruction).get(name);
  if (visible && (visible.kind === 'env' || !RUNTIME_ONLY.has(instruction.keyword))) return docs.variableMarkdown(visible, ctx.locale);
  if (RUNTIME_ONLY.has(instruction.keyword)) return undefined;
  if (instruction.keyword === 'RUN' && PREDEFINED_ARGS.includes(name)) return docs.proxyVariableMarkdown(name, ctx.locale);
  const global = scope.global.filter((g) => g.name === name).pop();
  if (instruction.keyword !== 'FROM' && (global || BUILTIN_ARGS.includes(name))) {
    return docs.undeclaredInStageMarkdown(name, global, ctx.locale);
  }
  return expandsVariables(instruction.keyword) ? docs.undefinedVariableMarkdown(name, ctx.locale) : undefined;
}

function variableHover(ctx: HoverContext, instruction: Instruction, name: string, range: Range): HoverResult | undefined {
  const markdown = describeVariable(ctx, instruction, name);
  return markdown === undefined ? undefined : { markdown, range };
}

/** A `$VAR` in the arguments; exec-form RUN, CMD, ENTRYPOINT have no shell, so no variables. */
function argsVariableHover(ctx: HoverContext, instruction: Instruction): HoverResult | undefined {
  if (instruction.json && !expandsVariables(instruction.keyword)) return undefined;
  for (const arg of instruction.args) {
    if (!on(arg.range, ctx.position)) continue;
    for (const ref of variableReferences(arg.rawText, ctx.ast.escapeChar)) {
      const range = argsRange(instruction, arg.start + ref.range.start, arg.start + ref.range.end);
      if (on(range, ctx.position)) return variableHover(ctx, instruction, ref.name, range);
    }
  }
  return undefined;
}

/** On a name an ARG or ENV defines: the variable as this definition makes it. */
function definitionHover(ctx: HoverContext, instruction: Instruction): HoverResult | undefined {
  if (instruction.keyword !== 'ARG' && instruction.keyword !== 'ENV') return undefined;
  const scope = scopeOf(ctx.ast);
  const stage = stageOf(ctx.ast.stages, instruction);
  const definitions = stage ? scope.stages[stage.index]?.definitions ?? [] : scope.global;
  const d = definitions.find((v) => v.instruction === instruction && on(v.range, ctx.position));
  if (!d) return undefined;
  const variable: VisibleVariable = { name: d.name, kind: d.kind, definition: d };
  const global = d.kind === 'arg' && d.rawValue === undefined && stage ? scope.global.filter((g) => g.name === d.name).pop() : undefined;
  if (global) variable.globalDefault = global;
  return { markdown: docs.variableMarkdown(variable, ctx.locale), range: d.range };
}

/** The document range of `flag.rawText[start, end)`, for a flag written on one line. */
function flagTextRange(flag: Flag, start: number, end: number): Range | undefined {
  if (flag.range.start.line !== flag.range.end.line) return undefined;
  const { line, character } = flag.range.start;
  return { start: { line, character: character + start }, end: { line, character: character + end } };
}

/** The `from=` field of a `--mount` value under the cursor. */
function mountSourceAt(flag: Flag, p: Position): { value: string; range: Range } | undefined {
  const raw = flag.rawText;
  let start = raw.indexOf('=') + 1;
  if (start === 0) return undefined;
  while (start <= raw.length) {
    let end = raw.indexOf(',', start);
    if (end < 0) end = raw.length;
    const m = /^\s*["']?from=["']?([^"']*)["']?\s*$/i.exec(raw.slice(start, end));
    const range = flagTextRange(flag, start, end);
    if (m && range && on(range, p)) return { value: m[1]!, range };
    start = end + 1;
  }
  return undefined;
}

async function flagValueHover(ctx: HoverContext, instruction: Instruction, flag: Flag): Promise<HoverResult | undefined> {
  for (const ref of variableReferences(flag.rawText, ctx.ast.escapeChar)) {
    const range = flagTextRange(flag, ref.range.start, ref.range.end);
    if (range && on(range, ctx.position)) return variableHover(ctx, instruction, ref.name, range);
  }
  const stage = stageOf(ctx.ast.stages, instruction);
  const earlier = stage ? ctx.ast.stages.slice(0, stage.index) : [];
  if (flag.name === 'from' && flag.value !== undefined && (instruction.keyword === 'COPY' || instruction.keyword === 'ADD')) {
    const source = stageReferenced(earlier, flag.value, true);
    if (source) return stageHover(ctx, source, flag.valueRange!);
    if (!flag.value.includes('$')) return imageHover(ctx, flag.value, flag.value, flag.valueRange!);
  }
  if (flag.name === 'mount' && instruction.keyword === 'RUN') {
    const from = mountSourceAt(flag, ctx.position);
    const source = from && stageReferenced(earlier, from.value, true);
    if (source) return stageHover(ctx, source, from.range);
  }
  return undefined;
}

async function flagHover(ctx: HoverContext, instruction: Instruction, flag: Flag, trigger: boolean): Promise<HoverResult | undefined> {
  if (!trigger && flag.valueRange && isBeforeOrEqual(flag.valueRange.start, ctx.position)) {
    const value = await flagValueHover(ctx, instruction, flag);
    if (value) return value;
  }
  const markdown = docs.flagMarkdown(instruction.keyword, flag.name, ctx.locale);
  return markdown === undefined ? undefined : { markdown, range: flag.range };
}

function inHeredocBody(heredoc: Heredoc, p: Position): boolean {
  return isBeforeOrEqual(heredoc.contentRange.start, p) && (!heredoc.terminatorRange || !isBeforeOrEqual(heredoc.terminatorRange.start, p));
}

/** A `$VAR` in a heredoc body: the shell of RUN expands it, COPY and ADD when the delimiter is unquoted. */
function heredocHover(ctx: HoverContext, instruction: Instruction, heredoc: Heredoc): HoverResult | undefined {
  if (instruction.keyword === 'ONBUILD' || (heredoc.quoted && instruction.keyword !== 'RUN')) return undefined;
  const index = lineIndex(ctx.text);
  const { line, character } = heredoc.contentRange.start;
  const base = (index.lineStarts[line] ?? ctx.text.length) + character;
  for (const ref of variableReferences(heredoc.rawContent, ctx.ast.escapeChar)) {
    const range = rangeAt(index, base + ref.range.start, base + ref.range.end);
    if (on(range, ctx.position)) return variableHover(ctx, instruction, ref.name, range);
  }
  return undefined;
}

async function instructionHover(ctx: HoverContext, instruction: Instruction, trigger: boolean): Promise<HoverResult | undefined> {
  const p = ctx.position;
  if (on(instruction.keywordRange, p)) {
    const markdown = docs.instructionMarkdown(instruction.keyword, ctx.locale);
    return markdown === undefined ? undefined : { markdown, range: instruction.keywordRange };
  }
  const flag = instruction.flags.find((f) => on(f.range, p));
  if (flag) return flagHover(ctx, instruction, flag, trigger);
  if (instruction.onbuild && on(instruction.onbuild.range, p)) return instructionHover(ctx, instruction.onbuild, true);
  const heredoc = instruction.heredocs.find((h) => inHeredocBody(h, p));
  if (heredoc) return trigger ? undefined : heredocHover(ctx, instruction, heredoc);
  if (trigger) return undefined;
  const variable = definitionHover(ctx, instruction) ?? argsVariableHover(ctx, instruction);
  if (variable) return variable;
  return instruction.keyword === 'FROM' ? fromHover(ctx, instruction) : undefined;
}

/**
 * The hover at `position` in the Dockerfile `text`, whose parse is `ast`: an instruction's, flag's or
 * directive's reference text, a FROM image's facts from `options.images`, a stage, or a variable's
 * definition, in `options.locale`. Undefined where there is nothing to say; never throws.
 */
export async function hover(ast: DockerfileAst, text: string, position: Position, options: FeatureOptions = {}): Promise<HoverResult | undefined> {
  try {
    const ctx: HoverContext = { ast, text, position, locale: docs.localeOf(options.locale), images: options.images };
    const directive = ast.directives.find((d) => on(d.range, position));
    if (directive) return { markdown: docs.directiveMarkdown(directive.name, ctx.locale), range: directive.range };
    const instruction = instructionAt(ast.instructions, position);
    return instruction ? await instructionHover(ctx, instruction, false) : undefined;
  } catch {
    return undefined;
  }
}
