// `npm start`'s demo hands softphone tokens to whoever loads /demo-config.json, so it serves only
// loopback unless told, loudly, to do otherwise. Nothing here ever binds beyond loopback: the
// refusal comes before the platform starts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Highrise } from '@highrise/sdk';
import { DemoPublicBindRefused, isLoopbackHost, startDemo } from '../packages/examples/src/demo-server';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'highrise-demo-bind-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the demo on a non-loopback interface', () => {
  it('refuses to start without the insecure flag, before writing or binding anything', async () => {
    const dataDir = join(dir, 'in-process');
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'demo.example.com']) {
      await expect(startDemo({ host, port: 0, dataDir })).rejects.toBeInstanceOf(DemoPublicBindRefused);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('exits non-zero with the reason and the way out when `npm start` is given HIGHRISE_HOST=0.0.0.0', async () => {
    const entry = join(import.meta.dirname, '..', 'packages', 'examples', 'dist', 'demo.js');
    expect(existsSync(entry), 'this test runs the built demo: npm run build (npm test builds first)').toBe(true);
    const cwd = join(dir, 'spawned');
    await mkdir(cwd);
    const child = spawn(process.execPath, [entry], {
      cwd,
      env: { ...process.env, HIGHRISE_HOST: '0.0.0.0', HIGHRISE_PORT: '0', HIGHRISE_DEMO_INSECURE_PUBLIC: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A demo that does start (the bug this test is for) must not outlive the test.
      timeout: 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain('Refusing to serve the demo on 0.0.0.0');
    expect(stderr).toContain('HIGHRISE_DEMO_INSECURE_PUBLIC=1');
    expect(stdout).not.toContain('listening');
    // No state was created: the refusal came first.
    expect(await readdir(cwd)).toEqual([]);
  });

  it('counts only this machine as loopback', () => {
    for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '::ffff:10.0.0.1', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('the demo call history', () => {
  it('is written once, through the store (so analytics agree with the records), and keeps to the one-channel limit', async () => {
    const dataDir = join(dir, 'history');
    const first = await startDemo({ host: '127.0.0.1', port: 0, dataDir });
    const counts = new Map<string, number>();
    try {
      const hr = new Highrise({ baseUrl: first.platform.url, apiKey: first.bootstrapKey });
      for (const tenant of first.tenants) {
        const calls = await hr.tenant(tenant.id).calls.list({ limit: 100 }).toArray();
        counts.set(tenant.id, calls.length);
        expect(calls.length, tenant.name).toBeGreaterThan(200);
        // Weeks of it, on most days, with every kind of outcome.
        const days = new Set(calls.map((c) => c.startedAt.slice(0, 10)));
        expect(days.size, tenant.name).toBeGreaterThanOrEqual(20);
        expect(new Set(calls.map((c) => c.disposition)), tenant.name).toEqual(new Set(['answered', 'no_answer', 'busy', 'cancelled', 'failed', 'rejected', 'limit']));
        // The demo tenants have one channel: no two calls that got through overlap.
        const held = calls.filter((c) => c.disposition !== 'limit').sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        for (let i = 1; i < held.length; i++) expect(held[i]!.startedAt >= held[i - 1]!.endedAt, held[i]!.id).toBe(true);
        // The rollups came with the records: the summary counts every one of them.
        const to = new Date(Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000);
        const from = new Date(to.getTime() - 60 * 86_400_000);
        const summary = await hr.tenant(tenant.id).analytics.summary({ from: from.toISOString(), to: to.toISOString(), interval: 'day' });
        expect(summary.totals.calls, tenant.name).toBe(calls.length);
        expect(summary.totals.refusedByChannelLimit, tenant.name).toBe(calls.filter((c) => c.disposition === 'limit').length);
      }
    } finally {
      await first.close();
    }
    const again = await startDemo({ host: '127.0.0.1', port: 0, dataDir });
    try {
      const hr = new Highrise({ baseUrl: again.platform.url, apiKey: again.bootstrapKey });
      for (const tenant of again.tenants) expect((await hr.tenant(tenant.id).calls.list({ limit: 100 }).toArray()).length).toBe(counts.get(tenant.id));
    } finally {
      await again.close();
    }
  }, 60_000);
});
