/**
 * What a simple command runs: its variable assignments, the reserved words before it (`if`, `then`,
 * `do`, `!`, `{`), and commands that only run another one (`sudo`, `env`, `xargs`, `nohup`...) set
 * aside, so that `DEBIAN_FRONTEND=noninteractive sudo apt-get install` is seen as `apt-get install`.
 */
import type { ShellWord, SimpleCommand } from './script';

/** A command and its arguments. */
export interface CommandCall {
  /** The command word, e.g. `apt-get` or `/usr/bin/pip3`. */
  name: ShellWord;
  args: ShellWord[];
  /** `NAME=value` words before the command (also those given to `env`). */
  assignments: ShellWord[];
  /** The commands that run this one, outermost first, e.g. `sudo`. */
  wrappers: ShellWord[];
}

/** Reserved words that may come before a command. */
const LEADING_RESERVED = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'do', 'while', 'until', 'time']);
/** Reserved words that start something other than a command call. */
const NOT_A_CALL = new Set(['for', 'case', 'select', 'function', 'in', 'fi', 'done', 'esac', '[[', '((']);

/** How a wrapper command reads its options before the command it runs. */
interface WrapperSyntax {
  /** Options that take the next word as their value. */
  valued: ReadonlySet<string>;
  /** Words after the options that are not the command (the duration of `timeout`). */
  operands?: number;
  /** Takes `NAME=value` words before the command (`env`). */
  assignments?: boolean;
  /** With one of these options the command does not run anything (`command -v`). */
  queries?: ReadonlySet<string>;
}

const WRAPPERS: ReadonlyMap<string, WrapperSyntax> = new Map<string, WrapperSyntax>([
  ['sudo', { valued: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '--user', '--group', '--host', '--prompt', '--chdir', '--close-from', '--role', '--type', '--command-timeout', '--other-user']) }],
  ['env', { valued: new Set(['-u', '-C', '--unset', '--chdir']), assignments: true }],
  ['xargs', { valued: new Set(['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s', '--arg-file', '--delimiter', '--max-lines', '--max-args', '--max-procs', '--max-chars']) }],
  ['nohup', { valued: new Set() }],
  ['exec', { valued: new Set(['-a']) }],
  ['nice', { valued: new Set(['-n', '--adjustment']) }],
  ['time', { valued: new Set(['-f', '-o', '--format', '--output']) }],
  ['timeout', { valued: new Set(['-s', '-k', '--signal', '--kill-after']), operands: 1 }],
  ['command', { valued: new Set(), queries: new Set(['-v', '-V']) }],
  ['eatmydata', { valued: new Set() }],
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The last element of a program path: `/usr/bin/apt-get` gives `apt-get`. */
export function programName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The program a command word names, without its directory. */
export function commandName(word: ShellWord): string {
  return programName(word.value);
}

function isAssignment(word: ShellWord): boolean {
  return !word.expands && ASSIGNMENT.test(word.value);
}

/** Skips a wrapper's options (and operands); returns the index of the command it runs, or -1 for none. */
function afterWrapper(words: readonly ShellWord[], i: number, syntax: WrapperSyntax, assignments: ShellWord[]): number {
  let operands = syntax.operands ?? 0;
  while (i < words.length) {
    const w = words[i]!.value;
    if (w === '--') return i + 1;
    if (syntax.queries?.has(w)) return -1;
    if (w.startsWith('-') && w.length > 1) i += syntax.valued.has(w) ? 2 : 1;
    else if (syntax.assignments && isAssignment(words[i]!)) assignments.push(words[i++]!);
    else if (operands > 0) {
      operands--;
      i++;
    } else return i;
  }
  return i;
}

/** The command a simple command runs, or undefined when it runs none (only assignments, `for ...`). */
export function callOf(command: SimpleCommand): CommandCall | undefined {
  const words = command.words;
  let i = 0;
  while (i < words.length && !words[i]!.quoted && LEADING_RESERVED.has(words[i]!.value)) i++;
  if (i < words.length && !words[i]!.quoted && NOT_A_CALL.has(words[i]!.value)) return undefined;
  const assignments: ShellWord[] = [];
  while (i < words.length && isAssignment(words[i]!)) assignments.push(words[i++]!);
  const wrappers: ShellWord[] = [];
  while (i < words.length) {
    const syntax = WRAPPERS.get(commandName(words[i]!));
    if (!syntax || words[i]!.expands) break;
    const next = afterWrapper(words, i + 1, syntax, assignments);
    if (next < 0 || next >= words.length) break;
    wrappers.push(words[i]!);
    i = next;
  }
  if (i >= words.length) return undefined;
  return { name: words[i]!, args: words.slice(i + 1), assignments, wrappers };
}

/**
 * Whether options may hide in variables: a `$VAR` word before `subcommand` (`apt-get $OPTS install`), or
 * one whose name says it holds options (`pip install $PIP_FLAGS -r requirements.txt`).
 */
export function optionsMayHide(args: readonly ShellWord[], subcommand: ShellWord): boolean {
  return args.some((a) => a.expands && (a.start < subcommand.start || /^\$\{?\w*(opt|flag|arg)/i.test(a.value)));
}
