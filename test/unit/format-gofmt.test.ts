import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFloat } from '../../src/cli/format/gofloat.js';
import { formatValue, quote, sprintf } from '../../src/cli/format/gofmt.js';
import { marshalJSON, toGoJSON } from '../../src/cli/format/gojson.js';

describe('formatFloat = strconv.FormatFloat(x, verb, prec, 64)', () => {
  const cases: ReadonlyArray<readonly [number, string, number, string]> = [
    [0.125, 'f', 2, '0.12'], // exact ties round half to even
    [0.375, 'f', 2, '0.38'],
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [-0.5, 'f', 0, '-0'],
    [0.0006, 'f', 2, '0.00'],
    [0.006, 'f', 2, '0.01'],
    [1e21, 'g', -1, '1e+21'],
    [100000, 'g', -1, '100000'],
    [1e6, 'g', -1, '1e+06'],
    [0.0001, 'g', -1, '0.0001'],
    [0.00001, 'g', -1, '1e-05'],
    [999.999, 'g', 3, '1e+03'],
    [4.261215, 'g', 3, '4.26'],
    [1, 'g', 3, '1'],
    [0, 'g', 3, '0'],
    [123.456, 'e', 2, '1.23e+02'],
    [123.456, 'E', -1, '1.23456E+02'],
    [0, 'e', -1, '0e+00'],
    [2 ** 70, 'f', 0, '1180591620717411303424'],
    [1e23, 'f', 1, '99999999999999991611392.0'],
    [NaN, 'g', -1, 'NaN'],
    [-Infinity, 'f', 2, '-Inf'],
  ];
  for (const [x, verb, prec, want] of cases) test(`${x} %${verb} ${prec} -> ${want.slice(0, 20)}`, () => assert.equal(formatFloat(x, verb, prec), want));
});

describe('sprintf = fmt.Sprintf', () => {
  const cases: ReadonlyArray<readonly [string, unknown[], string]> = [
    ['%5.1f|%-5d|%+d|% d', [3.14159, 42, 5, 5], '  3.1|42   |+5| 5'],
    ['%x|%#x|%X|%o|%b|%c|%U|%q', [-255, 255, 255, 8, 5, 65, 0x1f600, 65], "-ff|0xff|FF|10|101|A|U+1F600|'A'"],
    ['%08.3f|%05d|%-8.3s|', [-3.14159, -42, 'abcdef'], '-003.142|-0042|abc     |'],
    ['%[2]s %[1]s', ['a', 'b'], 'b a'],
    ['%*d|%-*d|', [5, 42, 4, 7], '   42|7   |'],
    ['%z %s %v %d', [5, null, null, [1, 2]], '%!z(int=5) %!s(<nil>) <nil> [1 2]'],
    ['%T %T %T %T %T %T', ['a', 1, 1.5, true, [1], {}], 'string int float64 bool []interface {} map[string]interface {}'],
    ['%q|%x|% x', ['a"b\n\u00e9\u0007', 'hi', 'hi'], '"a\\"b\\né\\a"|6869|68 69'],
    ['%v|%s', [{ b: 1, a: [1, 'x'] }, ['x', 'y']], 'map[a:[1 x] b:1]|[x y]'],
    ['100%%', [], '100%'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%d', [1, 'x', null], '1%!(EXTRA string=x, <nil>)'],
    ['%', [], '%!(NOVERB)'],
    ['%.2f', [2], '2.00'],
    ['%6.3v', [Math.PI], '  3.14'],
    ['%c|%c', [-1, 0x110000], '\ufffd|\ufffd'],
  ];
  for (const [format, args, want] of cases) test(`${JSON.stringify(format)} -> ${JSON.stringify(want)}`, () => assert.equal(sprintf(format, args), want));
});

describe('formatValue = fmt %v', () => {
  test('values print like Go', () => {
    assert.equal(formatValue([1, 'a', null, true, 1.5, [2]]), '[1 a <nil> true 1.5 [2]]');
    assert.equal(formatValue({ z: { y: 1 }, a: '' }), 'map[a: z:map[y:1]]');
    assert.equal(formatValue(new Date(Date.UTC(2024, 0, 2, 15, 4, 5))), '2024-01-02 15:04:05 +0000 UTC');
    assert.equal(formatValue(1234567.5), '1.2345675e+06');
  });

  test('quote = strconv.Quote', () => {
    assert.equal(quote('tab\there "q" \\ \u0000 \u00e9 \u{1F433} \u200b'), '"tab\\there \\"q\\" \\\\ \\x00 é 🐳 \\u200b"');
  });
});

describe('toGoJSON = encoding/json', () => {
  const value = { a: '<b>&', b: '\u2028\u2029', c: [1, null, true, 1.5], d: {}, e: '\u0001\b\f\n\r\t"\\', skipped: undefined };

  test('json.Marshal escapes HTML', () => {
    assert.equal(toGoJSON(value), '{"a":"\\u003cb\\u003e\\u0026","b":"\\u2028\\u2029","c":[1,null,true,1.5],"d":{},"e":"\\u0001\\b\\f\\n\\r\\t\\"\\\\"}');
  });

  test('without HTML escaping, as docker\'s json function', () => {
    assert.equal(toGoJSON({ a: '<b>&' }, { escapeHTML: false }), '{"a":"<b>&"}');
  });

  test('dates, lone surrogates, big numbers', () => {
    assert.equal(toGoJSON([new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500)), '\ud800', 1e21, 1e-7]), '["2024-01-02T03:04:05.5Z","\\ufffd",1e+21,1e-7]');
  });

  test('a value can marshal itself', () => {
    assert.equal(toGoJSON({ inner: { [marshalJSON]: () => '{"x":1}' } }), '{"inner":{"x":1}}');
  });

  test('unencodable values throw with Go\'s message', () => {
    assert.throws(() => toGoJSON(NaN), /json: unsupported value: NaN/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => toGoJSON(cycle), /cycle/);
  });
});
