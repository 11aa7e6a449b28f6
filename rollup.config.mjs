// Rollup only bundles JavaScript: `tsc --build` has already type-checked every package and
// emitted its JS to packages/*/build and its .d.ts to packages/*/dist/types.
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { minifyWidgetCss, pruneUnreachableSipJs } from './packages/softphone/scripts/bundle-plugins.mjs';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Reads the source map tsc wrote beside each file under build/, so the bundle's map leads through
 * build/ back to src/*.ts (which the packages ship) instead of stopping at build/, which they do not.
 */
export const tscSourceMaps = () => ({
  name: 'tsc-source-maps',
  load(id) {
    if (!id.includes('/build/') || !id.endsWith('.js') || !existsSync(`${id}.map`)) return null;
    const code = readFileSync(id, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { code, map: readFileSync(`${id}.map`, 'utf8') };
  },
});

/**
 * Library build: every dependency stays external, the consumer's bundler resolves it.
 * `extra.bundle` lists dependencies to inline instead (for a CommonJS build whose dependency is
 * ESM-only, which `require` cannot load on Node before 20.19).
 */
function library(pkg, inputs, extra = {}) {
  // `inputs` lists entry names under build/, or maps output names to paths under build/.
  const entries = Array.isArray(inputs) ? Object.fromEntries(inputs.map((n) => [n, n])) : inputs;
  const manifest = JSON.parse(readFileSync(`packages/${pkg}/package.json`, 'utf8'));
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const inline = new Set(extra.bundle ?? []);
  const isExternal = (id) =>
    builtins.has(id) || deps.some((d) => !inline.has(d) && (id === d || id.startsWith(`${d}/`)));
  return {
    input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, `packages/${pkg}/build/${file}.js`])),
    external: isExternal,
    output: {
      dir: `packages/${pkg}/dist`,
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      ...extra.output,
    },
    plugins: [tscSourceMaps(), nodeResolve({ preferBuiltins: true })],
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.some((id) => id.includes('node_modules'))) return;
      warn(warning);
    },
  };
}

/** The one-file browser bundle a reseller loads with a single <script type="module">. */
export function softphoneBundle(input, file) {
  return {
    input,
    output: { file, format: 'es', sourcemap: true },
    plugins: [
      pruneUnreachableSipJs(),
      minifyWidgetCss(),
      tscSourceMaps(),
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true }),
      terser({ ecma: 2020, module: true, format: { comments: false } }),
    ],
  };
}

const sdkEntryNames = (c) => (c.name === 'schemas/index' ? 'schemas.js' : '[name].js');

export default [
  library('sdk', ['index', 'schemas/index'], { output: { entryFileNames: sdkEntryNames } }),
  // `require('@highrise/sdk')`: dist/cjs holds a package.json of "type": "commonjs" (written by
  // tools/declarations.mjs with the declarations beside it), so .js there is CommonJS.
  library('sdk', ['index', 'schemas/index'], {
    output: { dir: 'packages/sdk/dist/cjs', format: 'cjs', entryFileNames: sdkEntryNames, exports: 'named', interop: 'auto' },
    // ky is ESM-only; `require` cannot load it on Node 20 before 20.19, which the SDK supports.
    bundle: ['ky'],
  }),
  // Locales sit next to the bundle in dist/locales/, loaded only by a page that asks for one.
  // Shared chunks stay next to the entries (not in chunks/): `import.meta.url` then finds locales/.
  library('softphone', { index: 'index', define: 'define', quality: 'phone/quality-monitor', 'locales/es': 'ui/locales/es', branding: 'ui/branding' }, { output: { chunkFileNames: '[name]-[hash].js' } }),
  softphoneBundle('packages/softphone/build/define.js', 'packages/softphone/dist/highrise-softphone.js'),
  library('platform', ['index', 'cli'], { output: { banner: (c) => (c.name === 'cli' ? '#!/usr/bin/env node' : '') } }),
  library('examples', { demo: 'src/demo', 'port-numbers': 'scripts/port-numbers', provision: 'scripts/provision', 'roles-and-keys': 'scripts/roles-and-keys', 'webhook-receiver': 'scripts/webhook-receiver' }),
];
