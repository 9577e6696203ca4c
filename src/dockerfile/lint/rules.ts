/**
 * Berth's Dockerfile checks (all but the RUN ones), in the order they run. Each has a stable code:
 * BuildKit's check name where BuildKit has the check, a PascalCase name of its own otherwise.
 * https://docs.docker.com/reference/build-checks/
 */
import { INVALID_CHECK_DIRECTIVE } from './check-directive';
import { COPY_RULES } from './copy-rules';
import { JSON_ARGS_RECOMMENDED } from './exec-form-rules';
import { EXPOSE_RULES } from './expose-rules';
import { FLAG_RULES } from './flag-rules';
import { FROM_RULES } from './from-rules';
import { INVALID_HEALTHCHECK } from './healthcheck-rules';
import { INSTRUCTION_RULES } from './instruction-rules';
import { KEY_VALUE_RULES } from './key-value-rules';
import { INVALID_STOP_SIGNAL } from './signal-rules';
import { STAGE_NAME_RULES } from './stage-name-rules';
import type { Rule } from './types';
import { UNDEFINED_VAR } from './variable-rules';
import { WORKDIR_RELATIVE_PATH } from './workdir-rules';

/** Every check but the RUN ones (see run-rules.ts). */
export const DOCKERFILE_RULES: Rule[] = [
  INVALID_CHECK_DIRECTIVE,
  ...INSTRUCTION_RULES,
  ...FLAG_RULES,
  ...FROM_RULES,
  ...STAGE_NAME_RULES,
  ...COPY_RULES,
  ...KEY_VALUE_RULES,
  ...EXPOSE_RULES,
  INVALID_STOP_SIGNAL,
  INVALID_HEALTHCHECK,
  WORKDIR_RELATIVE_PATH,
  JSON_ARGS_RECOMMENDED,
  UNDEFINED_VAR,
];
