// Checks every publishable package the way npm would ship it (run after `npm run build`):
// 1. `publint --strict` and `attw --pack` on each; any error or warning fails the run. A package
//    without a `require` condition is ESM-only on purpose (the platform needs Node >= 20.19,
//    where `require` loads ESM; the softphone is for browsers) and is checked with attw's
//    `esm-only` profile; the others must resolve everywhere, node10 included.
// 2. The tarballs from `npm pack` are unpacked into test/consumer/node_modules, and the consumer
//    project there is type-checked under `module: nodenext` (ESM and a CommonJS .cts) and under
//    `moduleResolution: bundler`. Its `@ts-expect-error` lines make a wrong method name an error,
//    so declarations that degrade to `any` fail the check.
// 3. Node loads the SDK from the unpacked tarball through both `import` and `require`.
// 4. Every package names the same repository as the root package.json (homepage, bugs under it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);
const consumer = join(root, 'test/consumer');

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const failures = [];
function step(name, fn) {
  try {
    const out = fn();
    console.log(`ok   ${name}`);
    return out;
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).map(String).join('\n').trim();
    console.log(`FAIL ${name}\n${output || error.message}`);
    failures.push(name);
    return undefined;
  }
}
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const hasRequireCondition = (manifest) => JSON.stringify(manifest.exports ?? {}).includes('"require"');

// One repository for every package (and the root): `repository.url` the same everywhere,
// `homepage` and `bugs` under it, `directory` the package's own folder.
step('repository, homepage and bugs name one repository', () => {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const url = rootManifest.repository?.url;
  const web = url?.replace(/^git\+/, '').replace(/\.git$/, '');
  const wrong = [];
  for (const { dir, manifest } of packages) {
    const folder = dir.slice(root.length).replace(/^\/+/, '');
    if (manifest.repository?.url !== url) wrong.push(`${manifest.name}: repository.url ${manifest.repository?.url}, the root has ${url}`);
    if (manifest.repository?.directory !== folder) wrong.push(`${manifest.name}: repository.directory ${manifest.repository?.directory}, not ${folder}`);
    if (manifest.homepage !== `${web}/tree/main/${folder}#readme`) wrong.push(`${manifest.name}: homepage ${manifest.homepage}`);
    if (manifest.bugs?.url !== `${web}/issues`) wrong.push(`${manifest.name}: bugs ${manifest.bugs?.url}`);
  }
  if (!url || wrong.length) throw new Error(wrong.join('\n') || 'the root package.json names no repository');
});

for (const { dir, manifest } of packages) {
  step(`publint --strict ${manifest.name}`, () => run(bin('publint'), ['--strict'], dir));
  const profile = hasRequireCondition(manifest) ? 'strict' : 'esm-only';
  step(`attw --pack --profile ${profile} ${manifest.name}`, () => run(bin('attw'), ['--pack', '.', '--profile', profile, '--format', 'table-flipped'], dir));
}

// Unpack the tarballs where the consumer project resolves them; third-party dependencies resolve
// from the repository's node_modules further up.
const packDir = mkdtempSync(join(tmpdir(), 'highrise-pack-'));
const modules = join(consumer, 'node_modules');
rmSync(modules, { recursive: true, force: true });
for (const { dir, manifest } of packages) {
  step(`npm pack ${manifest.name} into test/consumer`, () => {
    const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], dir));
    const target = join(modules, manifest.name);
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', join(packDir, filename), '-C', target, '--strip-components=1'], root);
  });
}
rmSync(packDir, { recursive: true, force: true });

// Every source map in a tarball must lead to files in that tarball (debuggers and "go to
// definition" follow them to src/*.ts, which the packages ship for that reason).
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}
for (const { manifest } of packages) {
  step(`source maps of ${manifest.name} lead to shipped files`, () => {
    const missing = [];
    for (const file of files(join(modules, manifest.name))) {
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(file, 'utf8'));
      for (const source of map.sources) {
        if (source.includes('node_modules')) continue; // inlined dependencies (ky in the CommonJS build)
        if (!existsSync(join(dirname(file), map.sourceRoot ?? '', source))) missing.push(`${file}: ${source}`);
      }
    }
    if (missing.length) throw new Error(`${missing.length} missing, e.g.\n${missing.slice(0, 5).join('\n')}`);
  });
}

for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
  step(`consumer type-check (${config})`, () => run(bin('tsc'), ['-p', join(consumer, config)], consumer));
}

const smoke = `
  const { Highrise } = require('@highrise/sdk');
  const { Tenant } = require('@highrise/sdk/schemas');
  import('@highrise/sdk').then(async (esm) => {
    const fetch = async () => Response.json({ ok: true });
    const hr = new esm.Highrise({ baseUrl: 'http://platform.test', apiKey: 'hr_test_x', fetch });
    if (typeof Highrise !== 'function' || typeof Tenant.parse !== 'function' || !(hr.tenants)) process.exit(1);
    console.log(require.resolve('@highrise/sdk'));
  });
`;
step('node loads @highrise/sdk from the tarball via require and import', () => {
  const resolved = run(process.execPath, ['-e', smoke], consumer).trim();
  if (!resolved.startsWith(modules)) throw new Error(`resolved ${resolved}, not the unpacked tarball`);
});

if (existsSync(modules) && failures.length === 0) rmSync(modules, { recursive: true, force: true });
console.log(failures.length === 0 ? 'packages: all checks passed' : `packages: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
