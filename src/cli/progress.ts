/**
 * Per-layer progress as the docker CLI shows it: on a terminal, one line per layer redrawn in place
 * with a bar and bytes; elsewhere, one line per change of status (no byte counts), so logs stay short.
 */
import type { Writable } from 'node:stream';
import { humanSize } from './format/units';

/** One layer's state. */
interface Row {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

const BAR = 50;

function bar(current: number, total: number): string {
  const filled = Math.min(BAR, Math.floor((current / Math.max(1, total)) * BAR));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(BAR - filled)}] ${humanSize(current)}/${humanSize(total)}`;
}

/** Renders layer statuses to a stream. */
export class LayerProgress {
  private readonly rows: Row[] = [];
  private drawn = 0;
  private lastDraw = 0;

  constructor(private readonly out: Writable, private readonly tty: boolean) {}

  /** Prints a line that is not about a layer (above the layer block on a terminal). */
  line(text: string): void {
    if (this.tty) this.clear();
    this.out.write(text + '\n');
    if (this.tty) this.draw(true);
  }

  /** Records a layer's new status; byte counts only show on a terminal. */
  update(id: string, status: string, current?: number, total?: number): void {
    let row = this.rows.find((r) => r.id === id);
    const changed = !row || row.status !== status;
    if (!row) {
      row = { id, status };
      this.rows.push(row);
    }
    Object.assign(row, { status, current, total });
    if (this.tty) this.draw(changed);
    else if (changed && current === undefined) this.out.write(`${id}: ${status}\n`);
  }

  /** Ends the block (a terminal keeps the final lines). */
  finish(): void {
    if (this.tty) this.draw(true);
    this.rows.length = 0;
    this.drawn = 0;
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.clear();
    for (const r of this.rows) {
      const detail = r.current !== undefined && r.total !== undefined ? ` ${bar(r.current, r.total)}` : '';
      this.out.write(`${r.id}: ${r.status}${detail}\n`);
    }
    this.drawn = this.rows.length;
  }
}
