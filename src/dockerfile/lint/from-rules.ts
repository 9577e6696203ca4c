/**
 * Checks of FROM: that the file has one and only ARG comes before it, its form, the image it names
 * (a valid reference, a pinned tag) and the variables and `--platform` it uses.
 * https://docs.docker.com/reference/dockerfile/#from https://docs.docker.com/reference/build-checks/
 */
import { BUILTIN_ARGS, globalArgValues } from '../arg-scope';
import type { Flag, Instruction, Stage } from '../ast';
import { expand, variableReferences, type VariableReference } from '../expand';
import { argsRange } from '../args-position';
import type { Range } from '../position';
import { isKnown, namedStage, parentStage } from './facts';
import { headRange } from './ranges';
import { closest } from './suggest';
import type { LintContext, Rule } from './types';

/** Modifiers that give a value when the variable is unset: such a use is deliberate. */
export const DEFAULTING_MODIFIERS: ReadonlySet<string> = new Set(['-', ':-', '+', ':+', '?', ':?']);

/** Values for the platform ARGs when a FROM is expanded for checking (any real platform would do). */
const PLATFORM_VALUES: Record<string, string> = {
  TARGETPLATFORM: 'linux/amd64',
  TARGETOS: 'linux',
  TARGETARCH: 'amd64',
  TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/amd64',
  BUILDOS: 'linux',
  BUILDARCH: 'amd64',
  BUILDVARIANT: '',
};

/** The FROM's arguments have the form `IMAGE` or `IMAGE AS NAME`. */
function wellFormed(from: Instruction): boolean {
  const args = from.args;
  return args.length === 1 || (args.length === 3 && args[1]!.rawText.toLowerCase() === 'as');
}

/** The stage's base names an earlier stage rather than an image. */
function basedOnStage(ctx: LintContext, stage: Stage): boolean {
  return parentStage(ctx, stage) !== undefined;
}

function isScratch(image: string): boolean {
  return image.toLowerCase() === 'scratch';
}

const MISSING_FROM = {
  code: 'MissingFrom',
  defaultSeverity: 'error',
  description: 'A Dockerfile needs a FROM instruction to start a build stage',
  check(ctx, report) {
    const first = ctx.ast.instructions[0];
    if (!first || ctx.ast.stages.length > 0) return;
    report({
      message: 'The Dockerfile has no FROM instruction; a build starts with FROM IMAGE (or FROM scratch for an empty image)',
      range: headRange(first),
    });
  },
} satisfies Rule;

const INSTRUCTION_BEFORE_FROM = {
  code: 'InstructionBeforeFrom',
  defaultSeverity: 'error',
  description: 'Only ARG instructions may come before the first FROM',
  check(ctx, report) {
    const first = ctx.ast.stages[0]?.from;
    if (!first) return;
    for (const i of ctx.ast.instructions) {
      if (i === first) break;
      if (i.keyword === 'ARG' || !isKnown(i)) continue;
      report({
        message: `${i.rawKeyword} comes before the first FROM, where only ARG may come; move it into a build stage (after FROM)`,
        range: headRange(i),
      });
    }
  },
} satisfies Rule;

const INVALID_FROM = {
  code: 'InvalidFrom',
  defaultSeverity: 'error',
  description: 'FROM takes an image and optionally AS and a stage name: FROM IMAGE [AS NAME]',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const from = stage.from;
      if (from.args.length === 0) {
        report({ message: 'FROM needs an image: FROM IMAGE[:TAG] [AS NAME]', range: headRange(from) });
      } else if (!wellFormed(from)) {
        report({ message: 'FROM requires either one or three arguments: FROM IMAGE[:TAG] [AS NAME]', range: from.argsRange });
      }
    }
  },
} satisfies Rule;

/** The stages whose FROM names an image (not scratch, not a stage) written without variables. */
function literalImages(ctx: LintContext): Stage[] {
  return ctx.ast.stages.filter(
    (s) => s.imageRange && wellFormed(s.from) && !s.image.includes('$') && !isScratch(s.image) && !basedOnStage(ctx, s),
  );
}

