/** `berth history`: the layers of an image, newest first, as `docker history` prints them. */
import type { Command } from '../command';
import { renderFormatted } from '../format/table';
import { ellipsis, formatGoTime, humanDuration, humanSize } from '../format/units';
import { shortId } from '../../engine/oci/digest';

const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

export const historyCommand: Command = {
  path: ['image', 'history'],
  aliases: [['history']],
  usage: '[OPTIONS] IMAGE',
  summary: 'Show the history of an image',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'format', kind: 'string', valueName: 'string', description: 'Pretty-print images using a Go template' },
    { name: 'human', short: 'H', kind: 'bool', default: true, description: 'Print sizes and dates in human readable format' },
    { name: 'no-trunc', kind: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only show image IDs' },
  ],
  async run(ctx, flags, [name]) {
    const rows = await (await ctx.engine()).history(name!);
    const human = flags.human !== false;
    const trunc = !flags['no-trunc'];
    const now = Date.now();
    const data = rows.map((r) => {
      const t = r.created ? Date.parse(r.created) : NaN;
      const createdBy = r.createdBy.replace(/\t/g, ' ');
      return {
        Comment: r.comment,
        CreatedAt: Number.isNaN(t) ? '' : human ? formatGoTime(new Date(t)) : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
        CreatedSince: Number.isNaN(t) || t <= 0 ? 'N/A' : human ? `${humanDuration(now - t)} ago` : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ID: r.id === '<missing>' ? r.id : trunc ? shortId(r.id) : r.id,
        Size: human ? humanSize(r.size) : String(r.size),
      };
    });
    let format = (flags.format as string | undefined) ?? '';
    if (flags.quiet) format = '{{.ID}}';
    else if (!format || format === 'table') format = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    ctx.stdout.write(renderFormatted(format, data, HEADERS));
  },
};
