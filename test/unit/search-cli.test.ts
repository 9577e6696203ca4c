// The CLI's side of `search`: filter flags, rows as docker's formatter makes them, sorting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchFilters, searchRow, sortByStars } from '../../src/cli/commands/search';
import { renderFormatted } from '../../src/cli/format/table';
import type { SearchResult } from '../../src/engine/engine';

const result = (over: Partial<SearchResult>): SearchResult => ({ name: 'x', description: '', starCount: 0, isOfficial: false, isAutomated: false, ...over });

test('--filter values are read as the docker daemon reads them; old flags fold in', () => {
  assert.deepEqual(searchFilters([], false, 0), {});
  assert.deepEqual(searchFilters(['is-official=true', 'stars=3', 'stars=10'], false, 0), { isOfficial: true, stars: 10 });
  assert.deepEqual(searchFilters(['is-official=0', 'is-automated=1'], false, 0), { isOfficial: false, isAutomated: true });
  assert.deepEqual(searchFilters(['is-official=true', 'is-official=1'], false, 0), { isOfficial: true });
  assert.deepEqual(searchFilters([], true, 3), { isAutomated: true, stars: 3 });
  assert.deepEqual(searchFilters(['stars=5'], false, 2), { stars: 5 });
  assert.throws(() => searchFilters(['is-official=true', 'is-official=false'], false, 0), { name: 'UsageError', message: "invalid filter 'is-official=true,false'" });
  assert.throws(() => searchFilters(['is-automated=yes'], false, 0), { message: "invalid filter 'is-automated=yes'" });
  assert.throws(() => searchFilters(['stars=1.5'], false, 0), { message: 'invalid filter \'stars=1.5\': strconv.Atoi: parsing "1.5": invalid syntax' });
  assert.throws(() => searchFilters(['name=x'], false, 0), { message: "invalid filter 'name'" });
});

test('a row: [OK] flags, one-line description cut at 45 cells unless told not to', () => {
  const long = 'x'.repeat(50);
  assert.deepEqual({ ...searchRow(result({ name: 'n', description: long, starCount: 7, isOfficial: true }), true) }, {
    Name: 'n', Description: 'x'.repeat(44) + '…', StarCount: '7', IsOfficial: '[OK]', IsAutomated: '',
  });
  assert.equal(searchRow(result({ description: long }), false).Description, long);
  assert.equal(searchRow(result({ description: 'a\r\nb' }), true).Description, 'a  b');
  assert.equal(searchRow(result({ description: '宽'.repeat(30) }), true).Description, '宽'.repeat(22) + '…');
  assert.equal(searchRow(result({ description: 'x'.repeat(45) }), true).Description, 'x'.repeat(45));
});

test('{{json .}} of a row is docker\'s: sorted keys, flags as "true"/"false", HTML escaped', () => {
  const row = searchRow(result({ name: 'a/b', description: '<b>&', starCount: 2, isAutomated: true }), true);
  assert.equal(renderFormatted('json', [row], {}), '{"Description":"\\u003cb\\u003e\\u0026","IsAutomated":"true","IsOfficial":"false","Name":"a/b","StarCount":"2"}\n');
  assert.equal(renderFormatted('{{.Name}} {{json .StarCount}}', [row], {}), 'a/b "2"\n');
});

test('sorting: most stars first, ties keep the source\'s order', () => {
  const sorted = sortByStars([result({ name: 'a', starCount: 1 }), result({ name: 'b', starCount: 9 }), result({ name: 'c', starCount: 1 }), result({ name: 'd', starCount: 5 })]);
  assert.deepEqual(sorted.map((r) => r.name), ['b', 'd', 'a', 'c']);
});
