/** `berth login` and `berth logout`: credentials for a registry, kept as the docker CLI keeps them. */
import type { Command, CommandContext } from '../command';
import { UsageError } from '../args';
import { readLine, readSecret } from '../prompt';

/** Asks for a username and password on the terminal. */
export async function askCredentials(ctx: CommandContext, username?: string): Promise<{ username: string; password: string }> {
  if (!ctx.stdinIsTTY) throw new UsageError('Cannot perform an interactive login from a non TTY device');
  let user = username;
  if (!user) {
    ctx.stderr.write('Username: ');
    user = (await readLine(ctx.stdin)).trim();
  }
  ctx.stderr.write('Password: ');
  const password = await readSecret(ctx.stdin);
  ctx.stderr.write('\n');
  return { username: user, password };
}

export const loginCommand: Command = {
  path: ['login'],
  usage: '[OPTIONS] [SERVER]',
  summary: 'Log in to a registry.\nIf no server is specified, Docker Hub is used.',
  maxArgs: 1,
  flags: [
    { name: 'password', short: 'p', kind: 'string', valueName: 'string', description: 'Password' },
    { name: 'password-stdin', kind: 'bool', description: 'Take the password from stdin' },
    { name: 'username', short: 'u', kind: 'string', valueName: 'string', description: 'Username' },
  ],
  async run(ctx, flags, [server]) {
    let username = flags.username as string | undefined;
    let password = flags.password as string | undefined;
    if (flags['password-stdin']) {
      if (password) throw new UsageError('--password and --password-stdin are mutually exclusive');
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = (await readLine(ctx.stdin)).replace(/\r?\n$/, '').trim();
    } else if (password) {
      ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
    }
    if (!username || !password) ({ username, password } = await askCredentials(ctx, username));
    const { where, plaintext } = await (await ctx.engine()).login(server, { username: username!, password: password! });
    if (plaintext) ctx.err(`WARNING! Your password will be stored unencrypted in ${where}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credential-stores\n`);
    ctx.out('Login Succeeded');
  },
};

export const logoutCommand: Command = {
  path: ['logout'],
  usage: '[SERVER]',
  summary: 'Log out from a registry.\nIf no server is specified, Docker Hub is used.',
  maxArgs: 1,
  flags: [],
  async run(ctx, _flags, [server]) {
    const { domain, removed } = await (await ctx.engine()).logout(server);
    const shown = server ?? (domain === 'docker.io' ? 'https://index.docker.io/v1/' : domain);
    if (!removed) {
      ctx.out(`Not logged in to ${shown}`);
      return;
    }
    ctx.out(`Removing login credentials for ${shown}`);
  },
};
