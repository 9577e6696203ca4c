/**
 * UndefinedVar: a `$variable` in an instruction the builder expands that nothing defines. A base image
 * may define variables this file cannot see, so the check is conservative: it reports a variable only
 * when the mistake is certain (a global ARG or platform ARG not declared in the stage, an ARG declared
 * only further down, a value of the same ENV line, a stage built from scratch) or when the name is a
 * near miss of one that is defined. `ENV PATH=/x:$PATH` refers to the value before it, on purpose. https://docs.docker.com/reference/build-checks/undefined-var/
 */
import { BUILTIN_ARGS, PREDEFINED_ARGS, type VariableDefinition } from '../arg-scope';
import type { Instruction, Stage } from '../ast';
import { isSplitSpace } from '../chars';
import { argsRange } from '../args-position';
import { EXPANDING_INSTRUCTIONS, variableReferences, type VariableReference } from '../expand';
import type { Range } from '../position';
import { isScratchBased, parentStage } from './facts';
import { DEFAULTING_MODIFIERS } from './from-rules';
import { indentOf } from './ranges';
import { closest } from './suggest';
import type { Fix, LintContext, Report, Rule } from './types';

/** Variables every Linux image or the runtime provides, never reported. */
const WELL_KNOWN = new Set([
  'PATH', 'HOME', 'HOSTNAME', 'USER', 'PWD', 'OLDPWD', 'SHELL', 'TERM', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ',
  'TMPDIR', 'UID', 'GID', 'SHLVL',
  ...PREDEFINED_ARGS,
]);
/** Beyond this many visible names, near misses are not looked for (keeps big files fast). */
const MAX_CANDIDATES = 1000;

/** A piece of an instruction's arguments that the builder expands: its text and where it starts. */
interface Word {
  text: string;
  start: number;
  /** The key the word is the value of: `ENV PATH=/x:$PATH` refers to the value before it, on purpose. */
  key?: string;
  /** For `ARG a=1 b=$a`: the names this instruction declared before the word. */
  declaredBefore?: string[];
}

function pairWords(i: Instruction): Word[] {
  const text = i.argsText;
  if (i.args.length === 0 || i.json) return [];
  if (i.keyword !== 'ARG' && !i.args[0]!.rawText.includes('=')) {
    let j = 0;
    while (j < text.length && !isSplitSpace(text.charCodeAt(j))) j++;
    while (j < text.length && isSplitSpace(text.charCodeAt(j))) j++;
    return j < text.length ? [{ text: text.slice(j), start: j, key: i.args[0]!.value }] : [];
  }
  const out: Word[] = [];
  const declared: string[] = [];
  for (const a of i.args) {
    const eq = a.rawText.indexOf('=');
    const key = eq >= 0 ? a.value.slice(0, a.value.indexOf('=')) : a.value;
    if (eq >= 0) out.push({ text: a.rawText.slice(eq + 1), start: a.start + eq + 1, key, declaredBefore: [...declared] });
    declared.push(key);
  }
  return i.keyword === 'ARG' ? out : out.map(({ declaredBefore: _, ...w }) => w);
}

/** The expanded pieces of an instruction's arguments (heredoc bodies and markers left out). */
function expandedWords(i: Instruction): Word[] {
  if (!EXPANDING_INSTRUCTIONS.has(i.keyword) || i.keyword === 'FROM') return [];
  if (i.keyword === 'ENV' || i.keyword === 'LABEL' || i.keyword === 'ARG') return pairWords(i);
  return i.args.filter((a) => !a.rawText.startsWith('<<')).map((a) => ({ text: a.rawText, start: a.start }));
}

/** The names of the ENV variables a stage inherits from the stages it is built on. */
function inheritedEnv(ctx: LintContext, stage: Stage, memo: Map<number, Set<string>>): Set<string> {
  const parent = parentStage(ctx, stage);
  if (!parent || parent.index >= stage.index) return new Set();
  let own = memo.get(parent.index);
  if (!own) {
    // stages come in order, so a parent's set is normally known already; each is computed once
    own = new Set(inheritedEnv(ctx, parent, memo));
    for (const d of ctx.scope.stages[parent.index]?.definitions ?? []) if (d.kind === 'env') own.add(d.name);
    memo.set(parent.index, own);
  }
  return new Set(own);
}

function declareFix(ctx: LintContext, i: Instruction, name: string): Fix {
  const line = i.keywordRange.start.line;
  const at = { line, character: 0 };
  return { title: `Declare ARG ${name} in this stage`, edits: [{ range: { start: at, end: at }, newText: `${indentOf(ctx, line)}ARG ${name}\n` }], preferred: true };
}

