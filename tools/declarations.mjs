// Finishes the declarations `tsc --build` emitted to packages/*/dist/types so they resolve under
// node16/nodenext as well as bundler resolution, without touching the sources:
//
// 1. Relative specifiers get the extension Node needs: './client' -> './client.js',
//    './schemas' -> './schemas/index.js'. The sources stay extensionless (module: preserve, see
//    docs/decisions/2026-11-28-typescript-7-and-the-build.md), and TypeScript 7 has no compiler API
//    for a declaration bundler, so the emitted text is rewritten here. Only specifiers that name a
//    declaration file that exists are rewritten; anything else is reported and fails the build.
// 2. With --cjs PKG, the tree is copied to packages/PKG/dist/cjs/types, where a package.json of
//    `"type": "commonjs"` makes TypeScript read the same declarations as CommonJS, so a `require`
//    consumer gets types that match the CommonJS build beside them.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** The specifier with the extension Node resolves, or undefined when no declaration backs it. */
function withExtension(file, specifier) {
  if (/\.(?:m|c)?js$/.test(specifier)) return specifier;
  const target = resolve(dirname(file), specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  return undefined;
}

/** Removes declarations whose source is gone: `tsc --build` never deletes an output it once wrote. */
export function removeStale(typesDir, srcDir) {
  for (const file of walk(typesDir)) {
    const stem = relative(typesDir, file).replace(/\.d\.ts(\.map)?$/, '');
    if (stem === relative(typesDir, file)) continue;
    if (!existsSync(join(srcDir, `${stem}.ts`)) && !existsSync(join(srcDir, `${stem}.tsx`))) rmSync(file);
  }
}

export function fixDeclarations(typesDir) {
  const unresolved = [];
  let changed = 0;
  for (const file of walk(typesDir)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(SPECIFIER, (match, lead, quote, specifier) => {
      const next = withExtension(file, specifier);
      if (next === undefined) {
        unresolved.push(`${relative(root, file)}: ${specifier}`);
        return match;
      }
      return `${lead}${quote}${next}${quote}`;
    });
    if (fixed !== text) {
      writeFileSync(file, fixed);
      changed++;
    }
  }
  return { changed, unresolved };
}

/** Copies dist/types to dist/cjs/types (declaration maps re-pointed one folder deeper). */
export function copyForCommonJs(pkgDir) {
  const from = join(pkgDir, 'dist/types');
  const to = join(pkgDir, 'dist/cjs/types');
  rmSync(to, { recursive: true, force: true });
  for (const file of walk(from)) {
    const target = join(to, relative(from, file));
    mkdirSync(dirname(target), { recursive: true });
    let text = readFileSync(file, 'utf8');
    if (file.endsWith('.d.ts.map')) {
      const map = JSON.parse(text);
      map.sources = map.sources.map((s) => relative(dirname(target), resolve(dirname(file), s)));
      text = JSON.stringify(map);
    }
    writeFileSync(target, text);
  }
  writeFileSync(join(pkgDir, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const cjs = new Set(args.flatMap((a, i) => (args[i - 1] === '--cjs' ? [a] : [])));
  let failed = false;
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const typesDir = join(root, 'packages', pkg, 'dist/types');
    if (!existsSync(typesDir)) continue;
    const rootDir = /"rootDir":\s*"([^"]+)"/.exec(readFileSync(join(root, 'packages', pkg, 'tsconfig.json'), 'utf8'))?.[1] ?? '.';
    removeStale(typesDir, join(root, 'packages', pkg, rootDir));
    const { unresolved } = fixDeclarations(typesDir);
    for (const u of unresolved) console.error(`declarations: no declaration file for ${u}`);
    failed ||= unresolved.length > 0;
    if (cjs.has(pkg)) copyForCommonJs(join(root, 'packages', pkg));
  }
  if (failed) process.exit(1);
}
