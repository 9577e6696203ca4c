/**
 * CMD and ENTRYPOINT in shell form run under `/bin/sh -c`, which does not pass signals on to the
 * program; the exec form (a JSON array) runs the program as PID 1. The quick fix writes the exec form.
 * https://docs.docker.com/reference/build-checks/json-args-recommended/
 */
import type { Instruction, Stage } from '../ast';
import { stageChain } from './facts';
import { headRange } from './ranges';
import type { Fix, LintContext, Rule } from './types';

/** Characters a command word may have and still mean the same without a shell. */
const PLAIN_WORD = /^[A-Za-z0-9_\-./:,@%+=^]+$/;

/** The words of `text` when it uses no shell syntax at all (no quotes, `$`, `&&`, `|`, globs...). */
function plainWords(text: string): string[] | undefined {
  const words = text.split(/[ \t]+/).filter((w) => w !== '');
  if (words.length === 0 || words[0]!.includes('=')) return undefined;
  return words.every((w) => PLAIN_WORD.test(w)) ? words : undefined;
}

function jsonArray(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

/** `['a', 'b']`: an exec form with single quotes, which the ExecFormSingleQuotes check reports and fixes. */
function singleQuoted(text: string): boolean {
  return /^\[\s*'/.test(text);
}

/** The shell a stage's shell form runs under: Windows images use cmd (the `# escape=\`` files). */
function shellPrefix(ctx: LintContext): string[] {
  return ctx.ast.escapeChar === '`' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

function fixesFor(ctx: LintContext, i: Instruction): Fix[] {
  const edit = (items: string[]): Fix['edits'] => [{ range: i.argsRange, newText: jsonArray(items) }];
  if (i.jsonError !== undefined) return [];
  const words = plainWords(i.argsText);
  if (words) return [{ title: `Convert to exec form: ${jsonArray(words)}`, edits: edit(words), preferred: true }];
  const prefix = shellPrefix(ctx);
  const shown = `[${prefix.map((s) => JSON.stringify(s)).join(', ')}, "..."]`;
  return [{ title: `Run it through the shell in exec form: ${shown}`, edits: edit([...prefix, i.argsText]) }];
}

/** The stage or a stage it is built on sets SHELL: the shell form is then deliberate. */
function hasShell(ctx: LintContext, stage: Stage): boolean {
  return stageChain(ctx, stage).some((s) => s.instructions.some((i) => i.keyword === 'SHELL'));
}

/** Shell-form CMD and ENTRYPOINT, unless the stage chose its shell with SHELL (BuildKit's exception). */
export const JSON_ARGS_RECOMMENDED = {
  code: 'JSONArgsRecommended',
  defaultSeverity: 'warning',
  description: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  check(ctx, report) {
    for (const stage of ctx.ast.stages) {
      let shell: boolean | undefined;
      for (const i of stage.instructions) {
        if ((i.keyword !== 'CMD' && i.keyword !== 'ENTRYPOINT') || i.json || i.argsText.trim() === '' || singleQuoted(i.argsText)) continue;
        shell ??= hasShell(ctx, stage);
        if (shell) break;
        const broken = i.jsonError !== undefined ? ` (the arguments look like JSON but are not: ${i.jsonError})` : '';
        report({
          message: `JSON arguments recommended for ${i.keyword} to prevent unintended behavior related to OS signals${broken}; in shell form the command runs under a shell that does not pass on SIGTERM, so write ${i.keyword} ["executable", "arg"]`,
          range: headRange(i),
          fixes: fixesFor(ctx, i),
        });
      }
    }
  },
} satisfies Rule;
