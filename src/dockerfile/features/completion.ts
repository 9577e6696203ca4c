/**
 * Completion in a Dockerfile: instructions at the start of a line (and after ONBUILD), the flags an
 * instruction takes, stage names after `--from=`, local images and stages in a FROM, ARG and ENV names
 * after `$`, and the parser directives at the top. Pure over the parsed file (the server passes the AST
 * it already has); the store is reached only through `options.images`.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocument_completion
 */
import { variablesAt } from '../arg-scope';
import type { DockerfileAst, Flag, Heredoc, Instruction, Stage } from '../ast';
import * as docs from '../docs';
import { expandsVariables } from '../expand';
import { isBeforeOrEqual, lineIndex, lineLength, type Position, type Range } from '../position';
import { instructionAt, scopeOf, stageOf } from './hover';
import { CompletionKind, type CompletionResult, type FeatureOptions, type ImageSource, type Locale } from './types';

/** What follows each keyword when a new instruction is inserted (LSP snippet syntax). */
const SNIPPETS: Readonly<Record<string, string>> = {
  FROM: '${1:image}',
  RUN: '${1:command}',
  CMD: '["${1:executable}"]',
  LABEL: '${1:key}="${2:value}"',
  MAINTAINER: '${1:name}',
  EXPOSE: '${1:port}',
  ENV: '${1:name}=${2:value}',
  ADD: '${1:source} ${2:destination}',
  COPY: '${1:source} ${2:destination}',
  ENTRYPOINT: '["${1:executable}"]',
  VOLUME: '${1:/data}',
  USER: '${1:user}',
  WORKDIR: '${1:/path}',
  ARG: '${1:name}',
  ONBUILD: '${1:INSTRUCTION}',
  STOPSIGNAL: '${1:SIGTERM}',
  HEALTHCHECK: '--interval=${1:30s} CMD ${2:command}',
  SHELL: '["${1:/bin/sh}", "${2:-c}"]',
};

/** Instructions an ONBUILD may not trigger. https://docs.docker.com/reference/dockerfile/#onbuild */
const NOT_TRIGGERS: ReadonlySet<string> = new Set(['ONBUILD', 'FROM', 'MAINTAINER']);
/** Flags that may be given more than once. */
const REPEATABLE_FLAGS: ReadonlySet<string> = new Set(['mount', 'exclude']);
/** Flags that take no value. */
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['link', 'parents', 'keep-git-dir']);
/** Inserted for a flag, when more than `--name=`. */
const FLAG_SNIPPETS: Readonly<Record<string, string>> = {
  interval: '--interval=${1:30s}',
  timeout: '--timeout=${1:30s}',
  'start-period': '--start-period=${1:0s}',
  'start-interval': '--start-interval=${1:5s}',
  retries: '--retries=${1:3}',
};
/** Values offered after `--name=`, by `KEYWORD --name`. */
const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  'FROM --platform': ['$BUILDPLATFORM', '$TARGETPLATFORM', 'linux/amd64', 'linux/arm64', 'linux/arm/v7'],
  'RUN --network': ['default', 'none', 'host'],
  'RUN --security': ['sandbox', 'insecure'],
  'ADD --checksum': ['sha256:'],
  'ADD --link': ['true', 'false'],
  'ADD --keep-git-dir': ['true', 'false'],
  'COPY --link': ['true', 'false'],
  'COPY --parents': ['true', 'false'],
};
const MOUNT_TYPES: readonly string[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const DIRECTIVE_VALUES: Readonly<Record<string, readonly string[]>> = {
  syntax: ['docker/dockerfile:1', 'docker/dockerfile:1-labs'],
  escape: ['\\', '`'],
  check: ['skip=all', 'error=true'],
};
/** Instructions whose `$VAR`s the running container's shell expands, where only ENV is set. */
const RUNTIME_ONLY: ReadonlySet<string> = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);
/** Local image names offered at most. */
const MAX_IMAGES = 1000;

