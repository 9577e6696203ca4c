/**
 * Docker credential helpers: programs named `docker-credential-NAME` on PATH that keep registry
 * secrets in a keychain. The protocol is the one of docker-credential-helpers' `client` package
 * (https://github.com/docker/docker-credential-helpers): the action is the only argument, the input
 * comes on stdin, the answer (or an error message) on stdout.
 *
 * - `get`: stdin is the server URL; stdout `{"ServerURL","Username","Secret"}`
 * - `store`: stdin `{"ServerURL","Username","Secret"}`
 * - `erase`: stdin is the server URL
 * - `list`: stdout `{"SERVER_URL": "USERNAME", ...}`
 *
 * "credentials not found in native keychain" on stdout means there are none. Secrets never appear in
 * an error: helper output is shown with every known secret masked, and an answer that cannot be
 * parsed is not shown at all.
 */
import { spawn } from 'node:child_process';
import { BerthError, sysCode } from '../errors';

/** The message every helper prints when it has nothing for a server. */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';

/** What a helper keeps for one server. */
export interface HelperCredentials {
  username: string;
  secret: string;
}

/** One credential helper program. */
export interface CredentialHelper {
  /** `docker-credential-NAME`. */
  readonly program: string;
  /** The credentials kept for `serverUrl`, or undefined when there are none. */
  get(serverUrl: string): Promise<HelperCredentials | undefined>;
  store(serverUrl: string, creds: HelperCredentials): Promise<void>;
  /** False when the helper had nothing for `serverUrl`. */
  erase(serverUrl: string): Promise<boolean>;
  /** server URL -> username. */
  list(): Promise<Record<string, string>>;
}

/** The helper `docker-credential-NAME`, looked up on `env.PATH`. */
export function credentialHelper(name: string, options: { env?: NodeJS.ProcessEnv } = {}): CredentialHelper {
  const program = `docker-credential-${name}`;
  const env = options.env ?? process.env;
  const call = (action: string, input: string, secrets: string[] = []): Promise<HelperRun> => runHelper(program, action, input, env, secrets);
  return {
    program,
    async get(serverUrl) {
      const r = await call('get', serverUrl);
      if (!r.ok) {
        if (r.message === CREDENTIALS_NOT_FOUND) return undefined;
        throw helperFailure(program, 'get', serverUrl, r);
      }
      const answer = parseAnswer(program, 'get', r.stdout) as { Username?: unknown; Secret?: unknown };
      const username = typeof answer.Username === 'string' ? answer.Username : '';
      const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
      return username === '' && secret === '' ? undefined : { username, secret };
    },
    async store(serverUrl, creds) {
      const input = JSON.stringify({ ServerURL: serverUrl, Username: creds.username, Secret: creds.secret });
      const r = await call('store', input, [creds.secret]);
      if (!r.ok) throw helperFailure(program, 'store', serverUrl, r);
    },
    async erase(serverUrl) {
      const r = await call('erase', serverUrl);
      if (r.ok) return true;
      if (r.message === CREDENTIALS_NOT_FOUND) return false;
      throw helperFailure(program, 'erase', serverUrl, r);
    },
    async list() {
      const r = await call('list', 'unused');
      if (!r.ok) throw helperFailure(program, 'list', undefined, r);
      const answer = parseAnswer(program, 'list', r.stdout);
      return Object.fromEntries(Object.entries(answer).filter((e): e is [string, string] => typeof e[1] === 'string'));
    },
  } satisfies CredentialHelper;
}

interface HelperRun {
  ok: boolean;
  stdout: string;
  /** The trimmed output to show when it failed, with secrets masked. */
  message: string;
  exitCode: number | null;
}

function runHelper(program: string, action: string, input: string, env: NodeJS.ProcessEnv, secrets: string[]): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // a helper may exit without reading its input
    child.once('error', (e) => {
      const missing = sysCode(e) === 'ENOENT';
      reject(new BerthError('IO', missing
        ? `the credential helper ${program} is not on PATH; install it, or change "credsStore"/"credHelpers" in the Docker config file`
        : `cannot run the credential helper ${program}: ${sysCode(e) ?? 'unknown error'}`));
    });
    child.once('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const shown = (stdout.trim() || Buffer.concat(err).toString('utf8').trim()).slice(0, 500);
      resolve({ ok: code === 0, stdout, message: mask(shown, secrets), exitCode: code });
    });
    child.stdin.end(input);
  });
}

function mask(text: string, secrets: string[]): string {
  let shown = text;
  for (const s of secrets) if (s) shown = shown.split(s).join('***');
  return shown;
}

function parseAnswer(program: string, action: string, stdout: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    // Neither the output nor the parser's message (which quotes the output) may reach the error.
    throw new BerthError('IO', `the credential helper ${program} answered "${action}" with something that is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BerthError('IO', `the credential helper ${program} answered "${action}" with JSON that is not an object`);
  }
  return value as Record<string, unknown>;
}

function helperFailure(program: string, action: string, serverUrl: string | undefined, r: HelperRun): BerthError {
  const target = serverUrl === undefined ? '' : ` for ${serverUrl}`;
  const detail = r.message ? `: ${r.message}` : ` (exit code ${r.exitCode})`;
  return new BerthError('IO', `the credential helper ${program} failed to ${action} credentials${target}${detail}`);
}
