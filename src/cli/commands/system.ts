/** `berth system check` and `berth system df`: the health and the disk usage of the store. */
import type { Command } from '../command';
import { EXIT_FAILURE } from '../command';
import { renderFormatted } from '../format/table';
import { humanDuration, humanSize } from '../format/units';
import { familiarRepository, tryParseReference } from '../../engine/ref/reference';
import { shortId } from '../../engine/oci/digest';

export const checkCommand: Command = {
  path: ['system', 'check'],
  usage: '',
  summary: 'Verify every blob and reference of the image store',
  maxArgs: 0,
  flags: [],
  async run(ctx) {
    const engine = await ctx.engine();
    const report = await engine.check();
    for (const p of report.problems) ctx.out(`ERROR ${p.subject}: ${p.message}`);
    const summary = `${report.images} image${report.images === 1 ? '' : 's'}, ${report.blobs} blob${report.blobs === 1 ? '' : 's'} (${humanSize(report.bytes)}) in ${engine.location}`;
    if (report.problems.length) {
      ctx.out(`Checked ${summary}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found.`);
      ctx.out('Remove the damaged images with "berth rmi" and pull, load or build them again.');
      return EXIT_FAILURE;
    }
    ctx.out(`Checked ${summary}: no problems found.`);
    if (report.leftovers) ctx.out(`${report.leftovers} leftover temporary file${report.leftovers === 1 ? '' : 's'} from interrupted work will be removed by the next "berth image prune".`);
  },
};

export const dfCommand: Command = {
  path: ['system', 'df'],
  usage: '[OPTIONS]',
  summary: 'Show the space images use: their logical size against the bytes on disk (shared layers counted once)',
  maxArgs: 0,
  flags: [{ name: 'verbose', short: 'v', kind: 'bool', description: 'Show detailed information on space usage' }],
  async run(ctx, flags) {
    const du = await (await ctx.engine()).diskUsage();
    ctx.stdout.write(renderFormatted('table {{.Type}}\t{{.Total}}\t{{.Size}}\t{{.OnDisk}}\t{{.Reclaimable}}', [{
      Type: 'Images', Total: String(du.images), Size: humanSize(du.logical), OnDisk: humanSize(du.used), Reclaimable: humanSize(du.unreferenced),
    }], { Type: 'TYPE', Total: 'TOTAL', Size: 'SIZE', OnDisk: 'ON DISK', Reclaimable: 'RECLAIMABLE' }));
    if (!flags.verbose) return;
    const now = Date.now();
    const rows = du.perImage.flatMap((i) => {
      const base = {
        ID: shortId(i.id), Size: humanSize(i.size), SharedSize: humanSize(i.shared), UniqueSize: humanSize(i.unique),
        CreatedSince: i.created ? `${humanDuration(now - Date.parse(i.created))} ago` : 'N/A',
      };
      const names = i.tags.flatMap((t) => {
        const r = tryParseReference(t);
        return r.ok ? [r.ref] : [];
      });
      if (!names.length) return [{ ...base, Repository: '<none>', Tag: '<none>' }];
      return names.map((r) => ({ ...base, Repository: familiarRepository(r), Tag: r.tag ?? '<none>' }));
    });
    ctx.out('\nImages space usage:\n');
    ctx.stdout.write(renderFormatted('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}', rows, {
      Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
    }));
  },
};
