// What the Registries view lists (Docker Hub, the added registries, those with credentials, each once)
// and which hosts "Add Registry..." accepts, with the reason it gives for the ones it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogRepository, checkRegistryHost, registryContextValue, registryEntries, withoutRegistry, withRegistry } from '../../src/extension/registries-model';

test('registry hosts as a user types them are accepted in normal form', () => {
  const accepted: [string, string][] = [
    ['ghcr.io', 'ghcr.io'],
    ['localhost:5000', 'localhost:5000'],
    ['localhost', 'localhost'],
    ['  127.0.0.1:5000  ', '127.0.0.1:5000'],
    ['https://GHCR.io/', 'ghcr.io'],
    ['http://registry.example.com:8443', 'registry.example.com:8443'],
    ['[::1]:5000', '[::1]:5000'],
  ];
  for (const [input, host] of accepted) assert.deepEqual(checkRegistryHost(input), { ok: true, host }, input);
});

test('what is not a registry host is refused with the reason', () => {
  const refused: [string, string][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['ftp://ghcr.io', 'scheme'],
    ['ghcr.io/acme', 'path'],
    ['docker.io', 'hub'],
    ['index.docker.io', 'hub'],
    ['https://registry-1.docker.io/', 'hub'],
    ['myregistry', 'not-a-host'],
    ['my_registry.com', 'invalid'],
    ['-bad.example.com', 'invalid'],
    ['host:port', 'invalid'],
  ];
  for (const [input, problem] of refused) {
    const check = checkRegistryHost(input);
    assert.equal(check.ok, false, input);
    assert.equal(!check.ok && check.problem, problem, input);
  }
  const invalid = checkRegistryHost('my_registry.com');
  assert.ok(!invalid.ok && invalid.detail && /invalid reference format/.test(invalid.detail), JSON.stringify(invalid));
});

test('adding is idempotent across spellings; removing takes every spelling; other entries stay', () => {
  let list: unknown[] = [];
  list = withRegistry(list, 'localhost:5000');
  list = withRegistry(list, 'ghcr.io');
  assert.deepEqual(list, ['localhost:5000', 'ghcr.io']);
  assert.deepEqual(withRegistry(['https://GHCR.io/'], 'ghcr.io'), ['https://GHCR.io/']);
  assert.deepEqual(withoutRegistry(['https://GHCR.io/', 'ghcr.io', 'quay.io', 42, 'not a host'], 'ghcr.io'), ['quay.io', 42, 'not a host']);
});

test('Docker Hub first, then added registries and those with credentials by name, each once', () => {
  const { entries, invalid } = registryEntries({
    added: ['quay.io', 'localhost:5000', 'GHCR.io', 'ghcr.io'],
    credentials: ['https://index.docker.io/v1/', 'ghcr.io', 'registry.example.com'],
  });
  assert.deepEqual(entries, [
    { server: 'docker.io', loggedIn: true, added: false },
    { server: 'ghcr.io', loggedIn: true, added: true },
    { server: 'localhost:5000', loggedIn: false, added: true },
    { server: 'quay.io', loggedIn: false, added: true },
    { server: 'registry.example.com', loggedIn: true, added: false },
  ]);
  assert.deepEqual(invalid, []);
  assert.deepEqual(entries.map(registryContextValue), ['registry.loggedIn', 'registry.loggedIn.added', 'registry.added', 'registry.added', 'registry.loggedIn']);
});

test('with no credentials and nothing added only Docker Hub is listed, logged out', () => {
  assert.deepEqual(registryEntries({ added: [], credentials: [] }).entries, [{ server: 'docker.io', loggedIn: false, added: false }]);
});

test('entries of the setting that are not registry hosts are set apart to be shown, not listed', () => {
  const { entries, invalid } = registryEntries({ added: ['myregistry', 7, 'docker.io', 'ghcr.io'], credentials: [] });
  assert.deepEqual(entries.map((e) => e.server), ['docker.io', 'ghcr.io']);
  assert.deepEqual(invalid.map((i) => [i.value, !i.check.ok && i.check.problem]), [['myregistry', 'not-a-host'], ['7', 'invalid'], ['docker.io', 'hub']]);
});

test('a catalog entry becomes HOST/REPO whether or not the catalog names the host', () => {
  assert.equal(catalogRepository('localhost:5000', 'e2e/app'), 'localhost:5000/e2e/app');
  assert.equal(catalogRepository('localhost:5000', 'localhost:5000/e2e/app'), 'localhost:5000/e2e/app');
});

test('the menus of package.json match the context values: Log Out on logged-in rows, Remove on added rows', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when: string }[]> } };
  const menu = manifest.contributes.menus['view/item/context']!;
  const regexOf = (command: string): RegExp => {
    const when = menu.find((m) => m.command === command)?.when ?? '';
    const m = /viewItem =~ \/(.*)\/$/.exec(when);
    assert.ok(m, `${command} has a viewItem pattern: ${when}`);
    return new RegExp(m[1]!);
  };
  const logout = regexOf('berth.registries.logout');
  const remove = regexOf('berth.registries.remove');
  assert.deepEqual(['registry', 'registry.loggedIn', 'registry.loggedIn.added', 'registry.added'].map((v) => [logout.test(v), remove.test(v)]), [[false, false], [true, false], [true, true], [false, true]]);
  const palette = manifest.contributes.menus.commandPalette!.map((m) => m.command);
  assert.ok(!palette.includes('berth.registries.add') && !palette.includes('berth.registries.remove'), 'Add Registry and Remove Registry stay in the palette');
});
