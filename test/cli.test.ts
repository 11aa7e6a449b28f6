/**
 * The `highrise` command as the README runs it: `npx highrise …` from the repository root after
 * `npm ci` (which builds through `prepare`; `npm test` builds too).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('npx highrise', () => {
  it('is linked by npm and prints its usage for --help, exiting 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'highrise', '--help'], { cwd: root, timeout: 20_000 });
    expect(stdout).toContain('usage: highrise start');
  });

  it('exits 2 with the problem and the usage for an unknown command', async () => {
    const failure = await run('npx', ['--no-install', 'highrise', 'frobnicate'], { cwd: root, timeout: 20_000 }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('unknown command "frobnicate"');
    expect(failure?.stderr).toContain('usage: highrise start');
  });
});
