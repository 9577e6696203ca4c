/**
 * docker's `--format` convention (docker/cli cli/command/formatter/formatter.go):
 *
 * - "table …": the rest is a row template; a header line is made by running that same template
 *   over the map of column titles (with headerFunctions, so `{{upper .Name}}` still prints the
 *   title), and header and rows go through the tabwriter (minwidth 10, tabwidth 1, padding 3).
 * - "json": each row as `{{json .}}`.
 * - anything else: each row's output followed by a newline, no header, no alignment.
 *
 * The literal two-character sequences `\t` and `\n` typed on a command line become a tab and a
 * newline before parsing, and surrounding spaces are trimmed, as docker does.
 */
import { BerthError } from '../../engine/errors.js';
import { toGoJSON } from './gojson.js';
import { DOCKER_TABLE, TabWriter } from './tabwriter.js';
import { headerFunctions, marshalJSON, parseTemplate, type Template } from './template.js';

/** What docker prints for `-q`: the IDs alone. */
export const DEFAULT_QUIET_FORMAT = '{{.ID}}';

/** Options of renderFormatted. */
export interface RenderOptions {
  /** Print only IDs (DEFAULT_QUIET_FORMAT), as docker does for `-q`; the format is ignored. */
  quiet?: boolean;
}

/** The template text docker parses for a --format value (Context.preFormat). */
function templateText(format: string): string {
  let text = format;
  if (text.startsWith('table')) text = text.slice('table'.length);
  else if (text === 'json') text = '{{json .}}';
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === ' ') start++;
  while (end > start && text[end - 1] === ' ') end--;
  return text.slice(start, end).replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

function parseFormat(format: string): Template {
  try {
    return parseTemplate(templateText(format));
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `template parsing error: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The row as the template sees it: the same fields, but `{{json .}}` is json.Marshal of the row
 * (HTML-escaped), as docker's formatter.MarshalJSON makes it.
 */
function rowView(row: object): object {
  const marshal = (): string => toGoJSON(row, { escapeHTML: true });
  return new Proxy(row, { get: (target, key, receiver) => (key === marshalJSON ? marshal : Reflect.get(target, key, receiver)) });
}

function renderRow(template: Template, row: object): string {
  try {
    return template.execute(rowView(row)) + '\n';
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `template parsing error: ${(e as Error).message}`, { cause: e });
  }
}

/** The header line; like docker, an error while rendering it keeps what was printed so far. */
function renderHeader(template: Template, headers: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  try {
    template.executeTo((chunk) => out.push(chunk), headers, { functions: headerFunctions });
  } catch {
    // docker ignores the header's execution error (formatter.Context.postFormat).
  }
  return out.join('');
}

/**
 * Renders `rows` with a docker --format value. `headers` maps field names to column titles
 * ({ ID: 'IMAGE ID', Repository: 'REPOSITORY' }) for "table" formats. Throws an INVALID_ARGUMENT
 * BerthError ("template parsing error: …") when the format does not parse or a row fails; no
 * partial output is returned then.
 */
export function renderFormatted(format: string, rows: readonly object[], headers: Readonly<Record<string, string>>, options: RenderOptions = {}): string {
  const source = options.quiet ? DEFAULT_QUIET_FORMAT : format;
  const template = parseFormat(source);
  const body = rows.map((row) => renderRow(template, row));
  if (!source.startsWith('table')) return body.join('');
  const writer = new TabWriter(DOCKER_TABLE);
  writer.write(renderHeader(template, headers));
  writer.write('\n');
  for (const line of body) writer.write(line);
  return writer.flush();
}
