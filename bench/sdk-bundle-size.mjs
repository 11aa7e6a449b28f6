// Bundle budget for @highrise/sdk in a browser: a page that constructs the client and calls it,
// bundled from the built package with rollup + terser (minified, gzip -9), as an app would.
// Reported beside the same client built the old way in the same run: its zod schemas loaded up
// front, as every response was checked with zod before lenient shape checks. ky (the HTTP core)
// is in both; its own share is reported too.
// Budget: the code a page loads before its first call, at most 25 KiB gz. The zod schemas load
// only for `validateResponses: 'strict' | 'warn'`, in a chunk of their own (reported too).
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUDGET_KIB = 25;
const root = fileURLToPath(new URL('..', import.meta.url));
const sdk = `${root}packages/sdk/dist/index.js`;
const schemas = `${root}packages/sdk/dist/schemas.js`;

const page = `
  import { Highrise } from ${JSON.stringify(sdk)};
  const hr = new Highrise({ baseUrl: location.origin, apiKey: 'hr_live_x', dangerouslyAllowBrowser: true });
  for await (const tenant of hr.tenants.list()) console.log(tenant.name);
`;
// The old way: every response schema imported and in the page's bundle before the first call.
const eagerPage = `${page}\n  import * as schemas from ${JSON.stringify(schemas)};\n  globalThis.schemas = schemas;`;

const virtual = (code) => ({
  name: 'page',
  resolveId: (id) => (id === '\0page' ? id : null),
  load: (id) => (id === '\0page' ? code : null),
});

async function measure(code) {
  const bundle = await rollup({
    input: '\0page',
    plugins: [virtual(code), nodeResolve({ browser: true, rootDir: root }), terser({ ecma: 2020, module: true, format: { comments: false } })],
    onwarn(warning, warn) {
      if (warning.code !== 'CIRCULAR_DEPENDENCY' && warning.code !== 'INVALID_ANNOTATION') warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    const size = (chunks) => {
      const text = chunks.map((c) => c.code).join('\n');
      return { raw: text.length / 1024, gzip: gzipSync(text, { level: 9 }).length / 1024 };
    };
    const chunks = output.filter((c) => c.type === 'chunk');
    return { initial: size(chunks.filter((c) => c.isEntry)), lazy: size(chunks.filter((c) => !c.isEntry)) };
  } finally {
    await bundle.close();
  }
}

if (!existsSync(sdk)) {
  console.error(`missing ${sdk}: run \`npm run build\` first`);
  process.exit(1);
}

// ky alone, as the client uses it: what the HTTP core costs of the client's bytes.
const kyOnly = `import ky from 'ky';\n  globalThis.api = ky.create({ retry: { limit: 2 } });`;

const [now, old, kyShare] = await Promise.all([measure(page), measure(eagerPage), measure(kyOnly)]);
const row = (name, size) => `${name.padEnd(58)} ${size.raw.toFixed(1).padStart(7)} KiB min ${size.gzip.toFixed(2).padStart(7)} KiB gz`;
console.log(row('@highrise/sdk client, loaded before the first call', now.initial));
console.log(row('  + zod schemas, loaded on first strict/warn check', now.lazy));
console.log(row('  of the client: ky 1.x, the HTTP core', kyShare.initial));
console.log(row('same client built the old way (schemas up front)', { raw: old.initial.raw + old.lazy.raw, gzip: old.initial.gzip + old.lazy.gzip }));
console.log(`ratio ${(now.initial.gzip / (old.initial.gzip + old.lazy.gzip)).toFixed(3)} of the old way; budget ${BUDGET_KIB} KiB gz`);
if (now.initial.gzip <= BUDGET_KIB) {
  console.log(`PASS sdk-bundle-size: ${now.initial.gzip.toFixed(2)} KiB gz within ${BUDGET_KIB} KiB`);
} else {
  console.log(`FAIL sdk-bundle-size: ${now.initial.gzip.toFixed(2)} KiB gz over ${BUDGET_KIB} KiB`);
  process.exitCode = 1;
}