/** Walks one stage, instruction by instruction, knowing which names are defined at each point. */
class StageWalk {
  private readonly visible: Set<string>;
  private readonly firstDefinition = new Map<string, VariableDefinition>();
  private readonly byInstruction = new Map<Instruction, VariableDefinition[]>();
  private readonly scratch: boolean;
  private readonly nearMisses = new Map<string, { size: number; suggestion: string | undefined }>();

  constructor(
    private readonly ctx: LintContext,
    private readonly stage: Stage,
    private readonly globals: Set<string>,
    private readonly report: Report,
    memo: Map<number, Set<string>>,
  ) {
    this.visible = inheritedEnv(ctx, stage, memo);
    this.scratch = isScratchBased(ctx, stage);
    for (const d of ctx.scope.stages[stage.index]?.definitions ?? []) {
      if (!this.firstDefinition.has(d.name)) this.firstDefinition.set(d.name, d);
      const list = this.byInstruction.get(d.instruction) ?? [];
      list.push(d);
      this.byInstruction.set(d.instruction, list);
    }
  }

  run(): void {
    for (const i of this.stage.instructions) {
      for (const word of expandedWords(i)) {
        if (!word.text.includes('$')) continue;
        for (const ref of variableReferences(word.text, this.ctx.ast.escapeChar)) {
          if (this.defined(ref, word)) continue;
          const range = argsRange(i, word.start + ref.range.start, word.start + ref.range.end);
          const nameRange = argsRange(i, word.start + ref.nameRange.start, word.start + ref.nameRange.end);
          this.undefinedUse(i, ref.name, range, nameRange);
        }
      }
      for (const d of this.byInstruction.get(i) ?? []) this.visible.add(d.name);
    }
  }

  private defined(ref: VariableReference, word: Word): boolean {
    if (this.visible.has(ref.name) || WELL_KNOWN.has(ref.name)) return true;
    if (ref.modifier !== undefined && DEFAULTING_MODIFIERS.has(ref.modifier)) return true;
    if (word.key === ref.name) return true;
    return word.declaredBefore?.includes(ref.name) ?? false;
  }

  private undefinedUse(i: Instruction, name: string, range: Range, nameRange: Range): void {
    const head = `Usage of undefined variable '$${name}'`;
    const later = this.firstDefinition.get(name);
    if (later && (later.instruction === i || later.kind === 'arg' || this.scratch)) {
      const kind = later.kind.toUpperCase();
      const where = later.instruction === i
        ? `it is set by this same ${kind}, whose values take effect only after it; set it in an earlier ${kind}`
        : `it is defined later, by the ${kind} on line ${later.range.start.line + 1}; move that ${kind} above this line`;
      this.report({ message: `${head}: ${where}`, range });
    } else if (this.globals.has(name) || BUILTIN_ARGS.includes(name)) {
      const what = this.globals.has(name) ? 'a global ARG' : 'a platform ARG';
      this.report({
        message: `${head}: ${name} is ${what}, which a stage sees only after declaring it; add ARG ${name} in this stage before using it`,
        range,
        fixes: [declareFix(this.ctx, i, name)],
      });
    } else {
      const suggestion = this.nearMiss(name);
      if (!suggestion && !this.scratch) return;
      const hint = suggestion ? ` (did you mean $${suggestion}?)` : '';
      const fixes = suggestion ? [{ title: `Write $${suggestion}`, edits: [{ range: nameRange, newText: suggestion }] }] : [];
      this.report({ message: `${head}${hint}; define it with ARG or ENV before this line`, range, fixes });
    }
  }

  /** A visible name close to `name`: any near miss in a scratch stage, only a very close one otherwise. */
  private nearMiss(name: string): string | undefined {
    if (this.visible.size > MAX_CANDIDATES) return undefined;
    const cached = this.nearMisses.get(name);
    if (cached && cached.size === this.visible.size) return cached.suggestion;
    const max = this.scratch ? (name.length >= 3 ? 2 : 0) : name.length >= 4 ? 1 : 0;
    const suggestion = closest(name, this.visible, max);
    this.nearMisses.set(name, { size: this.visible.size, suggestion });
    return suggestion;
  }
}

/** Undefined variables in the instructions the builder expands (FROM has UndefinedArgInFrom). */
export const UNDEFINED_VAR = {
  code: 'UndefinedVar',
  defaultSeverity: 'warning',
  description: 'Variables should be defined before their use',
  check(ctx, report) {
    const globals = new Set(ctx.scope.global.map((d) => d.name));
    const memo = new Map<number, Set<string>>();
    for (const stage of ctx.ast.stages) new StageWalk(ctx, stage, globals, report, memo).run();
  },
} satisfies Rule;