interface CompletionContext {
  ast: DockerfileAst;
  position: Position;
  locale: Locale;
  images: ImageSource | undefined;
  /** The current line, without its line break. */
  line: string;
  /** The part of the line before the cursor. */
  before: string;
  /** The lines before the current one, read only for parser directives. */
  lineAt(n: number): string;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** The run of non-blank characters around the cursor, as columns `[start, end)`. */
function wordAt(line: string, cursor: number): { start: number; end: number } {
  let start = cursor;
  while (start > 0 && !isSpace(line[start - 1])) start--;
  let end = cursor;
  while (end < line.length && !isSpace(line[end])) end++;
  return { start, end };
}

function span(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function item(label: string, kind: number, range: Range, newText: string, extra: Partial<CompletionResult> = {}): CompletionResult {
  return { label, kind, textEdit: { range, newText }, ...extra };
}

// ---- parser directives ----

const DIRECTIVE_LINE = /^\s*#\s*([A-Za-z][A-Za-z0-9]*)\s*=/;

/** Whether every line above the cursor's is a parser directive: only there may another one be written. */
function inDirectiveZone(ctx: CompletionContext): boolean {
  for (let n = 0; n < ctx.position.line; n++) {
    const m = DIRECTIVE_LINE.exec(ctx.lineAt(n));
    if (!m || !(m[1]!.toLowerCase() in docs.DIRECTIVE_DOCS)) return false;
  }
  return true;
}

function directiveItems(ctx: CompletionContext): CompletionResult[] | undefined {
  const l = ctx.position.line;
  const value = /^(\s*#\s*)(syntax|escape|check)(\s*=\s*)(\S*)$/i.exec(ctx.before);
  if (value) {
    const start = value[1]!.length + value[2]!.length + value[3]!.length;
    const range = span(l, start, ctx.line.length);
    return DIRECTIVE_VALUES[value[2]!.toLowerCase()]!.map((v) => item(v, CompletionKind.Value, range, v));
  }
  const name = /^(\s*#\s*)([A-Za-z]*)$/.exec(ctx.before);
  if (!name) return undefined;
  const present = new Set(ctx.ast.directives.filter((d) => d.range.start.line !== l).map((d) => d.name));
  const start = name[1]!.length;
  const range = span(l, start, wordAt(ctx.line, start).end);
  const detail = docs.LABELS[ctx.locale].directive;
  return (Object.keys(docs.DIRECTIVE_DOCS) as (keyof typeof docs.DIRECTIVE_DOCS)[])
    .filter((d) => !present.has(d))
    .map((d) => item(`${d}=`, CompletionKind.Property, range, `${d}=`, { detail, documentation: docs.directiveMarkdown(d, ctx.locale) }));
}

// ---- instructions ----

/** Lower case when most instructions of the file are written in lower case. */
function lowerCaseFile(ast: DockerfileAst): boolean {
  let lower = 0;
  for (const i of ast.instructions) if (i.rawKeyword !== i.keyword && i.rawKeyword === i.rawKeyword.toLowerCase()) lower++;
  return lower * 2 > ast.instructions.length;
}

function keywordItems(ctx: CompletionContext, range: Range, opts: { trigger: boolean; snippets: boolean }): CompletionResult[] {
  const lower = lowerCaseFile(ctx.ast);
  const firstFrom = ctx.ast.stages[0]?.from.range.start;
  const beforeFirstFrom = !opts.trigger && (!firstFrom || isBeforeOrEqual(ctx.position, firstFrom));
  const deprecated = docs.LABELS[ctx.locale].deprecated;
  return docs.INSTRUCTIONS.filter((k) => !opts.trigger || !NOT_TRIGGERS.has(k)).map((k, order) => {
    const label = lower ? k.toLowerCase() : k;
    const doc = docs.instructionDoc(k)!;
    const snippet = opts.snippets ? SNIPPETS[k] : undefined;
    const rank = beforeFirstFrom && (k === 'FROM' || k === 'ARG') ? 0 : k === 'MAINTAINER' ? 2 : 1;
    return item(label, CompletionKind.Keyword, range, snippet ? `${label} ${snippet}` : label, {
      detail: k === 'MAINTAINER' ? `${doc[ctx.locale].syntax[0]} (${deprecated})` : doc[ctx.locale].syntax[0],
      documentation: docs.instructionMarkdown(k, ctx.locale),
      sortText: `${rank}${String(order).padStart(2, '0')}`,
      filterText: label,
      ...(snippet ? { snippet: true } : {}),
    });
  });
}

/** Completion on (or instead of) an instruction's keyword; undefined when the cursor is elsewhere. */
function keywordPosition(ctx: CompletionContext, instruction: Instruction, trigger: boolean): CompletionResult[] | undefined {
  const k = instruction.keywordRange;
  const p = ctx.position;
  if (k.start.line !== p.line || p.character < k.start.character || p.character > k.end.character) return undefined;
  const bare = instruction.flags.length === 0 && instruction.argsText === '' && instruction.heredocs.length === 0;
  return keywordItems(ctx, k, { trigger, snippets: bare });
}

// ---- flags ----

/** Whether the word at `at` stands where flags go: after the keyword, before any argument. */
function inFlagPosition(instruction: Instruction, at: Position): boolean {
  const k = instruction.keywordRange.end;
  if (!isBeforeOrEqual(k, at) || (k.line === at.line && k.character === at.character)) return false;
  return instruction.args.every((a) => isBeforeOrEqual(at, a.range.start));
}

function flagNameItems(ctx: CompletionContext, instruction: Instruction, range: Range): CompletionResult[] {
  const typing = (f: Flag): boolean => f.range.start.line === range.start.line && f.range.start.character === range.start.character;
  const used = new Set(instruction.flags.filter((f) => !typing(f)).map((f) => f.name));
  const detail = docs.LABELS[ctx.locale].flag;
  return (docs.INSTRUCTION_FLAGS[instruction.keyword] ?? [])
    .filter((name) => REPEATABLE_FLAGS.has(name) || !used.has(name))
    .map((name) => {
      const snippet = FLAG_SNIPPETS[name];
      const text = snippet ?? (BOOLEAN_FLAGS.has(name) ? `--${name}` : `--${name}=`);
      return item(`--${name}`, CompletionKind.Property, range, text, {
        detail: docs.flagDoc(instruction.keyword, name)?.[ctx.locale].syntax[0] ?? detail,
        documentation: docs.flagMarkdown(instruction.keyword, name, ctx.locale),
        filterText: `--${name}`,
        ...(snippet ? { snippet: true } : {}),
      });
    });
}

function stageItems(ctx: CompletionContext, earlier: readonly Stage[], range: Range): CompletionResult[] {
  const detail = docs.LABELS[ctx.locale].stage;
  return earlier
    .filter((s): s is Stage & { name: string } => s.name !== undefined)
    .map((s) =>
      item(s.name, CompletionKind.Reference, range, s.name, {
        detail: `${detail} · ${s.image}`,
        documentation: docs.stageMarkdown(s, undefined, ctx.locale),
        sortText: `0${String(s.index).padStart(4, '0')}`,
      }),
    );
}

async function imageItems(ctx: CompletionContext, range: Range): Promise<CompletionResult[]> {
  if (!ctx.images) return [];
  let names: string[];
  try {
    names = await ctx.images.names();
  } catch {
    return [];
  }
  const detail = docs.LABELS[ctx.locale].localImage;
  return [...new Set(names)].slice(0, MAX_IMAGES).map((n) => item(n, CompletionKind.Module, range, n, { detail, sortText: `1${n}` }));
}

function earlierStages(ctx: CompletionContext, instruction: Instruction): Stage[] {
  const stage = stageOf(ctx.ast.stages, instruction);
  return stage ? ctx.ast.stages.slice(0, stage.index) : [];
}

async function flagValueItems(ctx: CompletionContext, instruction: Instruction, name: string, value: string, valueStart: number, wordEnd: number): Promise<CompletionResult[]> {
  const l = ctx.position.line;
  const range = span(l, valueStart, wordEnd);
  const key = `${instruction.keyword} --${name}`;
  if (key === 'COPY --from') {
    return [...stageItems(ctx, earlierStages(ctx, instruction), range), ...(value.includes('$') ? [] : await imageItems(ctx, range))];
  }
  if (key === 'RUN --mount') {
    const field = value.slice(value.lastIndexOf(',') + 1);
    const fieldStart = valueStart + value.length - field.length;
    const comma = ctx.line.indexOf(',', ctx.position.character);
    const fieldEnd = comma >= 0 && comma < wordEnd ? comma : wordEnd;
    if (/^from=/i.test(field)) return stageItems(ctx, earlierStages(ctx, instruction), span(l, fieldStart + 5, fieldEnd));
    if (!field.includes('=') || /^type=/i.test(field)) {
      const r = span(l, fieldStart, fieldEnd);
      return MOUNT_TYPES.map((t) => item(`type=${t}`, CompletionKind.Value, r, `type=${t}`));
    }
    return [];
  }
  return (FLAG_VALUES[key] ?? []).map((v) => item(v, CompletionKind.Value, range, v));
}

// ---- variables ----

/** `$` or `${` and the part of a name typed before the cursor, when the `$` is not escaped. */
function variableStart(before: string, escape: string): { braced: boolean; nameStart: number } | undefined {
  const m = /\$(\{?)([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
  if (!m) return undefined;
  let escapes = 0;
  for (let i = m.index - 1; i >= 0 && before[i] === escape; i--) escapes++;
  if (escapes % 2 === 1) return undefined;
  return { braced: m[1] === '{', nameStart: m.index + 1 + m[1]!.length };
}

function variableItems(ctx: CompletionContext, instruction: Instruction, start: { braced: boolean; nameStart: number }): CompletionResult[] {
  let end = ctx.position.character;
  while (end < ctx.line.length && /[A-Za-z0-9_]/.test(ctx.line[end]!)) end++;
  const close = start.braced && ctx.line[end] !== '}' ? '}' : '';
  const range = span(ctx.position.line, start.nameStart, end);
  const runtimeOnly = RUNTIME_ONLY.has(instruction.keyword);
  const out: CompletionResult[] = [];
  for (const v of variablesAt(scopeOf(ctx.ast), instruction).values()) {
    if (runtimeOnly && v.kind !== 'env') continue;
    out.push(
      item(v.name, CompletionKind.Variable, range, v.name + close, {
        detail: docs.variableDetail(v, ctx.locale),
        documentation: docs.variableMarkdown(v, ctx.locale),
        sortText: `${v.kind === 'builtin' ? 1 : 0}${v.name}`,
        filterText: v.name,
      }),
    );
  }
  return out;
}

/** Whether `$VAR`s in the instruction's arguments mean ARG or ENV values (exec-form RUN has no shell). */
function usesVariables(instruction: Instruction): boolean {
  if (instruction.keyword === 'ONBUILD') return false;
  return expandsVariables(instruction.keyword) || (!instruction.json && (instruction.keyword === 'RUN' || RUNTIME_ONLY.has(instruction.keyword)));
}

// ---- positions in an instruction ----

/**
 * Whether the last instruction, above the cursor, is still open where the text ends: a line continuation
 * or a heredoc without its terminator. What is typed below it belongs to it.
 */
function openAtEnd(ctx: CompletionContext): boolean {
  const last = ctx.ast.instructions[ctx.ast.instructions.length - 1];
  if (!last || last.range.end.line >= ctx.position.line) return false;
  if (last.heredocs.some((h) => !h.terminatorRange)) return true;
  return ctx.lineAt(last.range.end.line).trimEnd().endsWith(ctx.ast.escapeChar);
}

function inHeredocBody(heredoc: Heredoc, p: Position): boolean {
  return isBeforeOrEqual(heredoc.contentRange.start, p) && (!heredoc.terminatorRange || isBeforeOrEqual(p, heredoc.terminatorRange.end));
}

async function argumentItems(ctx: CompletionContext, instruction: Instruction, word: { start: number; end: number }): Promise<CompletionResult[]> {
  const at: Position = { line: ctx.position.line, character: word.start };
  const n = instruction.args.filter((a) => !isBeforeOrEqual(at, a.range.start)).length;
  const range = span(at.line, word.start, word.end);
  if (instruction.keyword === 'HEALTHCHECK' && n === 0) return ['CMD', 'NONE'].map((k) => item(k, CompletionKind.Keyword, range, k));
  if (instruction.keyword !== 'FROM' || ctx.line.slice(word.start, ctx.position.character).includes('$')) return [];
  if (n === 1) {
    const as = instruction.rawKeyword === instruction.rawKeyword.toLowerCase() ? 'as' : 'AS';
    return [item(as, CompletionKind.Keyword, range, `${as} \${1:name}`, { snippet: true })];
  }
  if (n > 1) return [];
  const scratch = item('scratch', CompletionKind.Module, range, 'scratch', { detail: docs.LABELS[ctx.locale].emptyImage, sortText: '2scratch' });
  return [...stageItems(ctx, earlierStages(ctx, instruction), range), ...(await imageItems(ctx, range)), scratch];
}

async function instructionItems(ctx: CompletionContext, instruction: Instruction, trigger: boolean): Promise<CompletionResult[]> {
  const keyword = keywordPosition(ctx, instruction, trigger);
  if (keyword) return keyword;
  const p = ctx.position;
  if (instruction.keyword === 'ONBUILD' && !trigger) {
    const t = instruction.onbuild;
    if (!t) return ctx.before.trim().toUpperCase() === 'ONBUILD' ? keywordItems(ctx, span(p.line, p.character, p.character), { trigger: true, snippets: true }) : [];
    return isBeforeOrEqual(t.keywordRange.start, p) ? instructionItems(ctx, t, true) : [];
  }
  const variable = variableStart(ctx.before, ctx.ast.escapeChar);
  if (variable) return trigger || !usesVariables(instruction) ? [] : variableItems(ctx, instruction, variable);
  const word = wordAt(ctx.line, p.character);
  const typed = ctx.line.slice(word.start, p.character);
  if (typed.startsWith('-') && inFlagPosition(instruction, { line: p.line, character: word.start })) {
    const eq = typed.indexOf('=');
    if (eq < 0) {
      const nameEnd = ctx.line.slice(word.start, word.end).indexOf('=');
      return flagNameItems(ctx, instruction, span(p.line, word.start, nameEnd < 0 ? word.end : word.start + nameEnd));
    }
    if (trigger) return [];
    return flagValueItems(ctx, instruction, typed.slice(2, eq), typed.slice(eq + 1), word.start + eq + 1, word.end);
  }
  return trigger ? [] : argumentItems(ctx, instruction, word);
}

async function itemsAt(ctx: CompletionContext): Promise<CompletionResult[]> {
  if (inDirectiveZone(ctx)) {
    const directive = directiveItems(ctx);
    if (directive) return directive;
  }
  if (ctx.before.trimStart().startsWith('#')) return [];
  const instruction = instructionAt(ctx.ast.instructions, ctx.position);
  const p = ctx.position;
  if (!instruction) {
    if (openAtEnd(ctx)) return [];
    const word = wordAt(ctx.line, p.character);
    if (ctx.line.slice(0, word.start).trim() !== '') return [];
    return keywordItems(ctx, span(p.line, word.start, word.end), { trigger: false, snippets: ctx.line.slice(word.end).trim() === '' });
  }
  const heredoc = instruction.heredocs.find((h) => inHeredocBody(h, p));
  if (heredoc) {
    const expands = instruction.keyword === 'RUN' || ((instruction.keyword === 'COPY' || instruction.keyword === 'ADD') && !heredoc.quoted);
    const variable = expands ? variableStart(ctx.before, ctx.ast.escapeChar) : undefined;
    return variable ? variableItems(ctx, instruction, variable) : [];
  }
  return instructionItems(ctx, instruction, false);
}

/**
 * The completions at `position` in the Dockerfile `text`, whose parse is `ast`, documented in
 * `options.locale`; local image names come from `options.images`. Each item replaces the word being
 * typed through its `textEdit`. Empty where nothing fits; never throws.
 */
export async function complete(ast: DockerfileAst, text: string, position: Position, options: FeatureOptions = {}): Promise<CompletionResult[]> {
  try {
    const index = lineIndex(text);
    const lineAt = (n: number): string => {
      const start = index.lineStarts[n];
      return start === undefined ? '' : text.slice(start, start + lineLength(index, n));
    };
    const line = lineAt(position.line);
    const cursor = Math.max(0, Math.min(position.character, line.length));
    const ctx: CompletionContext = {
      ast,
      position: { line: position.line, character: cursor },
      locale: docs.localeOf(options.locale),
      images: options.images,
      line,
      before: line.slice(0, cursor),
      lineAt,
    };
    return await itemsAt(ctx);
  } catch {
    return [];
  }
}
