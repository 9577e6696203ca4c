// `npm run package`: production bundles, then berth-<version>.vsix with @vscode/vsce (no dependencies: the
// bundles hold everything). Checks that the package ships only what .vscodeignore lets through and stays small.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './code-server.mjs';

const MAX_BYTES = 3 * 1024 * 1024;
// What an installed extension needs, under the package's extension/ folder.
const SHIPPED = [/^dist\/(?!.*\.map$)/, /^media\//, /^syntaxes\//, /^l10n\//, /^package\.json$/, /^package\.nls(\.[\w-]+)?\.json$/,
  /^readme\.md$/i, /^license(\.\w+)?$/i];
const ZIP_FILES = ['[Content_Types].xml', 'extension.vsixmanifest'];

function run(command, args) {
  const r = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${[command, ...args].join(' ')} exited with ${r.status ?? r.signal}`);
}

/** The names in a zip file, read from its central directory (APPNOTE.TXT 4.3.12 and 4.3.16). */
export function zipEntries(file) {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

/** Fails when the package holds a file Berth does not ship (a source map, sources, tests) or is too big. */
export function checkVsix(file) {
  const names = zipEntries(file);
  const strays = names.filter((n) => !ZIP_FILES.includes(n) && !(n.startsWith('extension/') && SHIPPED.some((p) => p.test(n.slice(10)))));
  if (strays.length) throw new Error(`${file} holds files that should not ship (fix .vscodeignore):\n  ${strays.join('\n  ')}`);
  for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js']) {
    if (!names.includes(needed)) throw new Error(`${file} lacks ${needed}`);
  }
  const size = statSync(file).size;
  if (size > MAX_BYTES) throw new Error(`${file} is ${size} bytes, over the limit of ${MAX_BYTES}`);
  return { names, size };
}

/** Builds the production bundles and packages them; returns the .vsix path and its size in bytes. */
export function packageExtension({ log = console.log } = {}) {
  const { name, version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const vsix = join(REPO_ROOT, `${name}-${version}.vsix`);
  run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--production']);
  // No LICENSE file or repository field yet: vsce would otherwise stop to ask, and refuse the README's links to
  // files of the repository (docs/...), which it can only rewrite against a repository URL: they stay as written.
  run(process.execPath, [join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies',
    '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix]);
  const { names, size } = checkVsix(vsix);
  log(`${vsix}: ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes), ${names.length - ZIP_FILES.length} files`);
  return { vsix, size };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    packageExtension();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
