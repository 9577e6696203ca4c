// Test texts for the language features: a cursor mark in a Dockerfile, and the Dockerfiles of the fixtures.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../../src/dockerfile';

/** Marks where the cursor is in a test text. */
export const CURSOR = '‸';

/** The text without the cursor mark, and the position of the mark. */
export function at(source: string): { text: string; position: Position } {
  const i = source.indexOf(CURSOR);
  assert.ok(i >= 0, 'the test text marks the cursor');
  const text = source.slice(0, i) + source.slice(i + CURSOR.length);
  const lines = text.slice(0, i).split(/\r\n|\r|\n/);
  return { text, position: { line: lines.length - 1, character: lines[lines.length - 1]!.length } };
}

/** Every file named `Dockerfile` below `dir`. */
export function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...fixtureFiles(p));
    else if (name === 'Dockerfile') out.push(p);
  }
  return out;
}
