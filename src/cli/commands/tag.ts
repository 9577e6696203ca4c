/** `berth tag SOURCE TARGET`: another name for an image. */
import type { Command } from '../command';

export const tagCommand: Command = {
  path: ['image', 'tag'],
  aliases: [['tag']],
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  minArgs: 2,
  maxArgs: 2,
  flags: [],
  async run(ctx, _flags, [source, target]) {
    await (await ctx.engine()).tag(source!, target!);
  },
};
