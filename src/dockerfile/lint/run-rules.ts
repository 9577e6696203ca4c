/**
 * Checks of RUN instructions: an empty RUN, an exec form written with single quotes (also CMD and
 * ENTRYPOINT), and the checks of the shell commands RUN runs (apt-get, pip, sudo, cd, pipes...), which
 * read the shell form, the here-documents the shell runs and the exec form through `shell/`.
 * https://docs.docker.com/reference/dockerfile/#run
 */
import { argsRange } from '../args-position';
import { withTriggers } from './facts';
import { APT_RULES } from './shell/apt-rules';
import { COMMAND_RULES } from './shell/command-rules';
import { pipeWithoutPipefail } from './shell/pipefail-rule';
import { runSites } from './shell/run-site';
import type { Rule, TextEdit } from './types';

/** `RUN` with no command. */
export const emptyRun: Rule = {
  code: 'EmptyRun',
  defaultSeverity: 'error',
  description: 'RUN without a command.',
  check(ctx, report) {
    for (const { instruction, heredocs } of runSites(ctx.ast)) {
      const empty = instruction.json ? instruction.json.length === 0 : instruction.argsText.trim() === '' && heredocs.length === 0;
      if (!empty) continue;
      report({
        message: 'RUN requires at least one argument: write the command to run after RUN (e.g. RUN make install).',
        range: instruction.keywordRange,
      });
    }
  },
};

/** A single-quoted string of an array that is JSON but for its quotes: where it is and what JSON string it means. */
interface QuotedItem {
  start: number;
  end: number;
  json: string;
}

function skipJsonSpace(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  return i;
}

/** Reads the string at `i` (single- or double-quoted); returns its end and, when single-quoted, its JSON. */
function quotedString(text: string, i: number): { end: number; json?: string } | undefined {
  const quote = text[i];
  if (quote !== "'" && quote !== '"') return undefined;
  let value = '';
  let j = i + 1;
  for (; j < text.length && text[j] !== quote; j++) {
    if (text[j] === '\\' && j + 1 < text.length) {
      j++;
      value += quote === "'" && text[j] !== "'" && text[j] !== '\\' ? `\\${text[j]}` : text[j];
    } else value += text[j];
  }
  if (j >= text.length) return undefined;
  if (quote === "'") return { end: j + 1, json: JSON.stringify(value) };
  try {
    return typeof JSON.parse(text.slice(i, j + 1)) === 'string' ? { end: j + 1 } : undefined;
  } catch {
    return undefined;
  }
}

/** The single-quoted strings of `['a', "b"]`, when double quotes would make it a JSON array of strings. */
export function singleQuotedItems(text: string): QuotedItem[] | undefined {
  const items: QuotedItem[] = [];
  let i = skipJsonSpace(text, 0);
  if (text[i] !== '[') return undefined;
  i = skipJsonSpace(text, i + 1);
  while (i < text.length) {
    const s = quotedString(text, i);
    if (!s) return undefined;
    if (s.json !== undefined) items.push({ start: i, end: s.end, json: s.json });
    i = skipJsonSpace(text, s.end);
    if (text[i] === ',') {
      i = skipJsonSpace(text, i + 1);
      continue;
    }
    if (text[i] !== ']' || skipJsonSpace(text, i + 1) !== text.length) return undefined;
    return items.length > 0 ? items : undefined;
  }
  return undefined;
}

const EXEC_FORM_INSTRUCTIONS = new Set(['RUN', 'CMD', 'ENTRYPOINT']);

/** `RUN ['a', 'b']`: not JSON, so BuildKit runs it as a shell command. */
export const execFormSingleQuotes: Rule = {
  code: 'ExecFormSingleQuotes',
  defaultSeverity: 'warning',
  description: 'An exec form written with single quotes, which is not JSON: it runs as a shell command.',
  check(ctx, report) {
    for (const instruction of withTriggers(ctx.ast.instructions)) {
      if (!EXEC_FORM_INSTRUCTIONS.has(instruction.keyword) || instruction.jsonError === undefined) continue;
      const items = singleQuotedItems(instruction.argsText);
      if (!items) continue;
      const edits: TextEdit[] = items.map((it) => ({ range: argsRange(instruction, it.start, it.end), newText: it.json }));
      report({
        message: `The exec form is JSON and needs double quotes; with single quotes ${instruction.keyword} runs "${instruction.argsText}" as a shell command. Write ["..."] with double quotes.`,
        range: argsRange(instruction, 0, instruction.argsText.length),
        fixes: [{ title: 'Use double quotes', edits, preferred: true }],
      });
    }
  },
};

/** The RUN rules, in the order they run. */
export const RUN_RULES: Rule[] = [emptyRun, ...APT_RULES, ...COMMAND_RULES, pipeWithoutPipefail, execFormSingleQuotes];
