// Runs every benchmark in bench/ in turn. Each prints its figures beside a baseline measured in
// the same run (these machines are noisy) and exits non-zero when it misses its budget.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const { status } = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
console.log(`\n${benches.length - failed} of ${benches.length} benchmarks within budget`);
process.exit(failed ? 1 : 0);
