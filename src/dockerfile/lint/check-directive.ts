/**
 * The `# check=skip=Rule1,Rule2;error=true` parser directive, read as BuildKit reads it: which checks
 * to skip (`skip=all` skips them all) and whether warnings fail the build.
 * https://docs.docker.com/build/checks/#skip-checks https://docs.docker.com/reference/dockerfile/#check
 */
import type { DockerfileAst } from '../ast';
import type { Range } from '../position';
import type { Rule } from './types';

/** What the directive asks for. */
export interface CheckDirective {
  /** Lower-cased codes to skip. */
  skip: Set<string>;
  skipAll: boolean;
  /** `error=true`: warnings are errors. */
  error: boolean;
  /** Why BuildKit would refuse the directive, and where. */
  problem?: { message: string; range: Range };
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function invalid(message: string, range: Range): CheckDirective {
  return { skip: new Set(), skipAll: false, error: false, problem: { message, range } };
}

/** Reads the file's check directive (none: nothing skipped). */
export function readCheckDirective(ast: DockerfileAst): CheckDirective {
  const out: CheckDirective = { skip: new Set(), skipAll: false, error: false };
  const directive = ast.directives.find((d) => d.name === 'check');
  if (!directive) return out;
  const text = directive.value.trim();
  if (text === '') return out;
  const parts = text.split(';');
  if (parts.length > 3) parts.splice(2, parts.length, parts.slice(2).join(';'));
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) return invalid(`invalid check option ${JSON.stringify(part)}; write # check=skip=Rule1,Rule2;error=true`, directive.valueRange);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'skip') {
      if (value === 'all') out.skipAll = true;
      else for (const code of value.split(',')) out.skip.add(code.trim().toLowerCase());
    } else if (key === 'error') {
      if (!TRUE.has(value) && !FALSE.has(value)) {
        return invalid(`invalid check option ${JSON.stringify(part)}: error takes true or false`, directive.valueRange);
      }
      out.error = TRUE.has(value);
    } else if (key !== 'experimental') {
      return invalid(`invalid check option ${JSON.stringify(key)}; the options are skip, error and experimental`, directive.valueRange);
    }
  }
  return out;
}

/** BuildKit refuses a check directive it cannot read. */
export const INVALID_CHECK_DIRECTIVE = {
  code: 'InvalidCheckDirective',
  defaultSeverity: 'error',
  description: 'The # check= parser directive must read skip=Rule1,Rule2 and/or error=true|false, separated by ";"',
  check(ctx, report) {
    const problem = readCheckDirective(ctx.ast).problem;
    if (problem) report(problem);
  },
} satisfies Rule;
