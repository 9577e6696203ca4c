/**
 * The shell scripts of one RUN instruction, each with the way back from its offsets to document ranges:
 * the shell form's arguments (continuations joined), a here-document that the shell runs
 * (`RUN <<EOF`, `RUN bash <<EOF`), and the exec form (one command, or the script of `["sh", "-c", "..."]`).
 * Here-documents that are data (`RUN cat <<EOF > file`, `RUN python3 <<EOF`) are not scripts.
 * https://docs.docker.com/reference/dockerfile/#run https://docs.docker.com/reference/dockerfile/#here-documents
 */
import { argsRange } from '../../args-position';
import type { Arg, Heredoc, Instruction } from '../../ast';
import { lineIndex, positionAt, type Range } from '../../position';
import type { TextEdit } from '../types';
import { callOf, commandName, programName } from './command-call';
import { readScript, type ShellScript, type ShellWord, type SimpleCommand } from './script';

/** Where a script comes from. */
export type ScriptSource = 'shell' | 'heredoc' | 'exec';

/** A script of a RUN. */
export interface RunScript {
  source: ScriptSource;
  script: ShellScript;
  /**
   * The program that reads it: `SHELL` for the shell in effect (the shell form, a bare `RUN <<EOF`), a
   * command name (`bash` for `RUN bash <<EOF` or a `#!/bin/bash` line; `sh` for `["sh", "-c", ...]`), or
   * `exec` for an exec form run without a shell.
   */
  interpreter: string;
  /** The interpreter is started with pipefail on (`RUN bash -o pipefail <<EOF`). */
  pipefail?: boolean;
  /** The document range of `[start, end)` of the script. */
  rangeOf(start: number, end: number): Range;
  /** The edit that adds the option `option` (e.g. `-y`) just after `word`. */
  insertAfter(word: ShellWord, option: string): TextEdit;
  /** The edit that makes `word` read `value`. */
  replace(word: ShellWord, value: string): TextEdit;
  /** The edit that runs `command` (e.g. `set -o pipefail`) before the rest of the script; absent for the exec form. */
  prepend?(command: string): TextEdit;
}

/** Shells that read POSIX shell syntax. */
const SH_LIKE = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** Whether words turn pipefail on: `-o pipefail`, `-euo pipefail`, `-eo pipefail`... */
export function enablesPipefail(words: readonly string[]): boolean {
  return words.some((w, i) => w === 'pipefail' && i > 0 && /^-[a-zA-Z]*o$/.test(words[i - 1]!));
}

/** Whether `program` (a path or a name) is a POSIX-like shell. */
export function isShLike(program: string): boolean {
  return SH_LIKE.has(programName(program).replace(/\.exe$/i, ''));
}

type Offsets = (start: number, end: number) => Range;

function shellScript(
  source: ScriptSource,
  text: string,
  interpreter: string,
  rangeOf: Offsets,
  { escape = (s: string) => s, tabsStripped = false } = {},
): RunScript {
  const at = (offset: number): Range => rangeOf(offset, offset);
  return {
    source,
    script: readScript(text, { tabsStripped }),
    interpreter,
    rangeOf,
    insertAfter: (word, option) => ({ range: at(word.end), newText: escape(` ${option}`) }),
    replace: (word, value) => ({ range: rangeOf(word.start, word.end), newText: escape(value) }),
    prepend: (command) => ({ range: at(0), newText: escape(`${command} && `) }),
  };
}

/** The exec form run as it is: one command whose words are the JSON strings. */
function execScript(instruction: Instruction): RunScript {
  const words = instruction.args.map((a: Arg): ShellWord => ({ value: a.value, start: a.start, end: a.end, quoted: false, expands: false }));
  const rangeOf: Offsets = (s, e) => argsRange(instruction, s, e);
  return {
    source: 'exec',
    script: { commands: words.length > 0 ? [{ words, redirects: [] }] : [], operators: [] },
    interpreter: 'exec',
    rangeOf,
    insertAfter: (word, option) => ({ range: rangeOf(word.end, word.end), newText: `, ${JSON.stringify(option)}` }),
    replace: (word, value) => ({ range: rangeOf(word.start, word.end), newText: JSON.stringify(value) }),
  };
}

