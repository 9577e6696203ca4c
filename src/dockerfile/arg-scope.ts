/**
 * Which variables each instruction can use: global ARGs (before the first FROM) in FROM lines, stage ARGs
 * from their declaration on (a global one must be redeclared to be seen in a stage), ENV over ARG of the
 * same name, ENV inherited from a parent stage. https://docs.docker.com/reference/dockerfile/#scope
 * https://docs.docker.com/reference/dockerfile/#using-arg-variables
 */
import type { DockerfileAst, EscapeChar, Instruction, Stage } from './ast';
import { expand } from './expand';
import { parseKeyValues } from './key-values';
import type { Range } from './position';

/** Platform ARGs BuildKit defines in the global scope (usable in FROM; redeclare to use in a stage). */
export const BUILTIN_ARGS: readonly string[] = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
];

/**
 * Proxy ARGs BuildKit passes to RUN without an ARG instruction; they are not expanded in other
 * instructions unless declared. https://docs.docker.com/reference/dockerfile/#predefined-args
 */
export const PREDEFINED_ARGS: readonly string[] = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

/** A variable an ARG or ENV instruction defines. */
export interface VariableDefinition {
  name: string;
  kind: 'arg' | 'env';
  /** The ARG default or ENV value as written (quotes in place); absent for `ARG name`. */
  rawValue?: string;
  /** The name in the instruction. */
  range: Range;
  instruction: Instruction;
  /** The stage's index; absent for a global ARG. */
  stage?: number;
}

/** The definitions of one stage. */
export interface StageScope {
  stage: Stage;
  /** The earlier stage this one is built FROM, whose ENV it inherits. */
  parent?: number;
  /** ARG and ENV definitions in order. */
  definitions: VariableDefinition[];
}

/** The variable scopes of a Dockerfile. */
export interface ArgScope {
  escapeChar: EscapeChar;
  /** ARGs before the first FROM. */
  global: VariableDefinition[];
  stages: StageScope[];
}

/** A variable visible at some instruction. */
export interface VisibleVariable {
  name: string;
  kind: 'arg' | 'env' | 'builtin';
  definition?: VariableDefinition;
  /** For `ARG name` in a stage: the global ARG whose default it takes. */
  globalDefault?: VariableDefinition;
}

interface Location {
  stage?: number;
  /** Position in the stage's instructions; -1 for the FROM; position among all instructions when global. */
  position: number;
}

const locations = new WeakMap<ArgScope, Map<Instruction, Location>>();

function definitionsOf(instruction: Instruction, escape: EscapeChar, stage?: number): VariableDefinition[] {
  if (instruction.keyword !== 'ARG' && instruction.keyword !== 'ENV') return [];
  const kind = instruction.keyword === 'ARG' ? 'arg' : 'env';
  return parseKeyValues(instruction, escape).pairs.map((p) => {
    const d: VariableDefinition = { name: p.key, kind, range: p.keyRange, instruction };
    if (p.rawValue !== undefined) d.rawValue = p.rawValue;
    if (stage !== undefined) d.stage = stage;
    return d;
  });
}

/** Collects the ARG and ENV definitions of every scope. */
export function argScope(ast: DockerfileAst): ArgScope {
  // computed once per tree: the checks, hover, completion and definition all ask for it
  const known = scopes.get(ast);
  if (known) return known;
  const scope = computeArgScope(ast);
  scopes.set(ast, scope);
  return scope;
}

const scopes = new WeakMap<DockerfileAst, ArgScope>();

function computeArgScope(ast: DockerfileAst): ArgScope {
  const where = new Map<Instruction, Location>();
  const global: VariableDefinition[] = [];
  const firstFrom = ast.stages[0]?.from;
  for (const [position, instruction] of ast.instructions.entries()) {
    if (instruction === firstFrom) break;
    where.set(instruction, { position });
    if (instruction.keyword === 'ARG') global.push(...definitionsOf(instruction, ast.escapeChar));
  }
  // the earlier stages by lower-cased name, first one first: `stageNamed(ast.stages, image, index)`
  // without a walk over the earlier stages for every stage
  const earlier = new Map<string, Stage>();
  const stages = ast.stages.map((stage): StageScope => {
    where.set(stage.from, { stage: stage.index, position: -1 });
    const scope: StageScope = { stage, definitions: [] };
    const parent = earlier.get(stage.image.toLowerCase());
    if (parent) scope.parent = parent.index;
    const name = stage.name?.toLowerCase();
    if (name !== undefined && !earlier.has(name)) earlier.set(name, stage);
    for (const [position, instruction] of stage.instructions.entries()) {
      where.set(instruction, { stage: stage.index, position });
      scope.definitions.push(...definitionsOf(instruction, ast.escapeChar, stage.index));
    }
    return scope;
  });
  const scope: ArgScope = { escapeChar: ast.escapeChar, global, stages };
  locations.set(scope, where);
  return scope;
}

