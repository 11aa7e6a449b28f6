// Rollup only bundles JavaScript: `tsc --build` has already type-checked every package and
// emitted its JS to packages/*/build and its .d.ts to packages/*/dist/types.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Library build: every dependency stays external, the consumer's bundler resolves it. */
function library(pkg, inputs, extra = {}) {
  // `inputs` lists entry names under build/, or maps output names to paths under build/.
  const entries = Array.isArray(inputs) ? Object.fromEntries(inputs.map((n) => [n, n])) : inputs;
  const manifest = JSON.parse(readFileSync(`packages/${pkg}/package.json`, 'utf8'));
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const isExternal = (id) =>
    builtins.has(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));
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
    plugins: [nodeResolve({ preferBuiltins: true })],
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
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true }),
      terser({ ecma: 2020, module: true, format: { comments: false } }),
    ],
  };
}

export default [
  library('sdk', ['index', 'schemas/index'], { output: { entryFileNames: (c) => (c.name === 'schemas/index' ? 'schemas.js' : '[name].js') } }),
  // Locales sit next to the bundle in dist/locales/, loaded only by a page that asks for one.
  // Shared chunks stay next to the entries (not in chunks/): `import.meta.url` then finds locales/.
  library('softphone', { index: 'index', define: 'define', quality: 'phone/quality-monitor', 'locales/es': 'ui/locales/es' }, { output: { chunkFileNames: '[name]-[hash].js' } }),
  softphoneBundle('packages/softphone/build/define.js', 'packages/softphone/dist/highrise-softphone.js'),
  library('platform', ['index', 'cli'], { output: { banner: (c) => (c.name === 'cli' ? '#!/usr/bin/env node' : '') } }),
  library('examples', { demo: 'src/demo', 'port-numbers': 'scripts/port-numbers', provision: 'scripts/provision' }),
];
