// Bundle budget: the complete <highrise-softphone> widget (lit, sip.js and our UI, minified, one
// file) against sip.js's SimpleUser alone, both built here in the same run with the same plugins.
// The widget may weigh at most 1.15× the bare library. The widget's own bundle plugins
// (packages/softphone/scripts/bundle-plugins.mjs, used by rollup.config.mjs too) apply to it alone:
// they are part of what ships.
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { minifyWidgetCss, pruneUnreachableSipJs } from '../packages/softphone/scripts/bundle-plugins.mjs';

const BUDGET = 1.15;
const root = fileURLToPath(new URL('..', import.meta.url));
const widgetEntry = `${root}packages/softphone/build/define.js`;
const SIMPLE_USER_ENTRY = '\0simple-user-entry';

/** The plugins of the softphone bundle in rollup.config.mjs, so both sides are built alike. */
const browserBundlePlugins = () => [
  replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
  nodeResolve({ browser: true, rootDir: root }),
  terser({ ecma: 2020, module: true, format: { comments: false } }),
];

/** A virtual module, so the baseline is SimpleUser and what it needs, nothing of ours. */
const simpleUserEntry = {
  name: 'simple-user-entry',
  resolveId: (id) => (id === SIMPLE_USER_ENTRY ? id : null),
  load: (id) => (id === SIMPLE_USER_ENTRY ? `export { SimpleUser } from 'sip.js/lib/platform/web/simple-user/simple-user.js';` : null),
};

async function gzippedKiB(input, extraPlugins = []) {
  const bundle = await rollup({
    input,
    plugins: [...extraPlugins, ...browserBundlePlugins()],
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    const code = output.filter((chunk) => chunk.type === 'chunk').map((chunk) => chunk.code).join('\n');
    const gz = gzipSync(code, { level: 9 }).length;
    return { raw: code.length / 1024, gzip: gz / 1024, gzBytes: gz };
  } finally {
    await bundle.close();
  }
}

if (!existsSync(widgetEntry)) {
  console.error(`missing ${widgetEntry}: run \`npm run build\` (or \`npx tsc --build packages/softphone\`) first`);
  process.exit(1);
}

const [widget, baseline] = await Promise.all([gzippedKiB(widgetEntry, [pruneUnreachableSipJs(), minifyWidgetCss()]), gzippedKiB(SIMPLE_USER_ENTRY, [simpleUserEntry])]);
const ratio = widget.gzip / baseline.gzip;
const row = (name, size) => `${name.padEnd(40)} ${size.raw.toFixed(1).padStart(7)} KiB min ${size.gzip.toFixed(2).padStart(7)} KiB gz`;

console.log(row('<highrise-softphone> (define.js bundle)', widget));
console.log(row('sip.js SimpleUser alone (baseline)', baseline));
console.log(`ratio ${ratio.toFixed(4)} (budget ${BUDGET}: ${Math.floor(BUDGET * baseline.gzBytes)} B gz; widget ${widget.gzBytes} B, ${Math.floor(BUDGET * baseline.gzBytes) - widget.gzBytes} B to spare)`);
if (ratio <= BUDGET) {
  console.log(`PASS bundle-size: widget is ${ratio.toFixed(3)}x SimpleUser, within ${BUDGET}x`);
} else {
  console.log(`FAIL bundle-size: widget is ${ratio.toFixed(3)}x SimpleUser, over the ${BUDGET}x budget`);
  process.exitCode = 1;
}
