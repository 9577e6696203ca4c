// Per-layer progress: redrawn in place with a bar on a terminal; one line per status change elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { LayerProgress } from '../../src/cli/progress';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString() };
}

test('without a terminal: one line per status change, no byte counts', () => {
  const { out, text } = capture();
  const p = new LayerProgress(out, false);
  p.line('1: Pulling from team/app');
  p.update('aaaaaaaaaaaa', 'Pulling fs layer');
  p.update('aaaaaaaaaaaa', 'Downloading', 10, 100);
  p.update('aaaaaaaaaaaa', 'Downloading', 50, 100);
  p.update('aaaaaaaaaaaa', 'Pull complete');
  p.finish();
  assert.equal(text(), '1: Pulling from team/app\naaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Pull complete\n');
});

test('on a terminal: the layer block is redrawn in place with a bar and sizes', () => {
  const { out, text } = capture();
  const p = new LayerProgress(out, true);
  p.update('aaaaaaaaaaaa', 'Pulling fs layer');
  p.update('bbbbbbbbbbbb', 'Pulling fs layer');
  p.update('aaaaaaaaaaaa', 'Downloading', 2_000_000, 4_000_000);
  p.finish();
  const t = text();
  assert.match(t, /\x1b\[2A\x1b\[J/, 'moves up over the two layer lines and clears them');
  assert.match(t, /aaaaaaaaaaaa: Downloading \[=+>\s+\] 2MB\/4MB\n/);
  assert.ok(t.endsWith('bbbbbbbbbbbb: Pulling fs layer\n'));
});
