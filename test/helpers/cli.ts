// Runs the berth CLI in this process with captured output, against a store in a temporary folder.
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export { tempDir } from './tmp';

/** Runs `berth --root ROOT ...args`, feeding `stdin` when given. */
export async function berth(root: string, args: string[], options: { stdin?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; stdinIsTTY?: boolean } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await runCli(['--root', root, ...args], {
    stdout, stderr, stdin, stdinIsTTY: options.stdinIsTTY ?? false, stdoutIsTTY: false, env: options.env ?? { ...process.env }, cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
