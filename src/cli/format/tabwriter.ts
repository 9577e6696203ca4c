/**
 * Elastic tabstops, as Go's text/tabwriter computes them and docker's fork of it prints them
 * (docker/cli cli/command/formatter/tabwriter, which measures cells by display width).
 *
 * Text is made of cells terminated by a tab ('\t', or '\v' for a soft tab) or a line break
 * ('\n', or '\f' which also ends every column). Tab-terminated cells in consecutive lines form
 * a column; each cell of a column is padded to max(minWidth, widest cell + padding). The last
 * cell of a line is not part of a column and is never padded.
 * See https://pkg.go.dev/text/tabwriter and http://nickgravgaard.com/elastictabstops/.
 */
import { displayWidth } from './width.js';

/** How a TabWriter lays out columns. */
export interface TabWriterOptions {
  /** Minimal cell width, padding included. */
  minWidth?: number;
  /** Width of a tab character, used when padChar is '\t'. */
  tabWidth?: number;
  /** Cells added to the widest text of a column. */
  padding?: number;
  /** Character used to pad; with '\t' cells are always left-aligned. */
  padChar?: string;
  /** Right-align cell contents instead of left. */
  alignRight?: boolean;
}

/** The settings docker uses for its tables: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`. */
export const DOCKER_TABLE: Required<TabWriterOptions> = { minWidth: 10, tabWidth: 1, padding: 3, padChar: ' ', alignRight: false };

interface Cell {
  readonly text: string;
  readonly width: number;
  /** Terminated by a hard tab ('\t') rather than a soft one or a line break. */
  readonly htab: boolean;
}

/**
 * Collects text with write() and returns it aligned from flush(). Lines are formatted as soon as
 * a line without tab-terminated cells ends every column, so memory stays bounded by a block.
 */
export class TabWriter {
  private readonly opts: Required<TabWriterOptions>;
  private lines: Cell[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private out: string[] = [];

  constructor(options: TabWriterOptions = {}) {
    this.opts = { ...DOCKER_TABLE, ...options };
    const { minWidth, tabWidth, padding } = this.opts;
    if (minWidth < 0 || tabWidth < 0 || padding < 0) throw new RangeError('negative minWidth, tabWidth, or padding');
    if (this.opts.padChar === '\t') this.opts.alignRight = false;
  }

  /** Adds text; nothing is returned until flush(). */
  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 0x09 && ch !== 0x0b && ch !== 0x0a && ch !== 0x0c) continue;
      this.cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === 0x09);
      if (ch === 0x0a || ch === 0x0c) {
        this.lines.push([]);
        if (ch === 0x0c || ncells === 1) this.formatAll();
      }
    }
    this.cell += text.slice(start);
  }

  /** Formats everything written so far and returns the output not yet returned. */
  flush(): string {
    if (this.cell.length > 0) this.terminateCell(false);
    this.formatAll();
    const result = this.out.join('');
    this.out = [];
    return result;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1];
    line.push({ text: this.cell, width: displayWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private formatAll(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  /** Go's recursive column-block algorithm: widths[] holds the columns to the left. */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= this.lines[row].length - 1) continue;
      this.writeLines(line0, row);
      line0 = row;
      let width = this.opts.minWidth;
      for (; row < line1; row++) {
        const line = this.lines[row];
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column].width + this.opts.padding);
      }
      this.widths.push(width);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      line.forEach((c, j) => {
        const padded = j < this.widths.length;
        if (c.text.length === 0) {
          if (padded) this.pad(c.width, this.widths[j]);
        } else if (!this.opts.alignRight) {
          this.out.push(c.text);
          if (padded) this.pad(c.width, this.widths[j]);
        } else {
          if (padded) this.pad(c.width, this.widths[j]);
          this.out.push(c.text);
        }
      });
      if (i + 1 < this.lines.length) this.out.push('\n');
    }
  }

  private pad(textWidth: number, cellWidth: number): void {
    const { padChar, tabWidth } = this.opts;
    if (padChar !== '\t') {
      this.out.push(padChar.repeat(cellWidth - textWidth));
      return;
    }
    if (tabWidth === 0) return;
    const rounded = Math.ceil(cellWidth / tabWidth) * tabWidth;
    this.out.push('\t'.repeat(Math.ceil((rounded - textWidth) / tabWidth)));
  }
}

/** Aligns tab-separated `text` in one go (docker's table settings unless told otherwise). */
export function formatTable(text: string, options?: TabWriterOptions): string {
  const writer = new TabWriter(options);
  writer.write(text);
  return writer.flush();
}
