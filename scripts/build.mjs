// Bundles the three entry points into dist/: the extension (vscode external), the language server and the CLI.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const entries = [
  { in: 'src/extension/main.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/server/main.ts', out: 'server', external: [] },
  { in: 'src/cli/main.ts', out: 'cli', external: [], banner: '#!/usr/bin/env node' },
];

await Promise.all(entries.filter((e) => existsSync(e.in)).map((e) => build({
  entryPoints: { [e.out]: e.in },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: e.external,
  banner: e.banner ? { js: e.banner } : undefined,
  logLevel: 'warning',
})));
