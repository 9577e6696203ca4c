/** Checks of RUN instructions (shell commands). */
import type { Rule } from './types';

/** The RUN rules, in the order they run. */
export const RUN_RULES: Rule[] = [];
