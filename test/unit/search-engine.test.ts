// The engine's side of `search`: where a term is searched, the limit, Link headers, filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSearchLimit, filterSearchResults, nextLink, searchTarget, type SearchResult } from '../../src/engine/remote/search';

test('a term goes to Docker Hub unless its first component names a host', () => {
  assert.deepEqual(searchTarget('nginx'), { kind: 'hub', term: 'nginx' });
  assert.deepEqual(searchTarget('bitnami/nginx'), { kind: 'hub', term: 'bitnami/nginx' });
  assert.deepEqual(searchTarget('docker.io/library/nginx'), { kind: 'hub', term: 'nginx' });
  assert.deepEqual(searchTarget('index.docker.io/bitnami/nginx'), { kind: 'hub', term: 'bitnami/nginx' });
  assert.deepEqual(searchTarget('localhost/app'), { kind: 'catalog', host: 'localhost', term: 'app' });
  assert.deepEqual(searchTarget('localhost:5000/'), { kind: 'catalog', host: 'localhost:5000', term: '' });
  assert.deepEqual(searchTarget('Registry.Example.com/team/app'), { kind: 'catalog', host: 'registry.example.com', term: 'team/app' });
  assert.deepEqual(searchTarget('10.0.0.2:443/x'), { kind: 'catalog', host: '10.0.0.2:443', term: 'x' });
  assert.throws(() => searchTarget('http://localhost:5000/x'), { code: 'INVALID_ARGUMENT', message: 'invalid repository name: repository name (http://localhost:5000/x) should not have a scheme' });
});

test('the limit: 1..100, 0 or none means 25, anything else is refused in docker\'s words', () => {
  assert.equal(checkSearchLimit(undefined), 25);
  assert.equal(checkSearchLimit(0), 25);
  assert.equal(checkSearchLimit(1), 1);
  assert.equal(checkSearchLimit(100), 100);
  assert.throws(() => checkSearchLimit(101), { code: 'INVALID_ARGUMENT', message: 'limit 101 is outside the range of [1, 100]' });
  assert.throws(() => checkSearchLimit(-3), { message: 'limit -3 is outside the range of [1, 100]' });
});

test('Link headers: the rel="next" target, resolved against the request', () => {
  const req = 'http://127.0.0.1:5000/v2/_catalog?n=2';
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', req), 'http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<https://other.example/v2/_catalog?last=b>; rel=next', req), 'https://other.example/v2/_catalog?last=b');
  assert.equal(nextLink('</a>; rel="prev", </b>; rel="next"', req), 'http://127.0.0.1:5000/b');
  assert.equal(nextLink(['</a>; rel="prev"', '</c>; rel="next"'], req), 'http://127.0.0.1:5000/c');
  assert.equal(nextLink('</a>; rel="prev"', req), undefined);
  assert.equal(nextLink('</a>; rel="nextish"', req), undefined);
  assert.equal(nextLink(undefined, req), undefined);
});

test('filters keep results that satisfy every condition', () => {
  const r = (name: string, starCount: number, isOfficial = false, isAutomated = false): SearchResult => ({ name, description: '', starCount, isOfficial, isAutomated });
  const all = [r('a', 10, true), r('b', 5, false, true), r('c', 0)];
  const names = (f: Parameters<typeof filterSearchResults>[1]): string[] => filterSearchResults(all, f).map((x) => x.name);
  assert.deepEqual(names({}), ['a', 'b', 'c']);
  assert.deepEqual(names({ stars: 5 }), ['a', 'b']);
  assert.deepEqual(names({ isOfficial: true }), ['a']);
  assert.deepEqual(names({ isOfficial: false, stars: 1 }), ['b']);
  assert.deepEqual(names({ isAutomated: true }), ['b']);
  assert.deepEqual(names({ isAutomated: false }), ['a', 'c']);
});
