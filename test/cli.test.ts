/**
 * The `highrise` command as the README runs it: `npx highrise …` from the repository root after
 * `npm ci` (which builds through `prepare`; `npm test` builds too).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('npx highrise', () => {
  it('is linked by npm and prints its usage for --help, exiting 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'highrise', '--help'], { cwd: root, timeout: 20_000 });
    expect(stdout).toContain('usage: highrise start');
    // Several nodes may share a PostgreSQL database, but not the SIP edge: said where operators look.
    expect(stdout.replace(/\s+/g, ' ')).toContain('The embedded SIP edge is SINGLE-NODE until the Kamailio edge is wired');
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

  it('migrates a SQLite database up and down, taking a backup before up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'highrise-cli-'));
    try {
      const highrise = (...args: string[]) => run('npx', ['--no-install', 'highrise', 'migrate', ...args, '--data-dir', dataDir], { cwd: root, timeout: 20_000 });
      expect((await highrise('up', '--to', '5')).stdout).toContain('schema version: 5');
      const up = await highrise('up');
      expect(up.stdout).toMatch(/^backup: .*highrise\.db\.v5-.*\.bak$/m);
      expect(up.stdout).toMatch(/^applied 0011 tenant_caps_and_plan_revision \(\d+\.\d\d s\)$/m);
      expect((await highrise('down', '--to', '7', '--dry-run')).stdout).toContain('would revert 0008 tenant_storage_limit');
      expect((await highrise('down', '--to', '7')).stdout).toContain('schema version: 7');
      expect((await highrise('status')).stdout).toContain('pending 0011 tenant_caps_and_plan_revision');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
