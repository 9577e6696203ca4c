// The key=value pairs of ENV, LABEL and ARG (src/dockerfile/key-values.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseKeyValues, type Range } from '../../src/dockerfile';

const r = (sl: number, sc: number, el: number, ec: number): Range => ({
  start: { line: sl, character: sc },
  end: { line: el, character: ec },
});

function pairsOf(text: string) {
  const ast = parse(text);
  const instruction = ast.instructions[ast.instructions.length - 1]!;
  return parseKeyValues(instruction, ast.escapeChar);
}

test('key-values: k=v pairs with quotes removed, raw text and ranges kept', () => {
  const kv = pairsOf('ENV a=1 b="two words" c=\'$x\' d=e\\ f "g h"=i');
  assert.equal(kv.legacy, false);
  assert.deepEqual(kv.problems, []);
  assert.deepEqual(
    kv.pairs.map((p) => [p.key, p.value, p.rawKey, p.rawValue]),
    [
      ['a', '1', 'a', '1'],
      ['b', 'two words', 'b', '"two words"'],
      ['c', '$x', 'c', "'$x'"],
      ['d', 'e f', 'd', 'e\\ f'],
      ['g h', 'i', '"g h"', 'i'],
    ],
  );
  assert.deepEqual([kv.pairs[1]!.keyRange, kv.pairs[1]!.valueRange, kv.pairs[1]!.range], [r(0, 8, 0, 9), r(0, 10, 0, 21), r(0, 8, 0, 21)]);
});

test('key-values: the legacy form takes the rest of the line as the value', () => {
  const kv = pairsOf('ENV PATH /usr/local/bin:$PATH  "and more"');
  assert.equal(kv.legacy, true);
  assert.deepEqual(kv.pairs.map((p) => [p.key, p.rawValue, p.value]), [
    ['PATH', '/usr/local/bin:$PATH  "and more"', '/usr/local/bin:$PATH  and more'],
  ]);
  assert.deepEqual(kv.pairs[0]!.valueRange, r(0, 9, 0, 41));
});

test('key-values: pairs across continuation lines map back to their lines', () => {
  const kv = pairsOf('LABEL a=1 \\\n      b="x \\\n   y"\n');
  assert.deepEqual(kv.pairs.map((p) => [p.key, p.value]), [
    ['a', '1'],
    ['b', 'x    y'],
  ]);
  assert.deepEqual(kv.pairs[1]!.keyRange, r(1, 6, 1, 7));
  assert.deepEqual(kv.pairs[1]!.valueRange, r(1, 8, 2, 5));
});

test('key-values: ARG takes names with or without a default', () => {
  const kv = pairsOf('ARG A B=2 C=');
  assert.deepEqual(kv.pairs.map((p) => [p.key, p.value]), [
    ['A', undefined],
    ['B', '2'],
    ['C', ''],
  ]);
  assert.equal(kv.pairs[0]!.valueRange, undefined);
});

test('key-values: the file escape character is used', () => {
  const kv = pairsOf('# escape=`\nENV a=x`"y b="c\\d"');
  assert.deepEqual(kv.pairs.map((p) => [p.key, p.value]), [
    ['a', 'x"y'],
    ['b', 'c\\d'],
  ]);
});

test('key-values: what BuildKit refuses comes back as problems', () => {
  assert.deepEqual(pairsOf('ENV PATH').problems.map((p) => p.message), ['ENV must have two arguments']);
  assert.deepEqual(pairsOf('LABEL a=b c d=e').problems.map((p) => [p.code, p.range]), [['missing-equals', r(0, 10, 0, 11)]]);
  assert.deepEqual(pairsOf('ENV').pairs, []);
});
