// `berth search`, asserting what a user sees.
//
// Private registries: the REAL registry (test/helpers/registry.ts, CNCF distribution) without auth,
// with basic auth and with token auth, repositories pushed by skopeo, credentials stored through the
// credentials module in a temporary DOCKER_CONFIG; catalog pages of 2 exercise the Link pagination.
//
// Docker Hub cannot be reached from here, so the Hub search runs against a FAKE: a local node:http
// server answering GET /v1/search?q=TERM&n=LIMIT in the shape Docker Hub documents and serves
// ({num_results, query, results: [{name, description, star_count, is_official, is_automated}]}).
// Berth is pointed at it through its config file ("hub-search-url" in $XDG_CONFIG_HOME/berth/config.json).
// What is checked there is Berth's side: the request it sends (q, n, X-Docker-Token) and the output.
//
// A registry without a catalog is also a node:http fake (distribution always serves /v2/_catalog):
// it answers /v2/ and 404s everything else, as registries that hide their catalog do.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BundledEngine } from '../../src/engine/engine';
import { dockerCredentialStore } from '../../src/engine/remote/credentials';
import { searchCatalog } from '../../src/engine/remote/search';
import { pushTestImage, startRegistry, type Registry } from '../helpers/registry';
import { tempDir } from '../helpers/tmp';
import { berth as runBerth } from '../helpers/cli';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Berth home: a store, an empty DOCKER_CONFIG and a Berth config file, in one temporary folder. */
function berthHome(settings: Record<string, unknown> = {}): { env: NodeJS.ProcessEnv; root: string; cleanup: () => void } {
  const dir = tempDir('berth-search-');
  const docker = join(dir.path, 'docker');
  const xdg = join(dir.path, 'xdg');
  mkdirSync(docker);
  mkdirSync(join(xdg, 'berth'), { recursive: true });
  writeFileSync(join(xdg, 'berth', 'config.json'), JSON.stringify(settings));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: docker, XDG_CONFIG_HOME: xdg, HOME: dir.path };
  for (const k of ['DOCKER_AUTH_CONFIG', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[k];
  return { env, root: join(dir.path, 'store'), cleanup: dir.cleanup };
}

async function berth(home: { env: NodeJS.ProcessEnv; root: string }, args: string[]): Promise<Run> {
  return runBerth(home.root, args, { env: home.env });
}

// --- Docker Hub (fake) -------------------------------------------------------------------------------

/** What Docker Hub answers for "nginx", in an order that is not by stars. */
const HUB_RESULTS = [
  { name: 'bitnami/nginx', description: 'Bitnami container image for NGINX, the fast and reliable web server', star_count: 191, is_official: false, is_automated: true },
  { name: 'nginx', description: 'Official build of Nginx.', star_count: 20466, is_official: true, is_automated: false },
  { name: 'someone/nginx-zh', description: '中文说明：这是一个带有很多中文字符的镜像描述用于测试宽度', star_count: 3, is_official: false, is_automated: false },
  { name: 'nginxinc/nginx-unprivileged', description: 'Unprivileged NGINX Dockerfiles', star_count: 150, is_official: false, is_automated: false },
  { name: 'someone/nginx-auto', description: 'first line\nsecond line', star_count: 1, is_official: false, is_automated: true },
];

interface FakeHub {
  url: string;
  requests: URL[];
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

async function startFakeHub(): Promise<FakeHub> {
  const requests: URL[] = [];
  const headers: FakeHub['headers'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    requests.push(url);
    headers.push(req.headers);
    if (url.pathname !== '/v1/search') return void res.writeHead(404).end();
    const q = url.searchParams.get('q') ?? '';
    if (q === 'broken') return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad search');
    const n = Number(url.searchParams.get('n') ?? '25');
    const results = HUB_RESULTS.filter((r) => r.name.includes(q)).slice(0, n);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ num_results: results.length, query: q, results }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/search`,
    requests,
    headers,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('search on Docker Hub (a local fake of its search API)', () => {
  let hub: FakeHub;
  let home: ReturnType<typeof berthHome>;
  before(async () => {
    hub = await startFakeHub();
    home = berthHome({ 'hub-search-url': hub.url });
  });
  after(async () => {
    await hub?.close();
    home?.cleanup();
  });

  const lastQuery = (): { q: string | null; n: string | null } => {
    const u = hub.requests.at(-1)!;
    return { q: u.searchParams.get('q'), n: u.searchParams.get('n') };
  };

  test('prints docker\'s table, most stars first, [OK] for official, descriptions cut at 45 cells', async () => {
    const r = await berth(home, ['search', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(lastQuery(), { q: 'nginx', n: '25' });
    assert.equal(hub.headers.at(-1)!['x-docker-token'], 'true');
    assert.equal(r.stdout, [
      'NAME                          DESCRIPTION                                     STARS     OFFICIAL',
      'nginx                         Official build of Nginx.                        20466     [OK]',
      'bitnami/nginx                 Bitnami container image for NGINX, the fast …   191       ',
      'nginxinc/nginx-unprivileged   Unprivileged NGINX Dockerfiles                  150       ',
      'someone/nginx-zh              中文说明：这是一个带有很多中文字符的镜像描述…   3         ',
      'someone/nginx-auto            first line second line                          1         ',
      '',
    ].join('\n'));
  });

  test('--no-trunc prints whole descriptions', async () => {
    const r = await berth(home, ['search', '--no-trunc', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^bitnami\/nginx\s+Bitnami container image for NGINX, the fast and reliable web server\s+191\s+$/m);
    assert.match(r.stdout, /^someone\/nginx-zh\s+中文说明：这是一个带有很多中文字符的镜像描述用于测试宽度\s+3\s+$/m);
  });

  test('--limit is sent as n; 0 means the default; outside 1..100 is refused with docker\'s words', async () => {
    const r = await berth(home, ['search', '--limit', '2', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lastQuery(), { q: 'nginx', n: '2' });
    assert.equal(r.stdout.trimEnd().split('\n').length, 3);
    await berth(home, ['search', '--limit=0', 'nginx']);
    assert.deepEqual(lastQuery(), { q: 'nginx', n: '25' });
    const asked = hub.requests.length;
    for (const limit of ['101', '-1']) {
      const bad = await berth(home, ['search', '--limit', limit, 'nginx']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, '');
      assert.equal(bad.stderr, `Error: limit ${limit} is outside the range of [1, 100]\n`);
    }
    assert.equal(hub.requests.length, asked, 'no request is sent with a bad limit');
    const notInt = await berth(home, ['search', '--limit', 'many', 'nginx']);
    assert.equal(notInt.code, 125);
    assert.match(notInt.stderr, /invalid argument "many" for "--limit" flag/);
  });

  test('filters: stars, is-official, is-automated, and their combination', async () => {
    const names = (r: Run): string[] => r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]!);
    assert.deepEqual(names(await berth(home, ['search', '--filter', 'stars=150', 'nginx'])), ['nginx', 'bitnami/nginx', 'nginxinc/nginx-unprivileged']);
    assert.deepEqual(names(await berth(home, ['search', '-f', 'stars=3', '-f', 'stars=151', 'nginx'])), ['nginx', 'bitnami/nginx']);
    assert.deepEqual(names(await berth(home, ['search', '--filter=is-official=true', 'nginx'])), ['nginx']);
    assert.deepEqual(names(await berth(home, ['search', '-f', 'is-official=false', '-f', 'stars=100', 'nginx'])), ['bitnami/nginx', 'nginxinc/nginx-unprivileged']);
    assert.deepEqual(names(await berth(home, ['search', '-f', 'is-automated=true', 'nginx'])), ['bitnami/nginx', 'someone/nginx-auto']);
    assert.deepEqual(lastQuery(), { q: 'nginx', n: '25' });
  });

  test('the seed\'s old form "--automated -s 3" still works and says what replaces it', async () => {
    const r = await berth(home, ['search', '--automated', '-s', '3', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]).join(','), 'bitnami/nginx');
    assert.equal(r.stderr, 'Flag --automated has been deprecated, use --filter=is-automated=true instead\nFlag --stars has been deprecated, use --filter=stars=3 instead\n');
    const stars = await berth(home, ['search', '--stars=160', 'nginx']);
    assert.deepEqual(stars.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['nginx', 'bitnami/nginx']);
    const help = await berth(home, ['search', '--help']);
    assert.doesNotMatch(help.stdout, /automated|--stars/);
    assert.match(help.stdout, /--limit int\s+Max number of search results \(default 25\)/);
  });

  test('bad filters are refused before searching', async () => {
    const asked = hub.requests.length;
    const cases: [string, RegExp][] = [
      ['label=x', /^invalid filter 'label'/],
      ['is-official=maybe', /^invalid filter 'is-official=maybe'/],
      ['stars=lots', /^invalid filter 'stars=lots': strconv.Atoi: parsing "lots": invalid syntax/],
      ['stars', /^bad format of filter \(expected name=value\)/],
    ];
    for (const [filter, message] of cases) {
      const r = await berth(home, ['search', '--filter', filter, 'nginx']);
      assert.equal(r.code, 125, filter);
      assert.match(r.stderr, message);
    }
    assert.equal(hub.requests.length, asked);
  });

  test('--format: fields, table headers, json', async () => {
    const plain = await berth(home, ['search', '--limit', '2', '--format', '{{.Name}}: {{.StarCount}} {{.IsOfficial}}|{{.IsAutomated}}', 'nginx']);
    assert.equal(plain.stdout, 'nginx: 20466 [OK]|\nbitnami/nginx: 191 |[OK]\n');
    const table = await berth(home, ['search', '--format', 'table {{.Name}}\t{{.IsAutomated}}', '-f', 'stars=150', 'nginx']);
    assert.equal(table.stdout, [
      'NAME                          AUTOMATED',
      'nginx                         ',
      'bitnami/nginx                 [OK]',
      'nginxinc/nginx-unprivileged   ',
      '',
    ].join('\n'));
    const desc = await berth(home, ['search', '--format', '{{.Description}}', '-f', 'is-official=false', '-f', 'stars=191', 'nginx']);
    assert.equal(desc.stdout, 'Bitnami container image for NGINX, the fast …\n');
    const json = await berth(home, ['search', '--format', 'json', '-f', 'stars=191', 'nginx']);
    assert.equal(json.stdout, [
      '{"Description":"Official build of Nginx.","IsAutomated":"false","IsOfficial":"true","Name":"nginx","StarCount":"20466"}',
      '{"Description":"Bitnami container image for NGINX, the fast …","IsAutomated":"true","IsOfficial":"false","Name":"bitnami/nginx","StarCount":"191"}',
      '',
    ].join('\n'));
    const bad = await berth(home, ['search', '--format', '{{.Name', 'nginx']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: template parsing error: /);
  });

  test('docker.io/ and library/ are Docker Hub\'s; a term with a scheme is refused', async () => {
    await berth(home, ['search', 'docker.io/library/nginx']);
    assert.deepEqual(lastQuery(), { q: 'nginx', n: '25' });
    await berth(home, ['search', 'bitnami/nginx']);
    assert.deepEqual(lastQuery(), { q: 'bitnami/nginx', n: '25' });
    const r = await berth(home, ['search', 'https://example.com/nginx']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: invalid repository name: repository name (https://example.com/nginx) should not have a scheme\n');
  });

  test('an empty answer prints the header; a refused search says what the server said', async () => {
    const none = await berth(home, ['search', 'nothing-matches']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'NAME      DESCRIPTION   STARS     OFFICIAL\n');
    const r = await berth(home, ['search', 'broken']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: searching 127\.0\.0\.1:\d+ for "broken": the registry answered 400 \(bad search\)\n$/);
  });

  test('an unreachable search endpoint is named', async () => {
    const gone = await startFakeHub();
    await gone.close();
    const h = berthHome({ 'hub-search-url': gone.url });
    const engine = await BundledEngine.open(h.root, { env: h.env, registry: { attempts: 1 } });
    try {
      await assert.rejects(engine.search('nginx', {}), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NETWORK');
        assert.equal(e.message, `cannot reach registry ${new URL(gone.url).host}: connection refused (is the registry running at that address?)`);
        return true;
      });
    } finally {
      await engine.close();
      h.cleanup();
    }
  });
});

// --- private registries (real) -----------------------------------------------------------------------

const REPOS = ['team/alpha', 'team/beta', 'tools/alphabet', 'other/gamma', 'solo'];

async function pushAll(registry: Registry): Promise<void> {
  for (const repo of REPOS) await pushTestImage(registry, repo, 'v1', { layers: [Buffer.from(repo)] });
}

describe('search in a registry without auth', () => {
  let registry: Registry;
  let home: ReturnType<typeof berthHome>;
  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    await pushAll(registry);
    home = berthHome();
  });
  after(async () => {
    await registry?.stop();
    home?.cleanup();
  });

  test('HOST/TERM lists the repositories whose name contains TERM, in docker\'s table', async () => {
    const r = await berth(home, ['search', `${registry.host}/alpha`]);
    assert.equal(r.code, 0, r.stderr);
    const width = `${registry.host}/tools/alphabet`.length + 3;
    assert.equal(r.stdout, [
      `${'NAME'.padEnd(width)}DESCRIPTION   STARS     OFFICIAL`,
      `${`${registry.host}/team/alpha`.padEnd(width)}              0         `,
      `${`${registry.host}/tools/alphabet`.padEnd(width)}              0         `,
      '',
    ].join('\n'));
  });

  test('the match ignores case; an empty term lists every repository; --limit and filters apply', async () => {
    const names = (r: Run): string[] => r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]!);
    assert.deepEqual(names(await berth(home, ['search', `${registry.host}/TEAM`])), [`${registry.host}/team/alpha`, `${registry.host}/team/beta`]);
    assert.deepEqual(names(await berth(home, ['search', `${registry.host}/`])), [...REPOS].sort().map((r) => `${registry.host}/${r}`));
    assert.deepEqual(names(await berth(home, ['search', '--limit', '2', `${registry.host}/`])), ['other/gamma', 'solo'].map((r) => `${registry.host}/${r}`));
    assert.deepEqual(names(await berth(home, ['search', '-f', 'is-official=true', `${registry.host}/`])), []);
    const json = await berth(home, ['search', '--format', '{{json .}}', `${registry.host}/solo`]);
    assert.equal(json.stdout, `{"Description":"","IsAutomated":"false","IsOfficial":"false","Name":"${registry.host}/solo","StarCount":"0"}\n`);
  });

  test('the catalog is read page by page through its Link headers', async () => {
    const h = berthHome();
    const engine = await BundledEngine.open(h.root, { env: h.env });
    try {
      const found = await searchCatalog(await engine.registry(), registry.host, '', { pageSize: 2 });
      assert.deepEqual(found.map((f) => f.name), [...REPOS].sort().map((r) => `${registry.host}/${r}`));
      assert.deepEqual(found[0], { name: `${registry.host}/other/gamma`, description: '', starCount: 0, isOfficial: false, isAutomated: false });
      const someA = await searchCatalog(await engine.registry(), registry.host, 'a', { pageSize: 2 });
      assert.deepEqual(someA.map((f) => f.name.slice(registry.host.length + 1)), ['other/gamma', 'team/alpha', 'team/beta', 'tools/alphabet']);
    } finally {
      await engine.close();
      h.cleanup();
    }
    const pages = registry.log().match(/GET \/v2\/_catalog\?(?:last=[^ &"]+&n=2|n=2&last=[^ &"]+)/g) ?? [];
    assert.ok(pages.length >= 4, `expected the registry to serve follow-up pages, its log shows ${pages.length}`);
  });

  test('an unreachable registry is named', async () => {
    const other = await startRegistry();
    await other.stop();
    const h = berthHome();
    const engine = await BundledEngine.open(h.root, { env: h.env, registry: { attempts: 1 } });
    try {
      await assert.rejects(engine.search(`${other.host}/x`, {}), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NETWORK');
        assert.match(e.message, new RegExp(`^cannot reach registry ${other.host.replace(/\./g, '\\.')}: connection refused`));
        return true;
      });
    } finally {
      await engine.close();
      h.cleanup();
    }
  });
});

describe('search in registries that authenticate', () => {
  for (const auth of ['basic', 'token'] as const) {
    describe(`${auth} auth`, () => {
      let registry: Registry;
      before(async () => {
        registry = await startRegistry({ auth, users: { alice: 'wonder-1' } });
        await pushAll(registry);
      });
      after(() => registry?.stop());

      test('with credentials stored in DOCKER_CONFIG, the catalog is searched', async () => {
        const home = berthHome();
        try {
          await dockerCredentialStore({ env: home.env }).store(registry.host, { username: 'alice', password: 'wonder-1' });
          const r = await berth(home, ['search', `${registry.host}/team`]);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), [`${registry.host}/team/alpha`, `${registry.host}/team/beta`]);
          const engine = await BundledEngine.open(home.root, { env: home.env });
          try {
            const all = await searchCatalog(await engine.registry(), registry.host, '', { pageSize: 2 });
            assert.equal(all.length, REPOS.length);
          } finally {
            await engine.close();
          }
        } finally {
          home.cleanup();
        }
      });

      test('without credentials, or with wrong ones, the error says so and no secret is shown', async () => {
        const home = berthHome();
        try {
          const anonymous = await berth(home, ['search', `${registry.host}/team`]);
          assert.equal(anonymous.code, 1);
          assert.match(anonymous.stderr, auth === 'basic'
            ? new RegExp(`^Error: ${registry.host.replace(/\./g, '\\.')} requires a username and password; run "berth login ${registry.host.replace(/\./g, '\\.')}"\n$`)
            : /^Error: searching .* for "team": unauthorized: /);
          await dockerCredentialStore({ env: home.env }).store(registry.host, { username: 'alice', password: 'not-the-password' });
          const wrong = await berth(home, ['search', `${registry.host}/team`]);
          assert.equal(wrong.code, 1);
          assert.match(wrong.stderr, /unauthorized|username or password is wrong/i);
          assert.doesNotMatch(wrong.stderr, /not-the-password/);
        } finally {
          home.cleanup();
        }
      });
    });
  }
});

describe('search in a registry without a catalog', () => {
  let server: Server;
  let host: string;
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      res.end(req.url === '/v2/' ? '{}' : JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not found' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));

  test('says the registry does not list its repositories', async () => {
    const home = berthHome();
    try {
      const r = await berth(home, ['search', `${host}/app`]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `Error: ${host} does not list its repositories (GET /v2/_catalog answered 404), so it cannot be searched\n`);
    } finally {
      home.cleanup();
    }
  });
});
