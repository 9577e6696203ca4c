// Random and mutated Dockerfiles for property tests (the parser's and the language server's).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../../src/dockerfile';
import { seededRandom } from './random';

/** The seeded random source of these generators (see random.ts). */
export const rng = seededRandom;

const corpusDir = join(__dirname, '..', 'fixtures', 'dockerfile', 'buildkit');
const corpus = readdirSync(corpusDir).map((n) => readFileSync(join(corpusDir, n, 'Dockerfile'), 'utf8'));

export const KEYWORDS = ['FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'ENV', 'ARG', 'LABEL', 'EXPOSE', 'USER', 'WORKDIR',
  'VOLUME', 'SHELL', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER', 'from', 'Run', 'cOpY', 'BOGUS', ''];
export const PIECES = ['a', 'b=c', 'k="v 2"', "'q'", '"', "'", '\\', '`', '\\\\', '$x', '${x}', '${x:-w}', '${x-w}', '${x:+w}',
  '${x+w}', '${x:?m}', '${x?}', '${x#*/}', '${x%%.*}', '${x//a/b}', '${', '${}', '${x:', '$', '<<EOF', '<<-EOF',
  "<<'EOF'", '<<"E"', '3<<X', '<<', '<<-', '[', ']', '["a"]', '["a",', "['a']", '[1]', '[["x"]]', '{"a":1}', '--',
  '--flag', '--mount=type=cache,target=/x', '--chown="a b"', '-x', 'AS', 'as', 'stage', '#', '# c', '=', '==',
  '😀', 'é', '\u00a0', '\u2028', '\u0085', '\ud800', '\udc00', '\u0000', '\t', ' ', '\r', '\v', '\f', 'ONBUILD',
  'RUN', 'EOF', 'X', 'E', '\uFEFF', '\\ ', '`  '];
export const LINE_ENDS = ['\n', '\n', '\n', '\r\n', '\r', ' \\\n', '\\\n', '`\n', '\\\r\n', '\\ \t\n', ''];

export function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

export function randomLine(r: () => number): string {
  const kind = r();
  if (kind < 0.08) return pick(r, ['# syntax=docker/dockerfile:1', '# escape=`', '#escape=\\', '# check=skip=all', '# x', '']);
  if (kind < 0.13) return pick(r, ['EOF', 'X', 'E', '\tEOF', 'A', 'B']);
  let line = pick(r, KEYWORDS);
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) line += pick(r, [' ', ' ', '\t', '']) + pick(r, PIECES);
  return line;
}

export function randomDockerfile(r: () => number): string {
  let text = r() < 0.05 ? '\uFEFF' : '';
  const lines = Math.floor(r() * 14);
  for (let i = 0; i < lines; i++) text += randomLine(r) + pick(r, LINE_ENDS);
  return text;
}

export function randomJunk(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 200);
  for (let i = 0; i < n; i++) s += String.fromCharCode(r() < 0.7 ? Math.floor(r() * 128) : Math.floor(r() * 0x10000));
  return s;
}

export function mutate(r: () => number, text: string): string {
  let t = text;
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = r();
    if (op < 0.3) t = t.slice(0, at);
    else if (op < 0.6) t = t.slice(0, at) + pick(r, PIECES) + t.slice(at);
    else if (op < 0.8) t = t.slice(0, at) + t.slice(at + Math.floor(r() * 40));
    else t = t.slice(0, at) + pick(r, LINE_ENDS) + t.slice(at);
  }
  return t;
}

export function generate(r: () => number, i: number): string {
  switch (i % 4) {
    case 0:
      return randomDockerfile(r);
    case 1:
      return mutate(r, pick(r, corpus));
    case 2:
      return randomJunk(r);
    default:
      return mutate(r, randomDockerfile(r));
  }
}

/** Line lengths as LSP counts them (line breaks `\r\n`, `\n`, lone `\r`). */
export function lspLineLengths(text: string): number[] {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    lengths.push(i - start);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  lengths.push(text.length - start);
  return lengths;
}

export function isPosition(v: unknown): v is Position {
  return typeof v === 'object' && v !== null && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
}

