// The Images view's rows (grouping, sorting, descriptions, untagged images), and the manifest's
// promises: every contributed command is implemented, every manifest string has an English and a
// Chinese text, every runtime string has a Chinese translation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { imageRows, type GroupRow, type ImageRow } from '../../src/extension/images-model';
import type { ImageRecord } from '../../src/engine/store/store';

const ROOT = join(__dirname, '..', '..');
const NOW = Date.parse('2026-11-23T12:00:00Z');

function image(id: string, tags: string[], size: number, created: string, extra: Partial<ImageRecord> = {}): ImageRecord {
  return { id: `sha256:${id.padEnd(64, '0')}` as ImageRecord['id'], manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'f'.repeat(64)}`, size: 1 }, size, created, tags, repoDigests: [], ...extra };
}

const IMAGES = [
  image('aa', ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36'], 2_130_000, '2026-11-20T12:00:00Z'),
  image('bb', ['ghcr.io/acme/app:v1'], 50_000_000, '2026-11-23T11:00:00Z'),
  image('cc', [], 1_000, '2026-11-22T12:00:00Z'),
  image('dd', [], 5_000, '2026-11-21T12:00:00Z', { intermediate: true }),
];

test('tags group under their repository, sorted by name, with size and age; untagged images under <none>; build steps hidden', () => {
  const rows = imageRows(IMAGES, { groupBy: 'repository', sortBy: 'name', describe: 'size+age', now: NOW });
  assert.deepEqual(rows.map((r) => r.label), ['busybox', 'ghcr.io/acme/app', '<none>']);
  const busybox = rows[0] as GroupRow;
  assert.deepEqual(busybox.children.map((c) => [c.label, c.description]), [['1.36', '2.13MB · 3 days ago'], ['latest', '2.13MB · 3 days ago']]);
  assert.equal(busybox.children[1]!.reference, 'docker.io/library/busybox:latest');
  const none = rows[2] as GroupRow;
  assert.equal(none.dangling, true);
  assert.deepEqual(none.children.map((c) => c.label), ['cc0000000000']);
});

test('grouping by registry or not at all; sorting by age and by size; other descriptions; Chinese ages', () => {
  const byRegistry = imageRows(IMAGES, { groupBy: 'registry', sortBy: 'name', describe: 'id', now: NOW });
  assert.deepEqual(byRegistry.map((r) => r.label), ['docker.io', 'ghcr.io', '<none>']);
  assert.deepEqual((byRegistry[0] as GroupRow).children.map((c) => [c.label, c.description]), [['busybox:1.36', 'aa0000000000'], ['busybox:latest', 'aa0000000000']]);
  const flatByAge = imageRows(IMAGES, { groupBy: 'none', sortBy: 'age', describe: 'age', now: NOW });
  assert.deepEqual(flatByAge.map((r) => r.label), ['ghcr.io/acme/app:v1', 'busybox:1.36', 'busybox:latest', '<none>']);
  assert.equal((flatByAge[0] as ImageRow).description, 'About an hour ago');
  const bySize = imageRows(IMAGES, { groupBy: 'repository', sortBy: 'size', describe: 'size', now: NOW, locale: 'zh-cn' });
  assert.deepEqual(bySize.map((r) => r.label), ['ghcr.io/acme/app', 'busybox', '<none>']);
  const zh = imageRows(IMAGES, { groupBy: 'none', sortBy: 'name', describe: 'age', now: NOW, locale: 'zh-cn' });
  assert.equal((zh[0] as ImageRow).description, '3 天前');
});

test('5,000 tags make 5,000 rows in their groups', () => {
  const many = Array.from({ length: 5000 }, (_, i) => image(i.toString(16), [`docker.io/library/repo${i % 50}:t${i}`], 1000, '2026-11-01T00:00:00Z'));
  const rows = imageRows(many, { groupBy: 'repository', sortBy: 'name', describe: 'size+age', now: NOW });
  assert.equal(rows.length, 50);
  assert.equal(rows.reduce((n, r) => n + (r.kind === 'group' ? r.children.length : 1), 0), 5000);
});

test('every contributed command is implemented; every manifest and runtime string has a Chinese text', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
  const sources = readdirSync(join(ROOT, 'src/extension')).map((f) => readFileSync(join(ROOT, 'src/extension', f), 'utf8')).join('\n');
  for (const { command } of manifest.contributes.commands) assert.ok(sources.includes(`'${command}'`), `${command} is registered`);
  const en = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const zh = JSON.parse(readFileSync(join(ROOT, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;
  const keys = [...readFileSync(join(ROOT, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
  for (const k of keys) {
    assert.ok(en[k], `package.nls.json has ${k}`);
    assert.ok(zh[k], `package.nls.zh-cn.json has ${k}`);
  }
  const bundle = JSON.parse(readFileSync(join(ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  for (const m of sources.matchAll(/l10n\.t\('((?:[^'\\]|\\.)*)'/g)) assert.ok(bundle[m[1]!.replace(/\\'/g, "'")], `a Chinese text for "${m[1]}"`);
});

test('the Dockerfile grammar is contributed and its patterns compile', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { grammars: { language: string; path: string }[] } };
  const grammar = manifest.contributes.grammars.find((g) => g.language === 'dockerfile');
  assert.ok(grammar);
  const g = JSON.parse(readFileSync(join(ROOT, grammar.path), 'utf8')) as Record<string, unknown>;
  let patterns = 0;
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') {
        // Oniguruma's (?i) and the heredoc back-reference to the begin pattern are not JavaScript
        assert.doesNotThrow(() => new RegExp(v.replace('(?i)', '').replace('\\3', 'EOF')), `${k}: ${v}`);
        patterns++;
      } else walk(v);
    }
  };
  walk(g.repository);
  assert.ok(patterns >= 10);
  assert.ok(JSON.stringify(g).includes('heredoc') && JSON.stringify(g).includes('directive'));
});
