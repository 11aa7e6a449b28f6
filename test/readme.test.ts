/**
 * The README's code examples and environment variables, checked against the code:
 * - a block marked `<!-- example: FILE -->` is FILE word for word (after its leading comment), and
 *   FILE is compiled by `npm run build` and run here against a real platform as a user would run it;
 * - every `HIGHRISE_*` variable the READMEs name is read by the code, and every variable
 *   `highrise start` reads is named in the README.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const packageReadmes = readdirSync(join(root, 'packages')).flatMap((dir) => {
  try {
    return [read(`packages/${dir}/README.md`)];
  } catch {
    return [];
  }
});

/** A file's code without the comment lines that open it (how to run it; not shown in the README). */
const withoutHeader = (text: string) => text.replace(/^(?:\/\/.*\n)+/, '').trim();
const examples = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));

/** Every source file's text under `dir` (recursively), tests left out. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' || name === 'dist' || name === 'build' ? [] : sources(path);
    return /\.(ts|mjs|sh)$/.test(name) && !name.endsWith('.test.ts') ? [read(path)] : [];
  });
}

describe('the README', () => {
  it('shows each marked example exactly as the compiled file has it', () => {
    expect(examples.map((e) => e.file)).toEqual(['packages/examples/scripts/roles-and-keys.ts', 'packages/examples/scripts/webhook-receiver.ts']);
    for (const { file, code } of examples) expect(code, file).toBe(withoutHeader(read(file)));
  });

  it('names only environment variables the code reads, and every one `highrise start` reads', () => {
    const code = [...sources('packages'), ...sources('test/support'), ...sources('test/browser'), read('.ci/run'), read('vitest.config.ts')].join('\n');
    const named = new Set([readme, ...packageReadmes].flatMap((text) => [...text.matchAll(/\bHIGHRISE_[A-Z_]+\b/g)].map((m) => m[0])));
    for (const name of named) expect(code, `${name} is named in a README`).toContain(name);
    const start = read('packages/platform/src/cli-command.ts');
    const read_ = new Set([...start.matchAll(/env\.(HIGHRISE_[A-Z_]+)/g)].map((m) => m[1]!));
    expect(read_.size).toBeGreaterThan(8);
    for (const name of read_) expect(named, `${name} is read by highrise start`).toContain(name);
  });
});

/** A built example run with Node, as the README says to, and a way to wait for a line of its output. */
function runExample(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, file)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let exited: number | null | undefined;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (chunk: Buffer) => ((text += chunk.toString()), notify()));
  child.stderr!.on('data', (chunk: Buffer) => ((text += chunk.toString()), notify()));
  child.on('exit', (code) => ((exited = code), notify()));
  /** Resolves with the output so far once `pattern` matches it; rejects if the example exits first. */
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (pattern.test(text)) resolve(text);
        else if (exited !== undefined) reject(new Error(`${file} exited with ${exited} before printing ${pattern}:\n${text}`));
        else return;
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, waitFor, exit };
}

/** A port nothing listens on right now, for the receiver (which must know its URL before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the README examples, run against the platform', () => {
  let running: TestPlatform;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The webhook receiver listens on loopback, which only this setting lets an endpoint name.
    running = await startTestPlatform('readme', { webhooks: { allowPrivateDestinations: true, pollIntervalMs: 100 } });
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await running?.close();
  });

  it('roles and keys: a reseller owner key creates the tenant, its role and its keys', async () => {
    const run = runExample('packages/examples/dist/roles-and-keys.js', { HIGHRISE_BASE_URL: running.platform.url, HIGHRISE_API_KEY: running.bootstrapKey });
    children.push(run.child);
    expect(await run.exit).toBe(0);
    expect(await run.waitFor(/suspended/)).toMatch(/^rotated key_\w+ revoked key_\w+ suspended res_\w+\n$/);
    const [reseller] = (await running.provider.resellers.list()).data;
    expect(reseller).toMatchObject({ name: 'Northwind Telecom', status: 'suspended' });
  });

  it('webhook receiver: verifies a real delivery, acknowledges it, and refuses a forged one', async () => {
    const { created, admin } = await running.createTenant('readme-hooks', 'Readme Hooks');
    const port = await freePort();
    const receiverUrl = `http://127.0.0.1:${port}/highrise`;
    const run = runExample('packages/examples/dist/webhook-receiver.js', {
      HIGHRISE_BASE_URL: running.platform.url,
      HIGHRISE_API_KEY: created.adminKey!.secret,
      TENANT_ID: created.tenant.id,
      RECEIVER_URL: receiverUrl,
      PORT: String(port),
    });
    children.push(run.child);
    await run.waitFor(/receiving webhooks on port \d+/);

    await admin.tenant(created.tenant.id).extensions.create({ number: '101', displayName: 'Ann' });
    expect(await run.waitFor(/new extension 101/)).toContain('new extension 101');
    const hooks = admin.tenant(created.tenant.id).webhookEndpoints;
    const [endpoint] = (await hooks.list()).data;
    await expect.poll(async () => (await hooks.deliveries.list(endpoint!.id)).data[0]?.status, { timeout: 15_000 }).toBe('delivered');

    const forged = await fetch(receiverUrl, { method: 'POST', headers: { 'Highrise-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }, body: '{}' });
    expect(forged.status).toBe(400);
  });
});
