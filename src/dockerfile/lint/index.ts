/**
 * The Dockerfile checks: `lint` runs every rule over a parsed Dockerfile and returns the problems with
 * their severities (from settings, else the rule's default), honouring BuildKit's `# check=skip=...`
 * and `# check=error=true` directive. The parser's own problems come first, as errors: BuildKit refuses
 * the file for each of them. https://docs.docker.com/reference/build-checks/
 * https://docs.docker.com/build/checks/
 */
import { argScope } from '../arg-scope';
import type { DockerfileAst, ParseProblemCode } from '../ast';
import { readCheckDirective, type CheckDirective } from './check-directive';
import { RUN_RULES } from './run-rules';
import { DOCKERFILE_RULES } from './rules';
import type { LintContext, LintProblem, Report, Rule, Severity } from './types';

/** How to lint: severities by code (`off` silences a code) and the engine's image reference validator. */
export interface LintOptions {
  severities?: Record<string, Severity>;
  validateReference?: (ref: string) => string | undefined;
}

/** Every rule, in the order they run. */
export const RULES: Rule[] = [...DOCKERFILE_RULES, ...RUN_RULES];

/** The parser's problem codes, reported as errors (each can still be set off in settings). */
const PARSE_PROBLEMS: Record<ParseProblemCode, string> = {
  'invalid-escape-token': 'The escape directive takes \\ or `',
  'duplicate-directive': 'A parser directive is given twice',
  'unterminated-heredoc': 'A here-document never reaches its terminator line',
  'invalid-heredoc': 'A here-document marker is malformed',
  'json-not-string-array': 'An exec-form JSON array must hold only strings',
  'missing-value': 'ENV or LABEL in the legacy form needs a value',
  'missing-equals': 'ENV or LABEL pairs must be written name=value',
  'line-too-long': 'A line is longer than BuildKit reads (64 KiB)',
  'no-instructions': 'The file has no instructions',
  'internal-error': 'The parser failed',
};

/** One line per code, for settings and documentation. */
export interface RuleInfo {
  code: string;
  defaultSeverity: Exclude<Severity, 'off'>;
  description: string;
}

/** Every code `lint` can report, with its default severity and what it means. */
export function ruleInfo(): RuleInfo[] {
  const out: RuleInfo[] = Object.entries(PARSE_PROBLEMS).map(([code, description]) => ({ code, defaultSeverity: 'error', description }));
  const seen = new Set(out.map((r) => r.code));
  for (const rule of RULES) {
    for (const code of [rule.code, ...(rule.codes ?? [])]) {
      if (seen.has(code)) continue;
      seen.add(code);
      out.push({ code, defaultSeverity: rule.defaultSeverity, description: rule.description });
    }
  }
  return out;
}

const SEVERITIES = new Set<Severity>(['error', 'warning', 'information', 'hint', 'off']);

/** Decides each problem's severity, or that it is not reported. */
class Severities {
  constructor(
    private readonly options: LintOptions,
    private readonly check: CheckDirective,
  ) {}

  /** The severity of `code`; undefined when it is off or skipped by the check directive. */
  of(code: string, fallback: Exclude<Severity, 'off'>, skippable: boolean): Exclude<Severity, 'off'> | undefined {
    if (skippable && (this.check.skip.has(code.toLowerCase()) || (this.check.skipAll && fallback !== 'error'))) return undefined;
    const set = this.options.severities?.[code];
    const severity = set !== undefined && SEVERITIES.has(set) ? set : fallback;
    if (severity === 'off') return undefined;
    return this.check.error && severity === 'warning' ? 'error' : severity;
  }
}

function safeValidator(validate: LintOptions['validateReference']): LintContext['validateReference'] {
  if (!validate) return undefined;
  return (ref) => {
    try {
      const why = validate(ref);
      return typeof why === 'string' ? why : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Runs one rule; a rule that throws is dropped with whatever it reported. */
function runRule(rule: Rule, ctx: LintContext, severities: Severities): LintProblem[] {
  const found: LintProblem[] = [];
  const codes = new Set([rule.code, ...(rule.codes ?? [])]);
  const report: Report = (p) => {
    const code = p.code !== undefined && codes.has(p.code) ? p.code : rule.code;
    const severity = severities.of(code, rule.defaultSeverity, true);
    if (!severity) return;
    const problem: LintProblem = { code, message: p.message, range: p.range, severity };
    if (p.tags?.length) problem.tags = p.tags;
    if (p.fixes?.length) problem.fixes = p.fixes;
    found.push(problem);
  };
  try {
    rule.check(ctx, report);
    return found;
  } catch {
    return [];
  }
}

function byPosition(a: LintProblem, b: LintProblem): number {
  const s = a.range.start;
  const t = b.range.start;
  return s.line - t.line || s.character - t.character;
}

/**
 * Lints a parsed Dockerfile (`text` is what `ast` was parsed from). Never throws; fast enough for every
 * keystroke (one pass per rule, nothing quadratic). Problems come sorted by position.
 */
export function lint(ast: DockerfileAst, text: string, options: LintOptions = {}): LintProblem[] {
  const out: LintProblem[] = [];
  try {
    const check = readCheckDirective(ast);
    const severities = new Severities(options ?? {}, check);
    for (const p of ast.problems) {
      const severity = severities.of(p.code, 'error', false);
      if (severity) out.push({ code: p.code, message: p.message, range: p.range, severity });
    }
    const ctx: LintContext = { ast, text: typeof text === 'string' ? text : '', scope: argScope(ast) };
    const validate = safeValidator(options?.validateReference);
    if (validate) ctx.validateReference = validate;
    for (const rule of RULES) out.push(...runRule(rule, ctx, severities));
  } catch {
    // A malformed tree: report what was found so far.
  }
  return out.sort(byPosition);
}