/** `["sh", "-c", "script"]`: the script, when its JSON string has no escapes (so offsets map one to one). */
function execShellScript(instruction: Instruction): RunScript | undefined {
  const args = instruction.args;
  const c = args.findIndex((a) => a.value === '-c');
  const script = args[c + 1];
  if (c < 1 || !script || !isShLike(args[0]!.value) || script.rawText.includes('\\')) return undefined;
  const base = script.start + 1;
  const rangeOf: Offsets = (s, e) => argsRange(instruction, base + s, base + e);
  const jsonText = (s: string): string => JSON.stringify(s).slice(1, -1);
  return shellScript('shell', script.value, programName(args[0]!.value), rangeOf, { escape: jsonText });
}

/** The interpreter named by a `#!` line, or undefined without one. */
function shebangInterpreter(content: string): string | undefined {
  const m = /^#!\s*(\S+)(?:[ \t]+(-S[ \t]+)?(\S+))?/.exec(content);
  if (!m) return undefined;
  const program = programName(m[1]!);
  return program === 'env' && m[3] ? programName(m[3]) : program;
}

function heredocScript(heredoc: Heredoc, interpreter: string): RunScript | undefined {
  const text = heredoc.rawContent;
  const program = interpreter === 'SHELL' ? (shebangInterpreter(text) ?? interpreter) : interpreter;
  if (program !== 'SHELL' && !isShLike(program)) return undefined;
  const index = lineIndex(text);
  const origin = heredoc.contentRange.start;
  const position = (offset: number) => {
    const p = positionAt(index, offset);
    return { line: origin.line + p.line, character: p.line === 0 ? origin.character + p.character : p.character };
  };
  const rangeOf: Offsets = (s, e) => ({ start: position(s), end: position(e) });
  const script = shellScript('heredoc', text, program, rangeOf, { tabsStripped: heredoc.chomp });
  const shebangEnd = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  return { ...script, prepend: (command) => ({ range: script.rangeOf(shebangEnd, shebangEnd), newText: `${command}\n` }) };
}

/** The command that reads the here-document `name` on its standard input, if the script has one. */
function readerOf(script: ShellScript, name: string): SimpleCommand | undefined {
  return script.commands.find((c) =>
    c.redirects.some((r) => (r.operator === '<<' || r.operator === '<<-') && (r.fd ?? 0) === 0 && r.target?.value === name),
  );
}

/** `bash <<EOF`, `sh -eux <<EOF`: a shell reading its script from standard input, else undefined. */
function stdinShell(command: SimpleCommand): { name: string; pipefail: boolean } | undefined {
  const call = callOf(command);
  if (!call || !isShLike(call.name.value)) return undefined;
  const values = call.args.map((a) => a.value);
  const reads = values.every((v, i) => (v.startsWith('-') && v !== '-c') || (v === 'pipefail' && i > 0)) || values.includes('-s');
  return reads ? { name: commandName(call.name), pipefail: enablesPipefail(values) } : undefined;
}

function heredocScripts(heredocs: readonly Heredoc[], args: ShellScript): RunScript[] {
  const onlyHeredoc = heredocs.length === 1 && args.commands.length === 1 && args.commands[0]!.words.length === 0;
  if (onlyHeredoc) return [heredocScript(heredocs[0]!, 'SHELL')].filter((s) => s !== undefined);
  const scripts: RunScript[] = [];
  for (const heredoc of heredocs) {
    const reader = readerOf(args, heredoc.name);
    const shell = reader && stdinShell(reader);
    const script = shell && heredocScript(heredoc, shell.name);
    if (script) scripts.push(shell.pipefail ? { ...script, pipefail: true } : script);
  }
  return scripts;
}

/**
 * The scripts of a RUN (or of the RUN an ONBUILD triggers, whose here-documents the ONBUILD holds).
 * The shell form's script comes first, then the here-documents the shell runs, in order.
 */
export function runScripts(instruction: Instruction, heredocs: readonly Heredoc[]): RunScript[] {
  if (instruction.json) {
    const inner = execShellScript(instruction);
    return inner ? [execScript(instruction), inner] : [execScript(instruction)];
  }
  const args = shellScript('shell', instruction.argsText, 'SHELL', (s, e) => argsRange(instruction, s, e));
  return [args, ...heredocScripts(heredocs, args.script)];
}
