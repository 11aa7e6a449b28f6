// `npm start`'s demo hands softphone tokens to whoever loads /demo-config.json, so it serves only
// loopback unless told, loudly, to do otherwise. Nothing here ever binds beyond loopback: the
// refusal comes before the platform starts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
