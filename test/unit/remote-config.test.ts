// Registry settings: Berth's config file, daemon.json and the environment, in real files in a
// temporary folder; and which hosts count as insecure.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBerthError } from '../../src/engine/errors';
import { DEFAULT_HUB_SEARCH_URL, isInsecure, loadRegistryConfig } from '../../src/engine/remote/registry-config';
import { tempDir } from '../helpers/tmp';

let tmp: { path: string; cleanup: () => void };
let n = 0;
before(() => {
  tmp = tempDir('berth-regconfig-');
});
after(() => tmp?.cleanup());

/** Writes `content` (an object as JSON, or raw text) to a fresh file and returns its path. */
function file(content: unknown): string {
  const path = join(tmp.path, `f${++n}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const missing = (): string => join(tmp.path, `missing-${++n}.json`);

async function rejectsInvalid(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isBerthError(e, 'INVALID_ARGUMENT'), String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('loadRegistryConfig', () => {
  test('without any file or variable: no mirrors, no insecure registries, the defaults', async () => {
    const home = join(tmp.path, 'home-empty');
    const config = await loadRegistryConfig({ env: { HOME: home }, daemonJsonPath: missing() });
    assert.deepEqual(config, { mirrors: [], insecure: [], certsDir: join(home, '.docker', 'certs.d'), hubSearchUrl: DEFAULT_HUB_SEARCH_URL });
  });

  test("Berth's file first, then daemon.json, then the environment; duplicates dropped; entries normalized", async () => {
    const berth = file({
      'registry-mirrors': ['https://mirror.one.example', 'http://10.0.0.5:5000/'],
      'insecure-registries': ['http://Reg.Example.com:5000', '192.168.0.0/16'],
      'hub-search-url': 'http://127.0.0.1:9999/v1/search',
      'unrelated-key': true,
    });
    const daemon = file({ 'registry-mirrors': ['https://mirror.two.example/', 'https://mirror.one.example/'], 'insecure-registries': ['reg.example.com:5000', 'other:443'], 'storage-driver': 'vfs' });
    const env = { HOME: '/home/u', BERTH_REGISTRY_MIRRORS: ' https://mirror.three.example , ,https://mirror.two.example', BERTH_INSECURE_REGISTRIES: '10.1.0.0/16,index.docker.io' };
    const config = await loadRegistryConfig({ env, berthConfigPath: berth, daemonJsonPath: daemon });
    assert.deepEqual(config.mirrors, ['https://mirror.one.example/', 'http://10.0.0.5:5000/', 'https://mirror.two.example/', 'https://mirror.three.example/']);
    assert.deepEqual(config.insecure, ['reg.example.com:5000', '192.168.0.0/16', 'other:443', '10.1.0.0/16', 'docker.io']);
    assert.equal(config.hubSearchUrl, 'http://127.0.0.1:9999/v1/search');
    assert.equal(config.certsDir, '/home/u/.docker/certs.d');
  });

  test("Berth's file defaults to $XDG_CONFIG_HOME/berth/config.json, else ~/.config/berth/config.json", async () => {
    const xdg = join(tmp.path, 'xdg');
    mkdirSync(join(xdg, 'berth'), { recursive: true });
    writeFileSync(join(xdg, 'berth', 'config.json'), JSON.stringify({ 'registry-mirrors': ['https://xdg.example'] }));
    const home = join(tmp.path, 'home');
    mkdirSync(join(home, '.config', 'berth'), { recursive: true });
    writeFileSync(join(home, '.config', 'berth', 'config.json'), JSON.stringify({ 'registry-mirrors': ['https://home.example'] }));
    assert.deepEqual((await loadRegistryConfig({ env: { HOME: home, XDG_CONFIG_HOME: xdg }, daemonJsonPath: missing() })).mirrors, ['https://xdg.example/']);
    assert.deepEqual((await loadRegistryConfig({ env: { HOME: home }, daemonJsonPath: missing() })).mirrors, ['https://home.example/']);
  });

  test('an empty file counts as no settings; hub-search-url in daemon.json is ignored', async () => {
    const config = await loadRegistryConfig({ env: { HOME: '/h' }, berthConfigPath: file(''), daemonJsonPath: file({ 'hub-search-url': 'https://elsewhere.example' }) });
    assert.equal(config.hubSearchUrl, DEFAULT_HUB_SEARCH_URL);
  });

  test('a malformed file is INVALID_ARGUMENT naming the file and the JSON error', async () => {
    const bad = file('{"registry-mirrors": ["https://m.example",]}');
    await rejectsInvalid(loadRegistryConfig({ env: {}, berthConfigPath: bad, daemonJsonPath: missing() }), new RegExp(`${bad.replace(/[/.]/g, '\\$&')} is not valid JSON: .+`));
    const daemon = file('[1, 2');
    await rejectsInvalid(loadRegistryConfig({ env: {}, berthConfigPath: missing(), daemonJsonPath: daemon }), new RegExp(`${daemon.replace(/[/.]/g, '\\$&')} is not valid JSON`));
    await rejectsInvalid(loadRegistryConfig({ env: {}, berthConfigPath: file('[]'), daemonJsonPath: missing() }), /must hold a JSON object/);
    await rejectsInvalid(loadRegistryConfig({ env: {}, berthConfigPath: file({ 'registry-mirrors': 'https://m.example' }), daemonJsonPath: missing() }), /"registry-mirrors" must be a list of strings/);
    await rejectsInvalid(loadRegistryConfig({ env: {}, berthConfigPath: file({ 'hub-search-url': 'ftp://x' }), daemonJsonPath: missing() }), /"hub-search-url"/);
  });

  test('mirrors are checked as dockerd checks them, and a password in one is never shown', async () => {
    const load = (mirror: string): Promise<unknown> => loadRegistryConfig({ env: {}, berthConfigPath: file({ 'registry-mirrors': [mirror] }), daemonJsonPath: missing() });
    await rejectsInvalid(load('mirror.example'), /invalid mirror "mirror\.example"/);
    await rejectsInvalid(load('ftp://mirror.example'), /scheme must be http or https/);
    await rejectsInvalid(load('https://mirror.example/v2/'), /no path, query or fragment/);
    await rejectsInvalid(load('https://mirror.example/?x=1'), /no path, query or fragment/);
    await assert.rejects(load('https://user:hunter2@mirror.example'), (e: Error) => {
      assert.ok(isBerthError(e, 'INVALID_ARGUMENT'));
      assert.match(e.message, /user:xxxxx@mirror\.example/);
      assert.ok(!e.message.includes('hunter2'));
      return true;
    });
    await rejectsInvalid(loadRegistryConfig({ env: { BERTH_REGISTRY_MIRRORS: 'nope' }, berthConfigPath: missing(), daemonJsonPath: missing() }), /^BERTH_REGISTRY_MIRRORS: invalid mirror/);
  });

  test('insecure registries are checked as dockerd checks them', async () => {
    const load = (entry: string): Promise<unknown> => loadRegistryConfig({ env: {}, berthConfigPath: missing(), daemonJsonPath: file({ 'insecure-registries': [entry] }) });
    await rejectsInvalid(load('ftp://reg.example'), /must not contain ":\/\/"/);
    await rejectsInvalid(load('10.0.0.0/33'), /not a valid CIDR/);
    await rejectsInvalid(load('reg.example/path'), /not a valid CIDR/);
    await rejectsInvalid(load('-bad-.example'), /not a valid host/);
    await rejectsInvalid(loadRegistryConfig({ env: { BERTH_INSECURE_REGISTRIES: 'a b' }, berthConfigPath: missing(), daemonJsonPath: missing() }), /^BERTH_INSECURE_REGISTRIES: /);
  });
});

describe('isInsecure', () => {
  const none = { insecure: [] as string[] };

  test('loopback is always insecure, with or without a port', () => {
    for (const h of ['localhost', 'localhost:5000', 'LOCALHOST:5000', '127.0.0.1', '127.0.0.1:5000', '127.8.9.10:443', '::1', '[::1]', '[::1]:5000', '[0:0:0:0:0:0:0:1]:5000', '[::ffff:127.0.0.1]:5000']) {
      assert.equal(isInsecure(h, none), true, h);
    }
  });

  test('other hosts are secure unless listed', () => {
    for (const h of ['docker.io', 'registry.example.com', 'registry.example.com:5000', '10.0.0.1:5000', '128.0.0.1', '[::2]:5000', 'localhost.example.com', '[fe80::1]']) {
      assert.equal(isInsecure(h, none), false, h);
    }
  });

  test('a listed host[:port] matches exactly, case aside', () => {
    const config = { insecure: ['registry.example.com:5000', 'plain.example.com', '[fd00::1]:5000'] };
    assert.equal(isInsecure('registry.example.com:5000', config), true);
    assert.equal(isInsecure('Registry.Example.com:5000', config), true);
    assert.equal(isInsecure('registry.example.com', config), false);
    assert.equal(isInsecure('registry.example.com:5001', config), false);
    assert.equal(isInsecure('plain.example.com', config), true);
    assert.equal(isInsecure('plain.example.com:80', config), false);
    assert.equal(isInsecure('[fd00::1]:5000', config), true);
  });

  test('a listed CIDR range matches IP addresses inside it, with any port', () => {
    const config = { insecure: ['10.0.0.0/8', '192.168.1.0/24', 'fd00::/8'] };
    assert.equal(isInsecure('10.20.30.40:5000', config), true);
    assert.equal(isInsecure('10.20.30.40', config), true);
    assert.equal(isInsecure('192.168.1.77:443', config), true);
    assert.equal(isInsecure('192.168.2.77:443', config), false);
    assert.equal(isInsecure('[fd12::1]:5000', config), true);
    assert.equal(isInsecure('fd12::1', config), true);
    assert.equal(isInsecure('[fe80::1]:5000', config), false);
    assert.equal(isInsecure('ten.example.com', config), false); // names are not resolved
  });

  test('works on what loadRegistryConfig returns', async () => {
    const config = await loadRegistryConfig({ env: { BERTH_INSECURE_REGISTRIES: 'http://reg.example.com:5000,172.16.0.0/12' }, berthConfigPath: missing(), daemonJsonPath: missing() });
    assert.equal(isInsecure('reg.example.com:5000', config), true);
    assert.equal(isInsecure('172.20.0.3:5000', config), true);
    assert.equal(isInsecure('reg.example.com', config), false);
  });
});
