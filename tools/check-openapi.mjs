// Checks the OpenAPI document the platform serves (run after `npm run build`):
// 1. starts the built platform on a free loopback port with a throwaway data directory and writes
//    its GET /openapi.json to a file (`--out FILE`, default a temp dir);
// 2. validates it with swagger-parser (schema of OpenAPI 3.1, every $ref resolved);
// 3. lints it with `redocly lint` under redocly.yaml; an error fails the run, and so does a warning.
// Both work offline: Redocly's telemetry (a reachability probe, then a report) is off through
// REDOCLY_TELEMETRY=off and `telemetry: off` in redocly.yaml, and its update check through
// REDOCLY_SUPPRESS_UPDATE_NOTICE (docs/decisions/2026-12-01-openapi-validity.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startPlatform } from '@highrise/platform';

const root = fileURLToPath(new URL('..', import.meta.url));
const outIndex = process.argv.indexOf('--out');
const work = mkdtempSync(join(tmpdir(), 'highrise-openapi-'));
const file = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(work, 'openapi.json');

let failed = false;
const platform = await startPlatform({ port: 0, host: '127.0.0.1', dataDir: join(work, 'data'), log: () => {} });
try {
  const response = await fetch(`${platform.url}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  writeFileSync(file, JSON.stringify(await response.json(), null, 2));
} finally {
  await platform.close();
}
if (outIndex > 0) console.log(`wrote ${file}`);

// swagger-parser dereferences the object it is given: hand it a copy.
const document = JSON.parse(readFileSync(file, 'utf8'));
try {
  await SwaggerParser.validate(structuredClone(document));
  console.log('ok   swagger-parser validate');
} catch (error) {
  console.log(`FAIL swagger-parser validate\n${error.message}`);
  failed = true;
}

const repository = JSON.parse(readFileSync(join(root, 'packages/platform/package.json'), 'utf8')).bugs.url;
if (document.info?.contact?.url !== repository) {
  console.log(`FAIL info.contact.url is ${document.info?.contact?.url}; the packages' bugs URL is ${repository}`);
  failed = true;
}

try {
  const output = execFileSync(join(root, 'node_modules/.bin/redocly'), ['lint', '--config', join(root, 'redocly.yaml'), '--format', 'stylish', file], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
  });
  // `stylish` prints one line per problem; warnings do not change redocly's exit code.
  const problems = output.split('\n').filter((line) => /\b(error|warning)\b/.test(line) && /\d+:\d+/.test(line));
  if (problems.length > 0) {
    console.log(`FAIL redocly lint: ${problems.length} warning(s)\n${problems.join('\n')}`);
    failed = true;
  } else {
    console.log('ok   redocly lint');
  }
} catch (error) {
  console.log(`FAIL redocly lint\n${[error.stdout, error.stderr].filter(Boolean).join('\n').trim() || error.message}`);
  failed = true;
}

if (outIndex < 0) rmSync(work, { recursive: true, force: true });
else rmSync(join(work, 'data'), { recursive: true, force: true });
if (failed) process.exit(1);
