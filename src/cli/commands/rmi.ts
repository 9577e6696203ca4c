/** `berth rmi` / `berth image rm`: untag, or delete an image and the blobs no other image uses. */
import type { Command } from '../command';
import { EXIT_FAILURE } from '../command';
import { isBerthError } from '../../engine/errors';

export const rmiCommand: Command = {
  path: ['image', 'rm'],
  aliases: [['rmi'], ['image', 'remove']],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Remove one or more images',
  minArgs: 1,
  flags: [
    { name: 'force', short: 'f', kind: 'bool', description: 'Force removal of the image' },
    { name: 'no-prune', kind: 'bool', description: 'Do not delete untagged parents (Berth keeps no parent images, so there are none to delete)' },
  ],
  async run(ctx, flags, names) {
    const { events, errors } = await (await ctx.engine()).remove(names, { force: Boolean(flags.force) });
    for (const e of events) ctx.out('untagged' in e ? `Untagged: ${e.untagged}` : `Deleted: ${e.deleted}`);
    for (const e of errors) ctx.err(`Error: ${e.message}`);
    // As docker: with --force, images that do not exist are reported but do not fail the command.
    const fatal = errors.some((e) => !isBerthError(e, 'NOT_FOUND'));
    return errors.length && (!flags.force || fatal) ? EXIT_FAILURE : 0;
  },
};
