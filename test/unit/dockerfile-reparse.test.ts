// Re-parsing an edited document with the previous tree (`parse(text, { previous })`) gives the same tree as
// a parse from nothing, for random Dockerfiles and random edits (inserts, deletions and replacements of
// pieces that matter to the parser: line ends, continuations, heredoc markers, directives, a BOM), one edit
// after another; and the instructions an edit did not touch are taken as they were.
//
// BERTH_FUZZ_CASES sets the number of cases (default 2000; the long mode runs 100000), BERTH_FUZZ_SEED replays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type DockerfileAst } from '../../src/dockerfile';
import { generate, LINE_ENDS, pick, PIECES, randomLine, rng } from '../helpers/dockerfile-gen';

const CASES = Number(process.env.BERTH_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 0x7e9a);

const INSERTS = [...PIECES, ...LINE_ENDS, '\n', '\n\n', '#', '# c\n', '<<EOF', '<<-EOF\n', 'EOF\n', '\tEOF\n', '# escape=`\n',
  '# escape=\\\n', '# syntax=x\n', '\ufeff', 'RUN ', 'FROM a AS b\n', 'ONBUILD ', '[', '"]', 'x'];

/** One random edit of `text`: an insert, a deletion or a replacement at a random place. */
function edit(r: () => number, text: string): string {
  const at = Math.floor(r() * (text.length + 1));
  const kind = r();
  const piece = r() < 0.2 ? randomLine(r) : pick(r, INSERTS);
  if (kind < 0.4) return text.slice(0, at) + piece + text.slice(at);
  const end = Math.min(text.length, at + 1 + Math.floor(r() * (r() < 0.7 ? 3 : 40)));
  if (kind < 0.7) return text.slice(0, at) + text.slice(end);
  return text.slice(0, at) + piece + text.slice(end);
}

test(`parse with the previous tree equals a parse from nothing: ${CASES} documents, 1-4 edits each (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    let text = generate(r, i);
    let previous: DockerfileAst = parse(text);
    const edits = 1 + Math.floor(r() * 4);
    for (let e = 0; e < edits; e++) {
      const before = text;
      text = edit(r, text);
      const again = parse(text, { previous });
      try {
        assert.deepStrictEqual(again, parse(text));
      } catch (err) {
        assert.fail(`case ${i}, edit ${e} (seed ${SEED}):\nbefore: ${JSON.stringify(before)}\nafter:  ${JSON.stringify(text)}\n${(err as Error).message.slice(0, 2000)}`);
      }
      previous = again;
    }
  }
});

const DOCKERFILE = Array.from({ length: 40 }, (_, i) => `FROM base${i} AS s${i}\nRUN apt-get update && \\\n    apt-get install -y curl # ${i}\nCOPY <<EOF /f${i}\nline ${i}\nEOF\n`).join('');

test('an edit within a line re-reads only that instruction; the others are the same objects', () => {
  const first = parse(DOCKERFILE);
  const at = DOCKERFILE.indexOf('install -y curl # 20');
  const text = DOCKERFILE.slice(0, at) + 'install -y --no-install-recommends curl # 20' + DOCKERFILE.slice(at + 'install -y curl # 20'.length);
  const again = parse(text, { previous: first });
  assert.deepStrictEqual(again, parse(text));
  const changed = again.instructions.filter((ins, k) => ins !== first.instructions[k]);
  assert.deepEqual(changed.map((ins) => ins.range.start.line), [20 * 6 + 1]);
  assert.match(changed[0]!.text, /--no-install-recommends curl # 20$/);
  assert.equal(again.instructions.length, first.instructions.length);
});

test('an edit that adds a line keeps the instructions before it and re-reads those after it (their lines moved)', () => {
  const first = parse(DOCKERFILE);
  const at = DOCKERFILE.indexOf('FROM base30');
  const text = DOCKERFILE.slice(0, at) + 'ENV A=1\n' + DOCKERFILE.slice(at);
  const again = parse(text, { previous: first });
  assert.deepStrictEqual(again, parse(text));
  const kept = again.instructions.filter((ins) => first.instructions.includes(ins)).length;
  assert.equal(kept, 30 * 3);
  assert.equal(again.instructions[30 * 3]!.text, 'ENV A=1');
});

test('a changed escape directive re-reads every instruction', () => {
  const text = '# escape=`\nFROM a\nRUN echo \\\nCMD x\n';
  const first = parse(text);
  const changed = text.replace('escape=`', 'escape=\\');
  const again = parse(changed, { previous: first });
  assert.deepStrictEqual(again, parse(changed));
  assert.equal(again.instructions.length, 2);
  assert.equal(again.instructions[1]!.text, 'RUN echo CMD x');
});