const INVALID_IMAGE_REFERENCE = {
  code: 'InvalidImageReference',
  defaultSeverity: 'error',
  description: 'The image a FROM names must be a valid reference, e.g. alpine:3.20 or ghcr.io/org/app@sha256:...',
  check(ctx, report) {
    const validate = ctx.validateReference;
    if (!validate) return;
    for (const stage of literalImages(ctx)) {
      const why = validate(stage.image);
      if (why !== undefined) report({ message: `Invalid image reference "${stage.image}": ${why}`, range: stage.imageRange! });
    }
  },
} satisfies Rule;

/** The tag of `image` (`''` when it has none); undefined when it has a digest or its tag is not literal. */
function tagOf(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  if (/[${}]/.test(last)) return undefined;
  const colon = last.indexOf(':');
  return colon < 0 ? '' : last.slice(colon + 1);
}

function latestTagRule(code: string, explicit: boolean): Rule {
  return {
    code,
    defaultSeverity: 'warning',
    description: explicit
      ? 'The base image is pinned to :latest, which moves with every release of the image'
      : 'The base image has no tag, so it means :latest, which moves with every release of the image',
    check(ctx, report) {
      for (const stage of ctx.ast.stages) {
        if (!stage.imageRange || !wellFormed(stage.from) || isScratch(stage.image) || basedOnStage(ctx, stage)) continue;
        const tag = tagOf(stage.image);
        if (tag === undefined || (explicit ? tag !== 'latest' : tag !== '')) continue;
        if (!stage.image.includes('$') && ctx.validateReference?.(stage.image) !== undefined) continue;
        const name = explicit ? stage.image.slice(0, -':latest'.length) : stage.image;
        const what = explicit ? `"${stage.image}" uses the latest tag` : `"${name}" has no tag, so it means ${name}:latest`;
        report({
          message: `${what}, which changes whenever a new version is pushed; pin a version tag (${name}:<version>) or a digest so builds are reproducible`,
          range: stage.imageRange,
        });
      }
    },
  };
}

const IMPLICIT_LATEST_TAG = latestTagRule('ImplicitLatestTag', false);
const EXPLICIT_LATEST_TAG = latestTagRule('ExplicitLatestTag', true);

/** A `$name` in a FROM: the word it is in, and where it is. */
interface FromReference {
  ref: VariableReference;
  range: Range;
}

/** The range of `value[start, end)` of a flag, exact when the value is written without quotes. */
function flagValueRange(flag: Flag, start: number, end: number): Range | undefined {
  const v = flag.valueRange;
  if (!v || flag.value === undefined) return undefined;
  const written = flag.rawText.slice(flag.rawText.indexOf('=') + 1);
  if (written !== flag.value || v.start.line !== v.end.line) return v;
  return { start: { line: v.start.line, character: v.start.character + start }, end: { line: v.start.line, character: v.start.character + end } };
}

/** The variables a FROM uses in its image and `--platform`. */
function fromReferences(ctx: LintContext, from: Instruction): FromReference[] {
  const out: FromReference[] = [];
  const escape = ctx.ast.escapeChar;
  const image = from.args[0];
  if (image) {
    for (const ref of variableReferences(image.rawText, escape)) {
      out.push({ ref, range: argsRange(from, image.start + ref.range.start, image.start + ref.range.end) });
    }
  }
  const platform = from.flags.find((f) => f.name === 'platform');
  if (platform?.value !== undefined) {
    for (const ref of variableReferences(platform.value, escape)) {
      out.push({ ref, range: flagValueRange(platform, ref.range.start, ref.range.end) ?? platform.range });
    }
  }
  return out;
}

/** The names a FROM can use: the global ARGs and BuildKit's platform ARGs. */
function fromNames(ctx: LintContext): Set<string> {
  return new Set([...BUILTIN_ARGS, ...ctx.scope.global.map((d) => d.name)]);
}

const UNDEFINED_ARG_IN_FROM = {
  code: 'UndefinedArgInFrom',
  defaultSeverity: 'warning',
  description: 'FROM can only use ARGs declared before the first FROM (and the platform ARGs)',
  check(ctx, report) {
    const names = fromNames(ctx);
    for (const stage of ctx.ast.stages) {
      for (const { ref, range } of fromReferences(ctx, stage.from)) {
        if (names.has(ref.name) || (ref.modifier && DEFAULTING_MODIFIERS.has(ref.modifier))) continue;
        const suggestion = closest(ref.name, names, 2);
        const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
        report({
          message: `FROM argument '${ref.name}' is not declared${hint}; declare it with ARG ${ref.name}=<default> before the first FROM`,
          range,
        });
      }
    }
  },
} satisfies Rule;

