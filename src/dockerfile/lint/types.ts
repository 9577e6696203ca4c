/**
 * The shapes of the Dockerfile checks: a rule looks at a parsed Dockerfile and reports problems with
 * stable codes (BuildKit's check names where BuildKit has the check); the language server publishes them
 * as diagnostics with `source: "berth"`, and quick fixes come with the problem that needs them.
 * https://docs.docker.com/reference/build-checks/
 */
import type { ArgScope } from '../arg-scope';
import type { DockerfileAst } from '../ast';
import type { Range } from '../position';

/** How much a problem matters; `off` silences a rule. */
export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** A text change of a quick fix. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix offered with a problem. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix most users want (VS Code applies it with "Fix all" / auto-fix). */
  preferred?: boolean;
}

/** One problem found. */
export interface LintProblem {
  /** The rule's code, e.g. `MaintainerDeprecated`. */
  code: string;
  message: string;
  range: Range;
  severity: Exclude<Severity, 'off'>;
  /** Editors grey out `unnecessary` code and strike through `deprecated` code. */
  tags?: ('unnecessary' | 'deprecated')[];
  fixes?: Fix[];
}

/** What a rule sees. */
export interface LintContext {
  ast: DockerfileAst;
  text: string;
  scope: ArgScope;
  /**
   * Checks an image reference with the engine's own validator (one rule everywhere); returns why it is
   * invalid, or undefined when it is valid. Absent: references are not checked.
   */
  validateReference?: (ref: string) => string | undefined;
}

/** What a rule reports; the severity comes from settings. */
export type Report = (p: { message: string; range: Range; tags?: LintProblem['tags']; fixes?: Fix[]; code?: string }) => void;

/** A check. */
export interface Rule {
  /** Stable code; `code` in a report may name a sibling code of the same rule. */
  code: string;
  /** Other codes this rule may report (each has its own severity setting). */
  codes?: string[];
  defaultSeverity: Exclude<Severity, 'off'>;
  /** One line for settings and documentation. */
  description: string;
  check(ctx: LintContext, report: Report): void;
}
