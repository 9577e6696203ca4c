/**
 * Checks of stage names (`FROM image AS name`): valid, unique, not reserved, lower-case, and `AS`
 * cased like `FROM`. https://docs.docker.com/reference/dockerfile/#from
 * https://docs.docker.com/reference/build-checks/stage-name-casing/
 */
import type { Stage } from '../ast';
import type { LintContext, Rule, TextEdit } from './types';

/** BuildKit's stage name pattern, compared case-insensitively. */
const VALID_NAME = /^[a-z][a-z0-9\-_.]*$/i;
/** Names BuildKit gives a meaning of its own. */
const RESERVED = new Set(['scratch', 'context']);

/** The stages with a literal name (no variables). */
function named(ctx: LintContext): (Stage & { name: string; nameRange: NonNullable<Stage['nameRange']> })[] {
  return ctx.ast.stages.filter((s): s is Stage & { name: string; nameRange: NonNullable<Stage['nameRange']> } => {
    return s.name !== undefined && s.nameRange !== undefined && !s.name.includes('$');
  });
}

const DUPLICATE_STAGE_NAME = {
  code: 'DuplicateStageName',
  defaultSeverity: 'error',
  description: 'Stage names must be unique',
  check(ctx, report) {
    const seen = new Map<string, Stage>();
    for (const stage of named(ctx)) {
      const key = stage.name.toLowerCase();
      const first = seen.get(key);
      if (!first) {
        seen.set(key, stage);
        continue;
      }
      report({
        message: `Duplicate stage name "${stage.name}", stage names should be unique; it is already the name of the stage on line ${first.from.range.start.line + 1}, so rename one of them`,
        range: stage.nameRange,
      });
    }
  },
} satisfies Rule;

const INVALID_STAGE_NAME = {
  code: 'InvalidStageName',
  defaultSeverity: 'error',
  description: 'A stage name starts with a letter and has only letters, digits, "-", "_" and "."',
  check(ctx, report) {
    for (const stage of named(ctx)) {
      if (VALID_NAME.test(stage.name)) continue;
      report({
        message: `Invalid name for build stage: "${stage.name}"; a stage name must start with a letter and contain only letters, digits, "-", "_" and "."`,
        range: stage.nameRange,
      });
    }
  },
} satisfies Rule;

const RESERVED_STAGE_NAME = {
  code: 'ReservedStageName',
  defaultSeverity: 'error',
  description: 'The names scratch and context are reserved and cannot name a stage',
  check(ctx, report) {
    for (const stage of named(ctx)) {
      const lower = stage.name.toLowerCase();
      if (!RESERVED.has(lower)) continue;
      report({
        message: `Stage name should not use the same name as reserved stage "${lower}"; choose another name`,
        range: stage.nameRange,
      });
    }
  },
} satisfies Rule;

/** Edits that make every reference to `stage` (later FROMs and COPY --from) `name`. */
function renameEdits(ctx: LintContext, stage: Stage, name: string): TextEdit[] {
  const edits: TextEdit[] = [{ range: stage.nameRange!, newText: name }];
  const wanted = name.toLowerCase();
  for (const later of ctx.ast.stages.slice(stage.index + 1)) {
    const image = later.from.args[0];
    if (image && image.rawText === image.value && image.value.toLowerCase() === wanted && image.value !== name) {
      edits.push({ range: image.range, newText: name });
    }
    for (const i of later.instructions) {
      if (i.keyword !== 'COPY') continue;
      const from = i.flags.find((f) => f.name === 'from');
      if (!from?.valueRange || from.value === undefined || from.value.toLowerCase() !== wanted || from.value === name) continue;
      if (from.rawText.endsWith(`=${from.value}`)) edits.push({ range: from.valueRange, newText: name });
    }
  }
  return edits;
}

const STAGE_NAME_CASING = {
  code: 'StageNameCasing',
  defaultSeverity: 'warning',
  description: 'Stage names should be lowercase',
  check(ctx, report) {
    const firsts = new Set<string>();
    for (const stage of named(ctx)) {
      const lower = stage.name.toLowerCase();
      const first = !firsts.has(lower);
      firsts.add(lower);
      if (stage.name === lower) continue;
      const fixes = first ? [{ title: `Rename the stage to "${lower}"`, edits: renameEdits(ctx, stage, lower), preferred: true }] : [];
      report({ message: `Stage name '${stage.name}' should be lowercase`, range: stage.nameRange, fixes });
    }
  },
} satisfies Rule;

function isUpper(s: string): boolean {
  return s === s.toUpperCase();
}

function isLower(s: string): boolean {
  return s === s.toLowerCase();
}

const FROM_AS_CASING = {
  code: 'FromAsCasing',
  defaultSeverity: 'warning',
  description: "The 'as' keyword should match the case of the 'from' keyword",
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      const from = stage.from;
      const as = from.args[1];
      if (from.args.length !== 3 || !as || as.rawText.toLowerCase() !== 'as') continue;
      const fromWord = from.rawKeyword;
      let wanted: string | undefined;
      if (isUpper(fromWord) && !isUpper(as.rawText)) wanted = 'AS';
      else if (isLower(fromWord) && !isLower(as.rawText)) wanted = 'as';
      if (!wanted) continue;
      report({
        message: `'${as.rawText}' and '${fromWord}' keywords' casing do not match; write ${fromWord} ... ${wanted} ...`,
        range: as.range,
        fixes: [{ title: `Write '${wanted}'`, edits: [{ range: as.range, newText: wanted }], preferred: true }],
      });
    }
  },
} satisfies Rule;

/** The stage name checks, in order. */
export const STAGE_NAME_RULES: Rule[] = [DUPLICATE_STAGE_NAME, INVALID_STAGE_NAME, RESERVED_STAGE_NAME, STAGE_NAME_CASING, FROM_AS_CASING];
