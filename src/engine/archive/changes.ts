/**
 * `docker import -c/--change` (and `docker commit -c`): Dockerfile instructions applied to an image's
 * runtime config. Docker accepts CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD,
 * STOPSIGNAL, USER, VOLUME and WORKDIR (builder/dockerfile `validCommitCommands`), each read by the
 * Dockerfile parser and applied with the semantics the builder uses (build/config-instructions.ts).
 */
import { parse } from '../../dockerfile/index';
import { BerthError } from '../errors';
import type { ContainerConfig } from '../oci/types';
import { applyConfigInstruction, envLookup } from '../build/config-instructions';

/** The instructions a change line may use. */
export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

export { parseCommandForm } from '../build/config-instructions';

/**
 * Applies change lines to a copy of `base` (empty for an import) and returns it. Blank lines and
 * `#` comments are skipped. Throws INVALID_ARGUMENT naming the line: `invalid -c/--change "X": ...`.
 */
export function applyChanges(changes: readonly string[], base: ContainerConfig = {}): ContainerConfig {
  const state = { config: structuredClone(base), cmdSet: false };
  for (const line of changes) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const ast = parse(text);
    const inst = ast.instructions[0];
    if (!inst) continue;
    if (!(CHANGE_INSTRUCTIONS as readonly string[]).includes(inst.keyword)) {
      throw new BerthError('INVALID_ARGUMENT', `invalid -c/--change "${line}": "${inst.rawKeyword}" is not a valid change command; use one of ${CHANGE_INSTRUCTIONS.join(', ')}`);
    }
    try {
      applyConfigInstruction(state, inst, envLookup(state.config.Env), ast.escapeChar);
    } catch (e) {
      throw new BerthError('INVALID_ARGUMENT', `invalid -c/--change "${line}": ${(e as Error).message}`, { cause: e });
    }
  }
  return state.config;
}
