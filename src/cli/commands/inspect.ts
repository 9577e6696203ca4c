/** `berth inspect` / `berth image inspect`: Docker's inspect JSON, or a Go template over it. */
import type { Command } from '../command';
import { EXIT_FAILURE } from '../command';
import { parseTemplate } from '../format/template';
import { dockerJson } from '../format/json';
import { isBerthError } from '../../engine/errors';

export const inspectCommand: Command = {
  path: ['image', 'inspect'],
  aliases: [['inspect']],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Display detailed information on one or more images',
  minArgs: 1,
  flags: [{ name: 'format', short: 'f', kind: 'string', valueName: 'string', description: 'Format output using a custom template' }],
  async run(ctx, flags, names) {
    const engine = await ctx.engine();
    const template = flags.format ? parseTemplate(String(flags.format).replace(/\\t/g, '\t').replace(/\\n/g, '\n')) : undefined;
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const name of names) {
      try {
        found.push(await engine.inspect(name));
      } catch (e) {
        if (!isBerthError(e, 'NOT_FOUND', 'INVALID_REFERENCE', 'AMBIGUOUS')) throw e;
        errors.push(e.message);
      }
    }
    if (template) for (const item of found) ctx.out(template.execute(item));
    else ctx.out(dockerJson(found, '    '));
    for (const e of errors) ctx.err(`Error: ${e}`);
    return errors.length ? EXIT_FAILURE : 0;
  },
};
