/**
 * The shape of a CLI command and the context it runs in. Commands are a few lines over the engine:
 * parse, one engine call, print.
 */
import type { Readable, Writable } from 'node:stream';
import type { ImageEngine } from '../engine/engine';
import type { FlagSpec, FlagValues } from './args';

/** Where a command reads and writes, and how it reaches the engine. */
export interface CommandContext {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Opens the engine on first use (so `--help` never touches the store). */
  engine(): Promise<ImageEngine>;
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
  /** Asks a yes/no question on standard error and reads the answer from standard input. */
  confirm(question: string): Promise<boolean>;
}

/** A CLI verb, e.g. `image ls` with its alias `images`. */
export interface Command {
  /** The canonical words, e.g. ['image', 'ls']. */
  path: string[];
  /** Other spellings, e.g. [['images'], ['image', 'list']]. */
  aliases?: string[][];
  /** The arguments part of the usage line, e.g. '[OPTIONS] [REPOSITORY[:TAG]]'. */
  usage: string;
  summary: string;
  flags: FlagSpec[];
  minArgs?: number;
  maxArgs?: number;
  /** Returns the exit code (0 when omitted). */
  run(ctx: CommandContext, flags: FlagValues, args: string[]): Promise<number | void>;
}

/** The exit code of a failed operation; usage mistakes exit 125 as in the docker CLI. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 125;
