// `npm start`'s demo, started the way demo.ts starts it (with a temporary data directory):
// seeding is idempotent across restarts, and the reseller page puts a registered phone on the desk.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Highrise } from '@highrise/sdk';
import { startDemo, type Demo } from '../../packages/examples/src/demo-server';
import { launchChromium } from './chromium';
import { openTrackedPage, screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';

describe('the npm start demo', () => {
  let dataDir: string;
  let demo: Demo;
  let browser: Browser;
  const pages: TrackedPage[] = [];
  const start = () => startDemo({ port: 0, host: '127.0.0.1', dataDir });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'highrise-demo-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('seeds Northwind, Acme Dental and Globex Law once, and a restart finds them again', async () => {
    const first = await start();
    const firstTenants = first.tenants;
    await first.close();
    demo = await start();

    expect(demo.bootstrapKey).toBe(first.bootstrapKey);
    expect(JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')).bootstrapKey).toBe(demo.bootstrapKey);
    expect(demo.tenants).toEqual(firstTenants);

    const hr = new Highrise({ baseUrl: demo.platform.url, apiKey: demo.bootstrapKey });
    const resellers = await collect(hr.resellers.list());
    expect(resellers.map((r) => r.name)).toEqual(['Northwind Telecom']);
    const tenants = await collect(hr.tenants.list());
    expect(tenants.map((t) => [t.slug, t.resellerId]).sort()).toEqual([
      ['acme-dental', resellers[0]!.id],
      ['globex-law', resellers[0]!.id],
    ]);
    for (const t of tenants) {
      const numbers = (await collect(hr.tenant(t.id).extensions.list())).map((e) => e.number).sort();
      expect(numbers).toEqual(['101', '102']);
    }
    expect(demo.config().phones.map((p) => p.id)).toEqual(['acme-101', 'acme-102', 'globex-101', 'globex-102']);
  });

  test('the reseller page shows the picker and registers the chosen phone', async () => {
    screenshotOnFailure('demo page', () => pages);
    const tab = await openTrackedPage(browser, 'demo-acme-102');
    pages.push(tab);
    await tab.page.goto(`http://localhost:${demo.platform.port}/?phone=acme-102`);

    await expect.poll(() => tab.page.locator('.phone-list a').count()).toBe(4);
    expect(await tab.page.locator('.phone-list a[aria-current="page"]').getAttribute('href')).toBe('?phone=acme-102');
    expect(await tab.page.locator('#desk-tenant').textContent()).toBe('Acme Dental');
    await tab.page.locator('highrise-softphone[registration="registered"]').waitFor({ state: 'attached', timeout: 15_000 });
    expect(await tab.page.title()).toBe('Acme 102 · Northwind Telecom');
    expect(unexpectedErrors(pages)).toEqual([]);
  });
});

/** Array.fromAsync arrives in Node 22; the project supports Node 20. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
