/**
 * A pipe in RUN without `pipefail`: a pipeline's status is its last command's, so `curl ... | tar x`
 * succeeds when the download fails, and the build goes on with a broken layer.
 * https://docs.docker.com/build/building/best-practices/#using-pipes
 */
import type { Rule } from '../types';
import { callOf, commandName, programName } from './command-call';
import { enablesPipefail, isShLike, type RunScript } from './run-script';
import { runSites, type RunSite } from './run-site';
import type { ShellOperator, ShellWord } from './script';

/** Shells known to take `set -o pipefail` (a `/bin/sh` may be dash, Debian's, which may not). */
const PIPEFAIL_SHELLS = new Set(['bash', 'zsh', 'ksh', 'mksh']);

function valuesOf(words: readonly ShellWord[]): string[] {
  return words.map((w) => w.value);
}

/** The first pipe of a script that no earlier `set -o pipefail` covers. */
function uncoveredPipe(script: RunScript): ShellOperator | undefined {
  const pipe = script.script.operators.find((op) => op.text === '|' || op.text === '|&');
  if (!pipe) return undefined;
  for (const command of script.script.commands) {
    const first = command.words[0];
    if (!first) continue;
    if (first.start > pipe.start) break;
    const call = callOf(command);
    const name = call && commandName(call.name);
    if (name === 'set' && enablesPipefail(valuesOf(call!.args))) return undefined;
    if (name === 'setopt' && call!.args.some((a) => a.value.toLowerCase().replace(/_/g, '') === 'pipefail')) return undefined;
  }
  return pipe;
}

/** The shell that reads the script, or undefined when it is not a POSIX shell or has pipefail on already. */
function scriptShell(site: RunSite, script: RunScript): string | undefined {
  if (script.interpreter !== 'SHELL') return isShLike(script.interpreter) && !script.pipefail ? script.interpreter : undefined;
  if (!isShLike(site.shell[0] ?? '') || enablesPipefail(site.shell)) return undefined;
  return programName(site.shell[0]!);
}

/** A pipe without `set -o pipefail` before it. */
export const pipeWithoutPipefail: Rule = {
  code: 'PipeWithoutPipefail',
  defaultSeverity: 'warning',
  description: 'A pipe in RUN without set -o pipefail: a failure before the last command of the pipe goes unnoticed.',
  check(ctx, report) {
    for (const site of runSites(ctx.ast)) {
      if (site.instruction.json) continue;
      for (const script of site.scripts) {
        const shell = scriptShell(site, script);
        const pipe = shell === undefined ? undefined : uncoveredPipe(script);
        if (!pipe) continue;
        const fixable = PIPEFAIL_SHELLS.has(shell!) && script.prepend !== undefined;
        report({
          message: fixable
            ? `Only the last command of a pipe decides whether this RUN fails: add "set -o pipefail" before the pipe.`
            : `Only the last command of a pipe decides whether this RUN fails: put SHELL ["/bin/bash", "-o", "pipefail", "-c"] before this RUN, or start it with "set -o pipefail &&" if its shell supports that (bash, ash; not dash).`,
          range: script.rangeOf(pipe.start, pipe.end),
          ...(fixable ? { fixes: [{ title: 'Add set -o pipefail', edits: [script.prepend!('set -o pipefail')], preferred: true }] } : {}),
        });
      }
    }
  },
};
