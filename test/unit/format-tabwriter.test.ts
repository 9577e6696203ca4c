import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTable, TabWriter } from '../../src/cli/format/tabwriter.js';
import { displayWidth } from '../../src/cli/format/width.js';

describe('tabwriter with docker settings (minwidth 10, tabwidth 1, padding 3)', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['short cells get the minimum width', 'a\tb\tc\n', 'a         b         c\n'],
    ['the widest cell plus padding sets the width', 'NAME\tID\nlonger-name-here\tx\n', 'NAME' + ' '.repeat(15) + 'ID\nlonger-name-here   x\n'],
    ['the last cell of a line is not padded', 'a\tb\nc\td\n', 'a         b\nc         d\n'],
    ['a line without tabs ends the column block', 'a\tb\nno tabs here at all\nlonger-cell\tc\n', 'a         b\nno tabs here at all\nlonger-cell   c\n'],
    ['empty cells are padded', '\tx\nabc\ty\n', '          x\nabc       y\n'],
    ['an empty trailing cell stays empty', 'a\t\nb\tc\n', 'a         \nb         c\n'],
    ['text without a final newline keeps none', 'a\tb', 'a         b'],
    ['lines with fewer cells split a column into blocks', 'aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccccccccccc\teee\n',
      'aaaa      bbb       d\naa        b         dd\na         \naa        cccccccccccc   eee\n'],
    ['CJK text counts two cells per character', '名前\tID\n长长的名字\tx\n', '名前' + ' '.repeat(9) + 'ID\n长长的名字   x\n'],
    ['combining marks and emoji are measured by display width', 'e\u0301\t|\n🐳\t|\n', 'e\u0301         |\n🐳        |\n'],
    ['a form feed ends all columns', 'a\tb\fxxxxxxxxxxxxxxxx\ty\n', 'a         b\nxxxxxxxxxxxxxxxx   y\n'],
    ['no input, no output', '', ''],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(formatTable(input), want));
});

describe('tabwriter matches Go text/tabwriter examples', () => {
  test('tab padding with a tab stop of 8 (ExampleWriter_Init)', () => {
    const out = formatTable('a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n', { minWidth: 0, tabWidth: 8, padding: 0, padChar: '\t' });
    assert.equal(out, 'a\tb\tc\td\t\t.\n123\t12345\t1234567\t123456789\t.\n\n');
  });

  test('right-aligned columns of minimal width 5 (ExampleWriter_Init)', () => {
    const out = formatTable('a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n', { minWidth: 5, tabWidth: 0, padding: 1, padChar: ' ', alignRight: true });
    assert.equal(out, '    a     b       c         d.\n  123 12345 1234567 123456789.\n\n');
  });

  test('the package documentation example: b and c are distinct columns', () => {
    const out = formatTable('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n', { minWidth: 0, tabWidth: 8, padding: 1, padChar: '.' });
    assert.equal(out, 'aaaa.bbb.d\naa...b...dd\na....\naa...cccc.eee\n');
  });
});

describe('TabWriter streams', () => {
  test('writes split anywhere give the same result, and flush drains', () => {
    const w = new TabWriter();
    for (const piece of ['RE', 'PO\tT', 'AG\nbusy', 'box\tlat', 'est\n']) w.write(piece);
    assert.equal(w.flush(), 'REPO      TAG\nbusybox   latest\n');
    assert.equal(w.flush(), '');
    w.write('x\ty\n');
    assert.equal(w.flush(), 'x         y\n');
  });

  test('rejects negative settings', () => {
    assert.throws(() => new TabWriter({ padding: -1 }), RangeError);
  });
});

describe('displayWidth', () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['abc', 3],
    ['', 0],
    ['日本', 4],
    ['한국어', 6],
    ['Ａ', 2], // fullwidth
    ['ｱ', 1], // halfwidth katakana
    ['e\u0301', 1],
    ['\u200b', 0],
    ['🐳', 2],
    ['👍🏽', 2],
    ['👨‍👩‍👧', 2],
    ['a\x1bb', 2],
  ];
  for (const [s, want] of cases) test(`${JSON.stringify(s)} is ${want} wide`, () => assert.equal(displayWidth(s), want));
});
