// Source-map attribution of the one-file widget bundle, to find weight worth removing: builds it as
// bench/bundle-size.mjs does (same plugins), charges each generated character to the source file its
// mapping names, and prints per file the gz bytes the bundle loses without that file's characters
// (an estimate: gzip's context is shared) and its minified bytes. Run after `npm run build`:
//   node bench/bundle-attribution.mjs [path filter] [rows]
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';
const root = new URL('..', import.meta.url).pathname;
const { minifyWidgetCss, pruneUnreachableSipJs } = await import(root + 'packages/softphone/scripts/bundle-plugins.mjs');
const { tscSourceMaps } = await import(root + 'rollup.config.mjs');
const bundle = await rollup({ input: root + 'packages/softphone/build/define.js', plugins: [pruneUnreachableSipJs(), minifyWidgetCss(), tscSourceMaps(), replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': '"production"' } }), nodeResolve({ browser: true, rootDir: root }), terser({ ecma: 2020, module: true, format: { comments: false } })], onwarn() {} });
const { output } = await bundle.generate({ format: 'es', sourcemap: true });
const { code, map } = output[0];
const lines = code.split('\n');
const lineStart = []; let o = 0; for (const l of lines) { lineStart.push(o); o += l.length + 1; }
const segs = [];
eachMapping(new TraceMap(map), (m) => segs.push({ pos: lineStart[m.generatedLine - 1] + m.generatedColumn, src: m.source ?? '?' }));
segs.sort((a, b) => a.pos - b.pos);
const owner = new Array(code.length).fill('?');
for (let i = 0; i < segs.length; i++) { const end = i + 1 < segs.length ? segs[i + 1].pos : code.length; for (let p = segs[i].pos; p < end; p++) owner[p] = segs[i].src; }
const total = gzipSync(code, { level: 9 }).length;
const bySrc = new Map();
for (let p = 0; p < code.length; p++) bySrc.set(owner[p], (bySrc.get(owner[p]) ?? 0) + 1);
const rows = [];
const filter = process.argv[2] ?? '';
for (const [src, raw] of bySrc) {
  if (!src.includes(filter)) continue;
  let without = ''; for (let p = 0; p < code.length; p++) if (owner[p] !== src) without += code[p];
  rows.push([src.replace(/.*node_modules\//, '').replace(/.*softphone\//, 'sp/'), raw, total - gzipSync(without, { level: 9 }).length]);
}
rows.sort((a, b) => b[2] - a[2]);
console.log('total gz', total);
for (const r of rows.slice(0, Number(process.argv[3] ?? 60))) console.log(String(r[2]).padStart(6), String(r[1]).padStart(7), r[0]);