/** Whether an expanded FROM name is invalid: by the engine's validator, else by its obvious shape. */
function invalidName(ctx: LintContext, value: string): boolean {
  if (ctx.validateReference) return ctx.validateReference(value) !== undefined;
  return /^[:@/]|[:@/]$|\s/.test(value);
}

const INVALID_DEFAULT_ARG_IN_FROM = {
  code: 'InvalidDefaultArgInFrom',
  defaultSeverity: 'warning',
  description: 'The default values of the global ARGs a FROM uses must give a valid image name',
  check(ctx, report) {
    const names = fromNames(ctx);
    const values = globalArgValues(ctx.scope);
    const lookup = (n: string): string | undefined => values.get(n) ?? PLATFORM_VALUES[n];
    for (const stage of ctx.ast.stages) {
      const image = stage.from.args[0];
      if (!image || !stage.imageRange || !wellFormed(stage.from)) continue;
      const refs = variableReferences(image.rawText, ctx.ast.escapeChar);
      if (refs.length === 0 || refs.some((r) => !names.has(r.name) || r.modifier === '?' || r.modifier === ':?')) continue;
      const value = expand(image.rawText, lookup, ctx.ast.escapeChar).value;
      const bad = value === '' || (!isScratch(value) && !namedStage(ctx, value, stage.index) && invalidName(ctx, value));
      if (!bad) continue;
      const shown = value === '' ? 'an empty name' : `"${value}"`;
      report({
        message: `Default value for ARG ${stage.image} results in empty or invalid base image name (${shown}); give the ARGs it uses defaults that name an image, or always pass them with --build-arg`,
        range: stage.imageRange,
      });
    }
  },
} satisfies Rule;

const FROM_PLATFORM_FLAG_CONST_DISALLOWED = {
  code: 'FromPlatformFlagConstDisallowed',
  defaultSeverity: 'warning',
  description: 'FROM --platform should not use a constant value',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const flag = stage.from.flags.find((f) => f.name === 'platform');
      if (!flag?.value || flag.value.includes('$')) continue;
      const arch = flag.value.split('/')[1]?.toLowerCase();
      if (arch && stage.name?.toLowerCase().includes(arch)) continue;
      report({
        message: `FROM --platform flag should not use constant value "${flag.value}"; use $BUILDPLATFORM or $TARGETPLATFORM, or leave it out and choose the platform with --platform when building`,
        range: flag.range,
      });
    }
  },
} satisfies Rule;

/** Where the text after a flag begins: the next flag or the arguments. */
function afterFlag(from: Instruction, flag: Flag): Range['start'] {
  const next = from.flags[from.flags.indexOf(flag) + 1];
  return next ? next.range.start : from.argsRange.start;
}

const REDUNDANT_TARGET_PLATFORM = {
  code: 'RedundantTargetPlatform',
  defaultSeverity: 'warning',
  description: 'FROM --platform=$TARGETPLATFORM is redundant: it is the default',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const flag = stage.from.flags.find((f) => f.name === 'platform');
      if (flag?.value !== '$TARGETPLATFORM' && flag?.value !== '${TARGETPLATFORM}') continue;
      report({
        message: `Setting platform to predefined ${flag.value} in FROM is redundant as this is the default behavior; remove the flag`,
        range: flag.range,
        tags: ['unnecessary'],
        fixes: [{ title: `Remove --platform=${flag.value}`, edits: [{ range: { start: flag.range.start, end: afterFlag(stage.from, flag) }, newText: '' }], preferred: true }],
      });
    }
  },
} satisfies Rule;

/** The FROM checks, in order. */
export const FROM_RULES: Rule[] = [
  MISSING_FROM,
  INSTRUCTION_BEFORE_FROM,
  INVALID_FROM,
  INVALID_IMAGE_REFERENCE,
  IMPLICIT_LATEST_TAG,
  EXPLICIT_LATEST_TAG,
  UNDEFINED_ARG_IN_FROM,
  INVALID_DEFAULT_ARG_IN_FROM,
  FROM_PLATFORM_FLAG_CONST_DISALLOWED,
  REDUNDANT_TARGET_PLATFORM,
];