function builtins(into: Map<string, VisibleVariable>): void {
  for (const name of BUILTIN_ARGS) into.set(name, { name, kind: 'builtin' });
}

const inheritedCache = new WeakMap<ArgScope, Map<number, ReadonlyMap<string, VisibleVariable>>>();

/**
 * The ENV variables stage `stage` ends with, its parents' included: computed once per stage (a chain of
 * stages each FROM the one before would otherwise cost every instruction a walk of the whole chain).
 */
function stageEnv(scope: ArgScope, stage: number): ReadonlyMap<string, VisibleVariable> {
  let cache = inheritedCache.get(scope);
  if (!cache) inheritedCache.set(scope, (cache = new Map()));
  const known = cache.get(stage);
  if (known) return known;
  // walk up to the first stage already known (or the root), then fill the cache back down
  const chain: number[] = [];
  for (let i: number | undefined = stage; i !== undefined && !cache.has(i) && chain.length <= scope.stages.length; i = scope.stages[i]?.parent) {
    if (chain.includes(i)) break;
    chain.push(i);
  }
  const top = scope.stages[chain[chain.length - 1]!]?.parent;
  let env: ReadonlyMap<string, VisibleVariable> = top !== undefined ? cache.get(top) ?? new Map() : new Map();
  for (const i of chain.reverse()) {
    const next = new Map(env);
    for (const d of scope.stages[i]?.definitions ?? []) if (d.kind === 'env') next.set(d.name, { name: d.name, kind: 'env', definition: d });
    cache.set(i, next);
    env = next;
  }
  return cache.get(stage) ?? new Map();
}

function inheritedEnv(scope: ArgScope, stage: number, into: Map<string, VisibleVariable>): void {
  for (const [k, v] of stageEnv(scope, stage)) into.set(k, v);
}

/**
 * The variables an instruction's arguments can use, by name. An instruction that is not in the scope's
 * Dockerfile (or an ONBUILD trigger, which runs in another build) sees nothing.
 */
export function variablesAt(scope: ArgScope, instruction: Instruction): Map<string, VisibleVariable> {
  const visible = new Map<string, VisibleVariable>();
  const where = locations.get(scope);
  const at = where?.get(instruction);
  if (!where || !at) return visible;
  if (at.stage === undefined || at.position === -1) {
    builtins(visible);
    for (const d of scope.global) {
      if (at.stage === undefined && d.instruction === instruction) break;
      visible.set(d.name, { name: d.name, kind: 'arg', definition: d });
    }
    return visible;
  }
  const stage = scope.stages[at.stage]!;
  if (stage.parent !== undefined) inheritedEnv(scope, stage.parent, visible);
  for (const d of stage.definitions) {
    if (where.get(d.instruction)!.position >= at.position) break;
    if (d.kind === 'env') {
      visible.set(d.name, { name: d.name, kind: 'env', definition: d });
      continue;
    }
    if (visible.get(d.name)?.kind === 'env') continue;
    const v: VisibleVariable = { name: d.name, kind: 'arg', definition: d };
    const global = d.rawValue === undefined ? scope.global.filter((g) => g.name === d.name).pop() : undefined;
    if (global) v.globalDefault = global;
    visible.set(d.name, v);
  }
  return visible;
}

/**
 * The values of the global ARGs, for expanding FROM lines: `buildArgs` (as given with `--build-arg`)
 * over the defaults, each default expanded with the ARGs before it.
 */
export function globalArgValues(scope: ArgScope, buildArgs: Readonly<Record<string, string>> = {}): Map<string, string> {
  const values = new Map<string, string>();
  for (const d of scope.global) {
    const given = Object.prototype.hasOwnProperty.call(buildArgs, d.name) ? buildArgs[d.name] : undefined;
    if (given !== undefined) values.set(d.name, given);
    else if (d.rawValue !== undefined) values.set(d.name, expand(d.rawValue, (n) => values.get(n), scope.escapeChar).value);
  }
  return values;
}
