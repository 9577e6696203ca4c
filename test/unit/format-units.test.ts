import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isBerthError } from '../../src/engine/errors.js';
import { bytesSize, ellipsis, formatGoTime, humanDuration, humanSize, parseDuration } from '../../src/cli/format/units.js';

describe('humanSize = go-units HumanSizeWithPrecision(size, 3)', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1024, '1.02kB'],
    [1125, '1.12kB'], // an exact tie rounds to even, as Go does
    [1135, '1.14kB'],
    [999999, '1e+03kB'],
    [1000000, '1MB'],
    [4261215, '4.26MB'],
    [63100000, '63.1MB'],
    [180000000, '180MB'],
    [1e9, '1GB'],
    [1.5e12, '1.5TB'],
    [1e15, '1PB'],
    [1e18, '1EB'],
    [1e27, '1e+03YB'],
  ];
  for (const [bytes, want] of cases) test(`${bytes} -> ${want}`, () => assert.equal(humanSize(bytes), want));

  test('other precisions, as go-units HumanSize (4)', () => {
    assert.equal(humanSize(4261215, 4), '4.261MB');
    assert.equal(humanSize(1234567, 4), '1.235MB');
  });
});

describe('bytesSize = go-units BytesSize', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KiB'],
    [1536, '1.5KiB'],
    [1048576, '1MiB'],
    [5e9, '4.657GiB'],
    [1024 ** 4 * 3.5, '3.5TiB'],
  ];
  for (const [bytes, want] of cases) test(`${bytes} -> ${want}`, () => assert.equal(bytesSize(bytes), want));
});

describe('humanDuration = go-units HumanDuration (its own test table)', () => {
  const second = 1000;
  const minute = 60 * second;
  const hour = 60 * minute;
  const day = 24 * hour;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;
  const cases: ReadonlyArray<readonly [number, string]> = [
    [450, 'Less than a second'],
    [-5 * second, 'Less than a second'],
    [1 * second, '1 second'],
    [45 * second, '45 seconds'],
    [59 * second, '59 seconds'],
    [60 * second, 'About a minute'],
    [3 * minute, '3 minutes'],
    [35 * minute + 40 * second, '35 minutes'],
    [59 * minute, '59 minutes'],
    [1 * hour, 'About an hour'],
    [1 * hour + 29 * minute, 'About an hour'],
    [1 * hour + 31 * minute, '2 hours'],
    [3 * hour + 29 * minute, '3 hours'],
    [3 * hour + 31 * minute, '4 hours'],
    [24 * hour, '24 hours'],
    [1 * day + 12 * hour, '36 hours'],
    [2 * day, '2 days'],
    [13 * day + 5 * hour, '13 days'],
    [2 * week, '2 weeks'],
    [3 * week, '3 weeks'],
    [1 * month, '4 weeks'],
    [1 * month + 2 * week, '6 weeks'],
    [2 * month, '2 months'],
    [3 * month + 1 * week, '3 months'],
    [13 * month, '13 months'],
    [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'],
    [3 * year + 2 * month, '3 years'],
  ];
  for (const [ms, want] of cases) test(`${ms}ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('parseDuration = time.ParseDuration, in milliseconds', () => {
  const ok: ReadonlyArray<readonly [string, number]> = [
    ['0', 0],
    ['24h', 86_400_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-1.5s', -1500],
    ['+5s', 5000],
    ['.5s', 500],
    ['5.s', 5000],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1500ns', 0.0015],
    ['2h45m30.5s', 9_930_500],
  ];
  for (const [text, want] of ok) test(`${text} -> ${want}`, () => assert.equal(parseDuration(text), want));

  const bad: ReadonlyArray<readonly [string, string]> = [
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['h', 'time: invalid duration "h"'],
    ['1h-2m', 'time: unknown unit "h-" in duration "1h-2m"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ];
  for (const [text, message] of bad) {
    test(`${JSON.stringify(text)} is rejected`, () => {
      assert.throws(() => parseDuration(text), (e: unknown) => isBerthError(e, 'INVALID_ARGUMENT') && e.message === message);
    });
  }
});

describe('formatGoTime = time.Time.String() in UTC', () => {
  test('whole seconds', () => assert.equal(formatGoTime(new Date(Date.UTC(2024, 0, 2, 15, 4, 5))), '2024-01-02 15:04:05 +0000 UTC'));
  test('fractional seconds lose trailing zeros', () => {
    assert.equal(formatGoTime(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 120))), '2024-12-31 23:59:59.12 +0000 UTC');
  });
});

describe('ellipsis = docker formatter.Ellipsis', () => {
  const cases: ReadonlyArray<readonly [string, number, string]> = [
    ['abcdefg', 5, 'abcd…'],
    ['abcde', 5, 'abcde'],
    ['abc', 0, ''],
    ['abc', 1, 'a'],
    ['', 1, ''],
    ['日本語です', 5, '日本…'],
    ['日本語', 6, '日本語'],
    ['日本語', 2, '日本語'], // docker's quirk: no prefix fits, the string is returned whole
    ['aä日b', 4, 'aä…'],
  ];
  for (const [s, width, want] of cases) test(`${s} @${width} -> ${want}`, () => assert.equal(ellipsis(s, width), want));
});
