// Bundles the three entry points into dist/: the extension (vscode external), the language server and the CLI.
// undici, the HTTP client, is its own file (dist/undici.js) that the others load on first use: it is half of
// the code, and most commands never make a request, so they start faster without parsing it.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const entries = [
  { in: 'src/extension/main.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/server/main.ts', out: 'server', external: [] },
  { in: 'src/cli/main.ts', out: 'cli', external: [], banner: '#!/usr/bin/env node' },
  { in: 'undici', out: 'undici', external: [] },
];

/** Resolves `undici` to the separate dist/undici.js, loaded at run time beside the bundle. */
const undiciApart = {
  name: 'undici-apart',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: './undici.js', external: true }));
  },
};

await Promise.all(entries.filter((e) => e.in === 'undici' || existsSync(e.in)).map((e) => build({
  entryPoints: { [e.out]: e.in },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: e.external,
  plugins: e.in === 'undici' ? [] : [undiciApart],
  banner: e.banner ? { js: e.banner } : undefined,
  logLevel: 'warning',
})));
