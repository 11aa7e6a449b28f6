// The operator console at /console/, as `npm start` serves it (the demo, with its seeded weeks of
// calls): a provider, a reseller and a tenant admin sign in with their keys and each sees exactly
// what the role allows; the charts are drawn from real data; the page stays on this origin, keeps
// the key out of storage, refreshes itself without a reload, and axe-core finds no violation.
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Highrise } from '@highrise/sdk';
import { openKyselyStore, systemScope } from '@highrise/platform';
import { startDemo, type Demo } from '../../packages/examples/src/demo-server';
import { launchChromium } from './chromium';
import { ARTIFACTS_DIR, openTrackedPage, screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The console learns a key's role by asking (the platform has no "who am I" route): a reseller's
 * key is refused the reseller list and a tenant's the cross-tenant summary, and Chromium logs each
 * refusal. Panels a role may not read say so on the page; the tests read what the page shows.
 */
const EXPECTED_ERRORS = [/the server responded with a status of 403/];

/** A sign-in loads every panel; on a busy 2-core machine that took up to 50 s. */
const SLOW_TEST_MS = 150_000;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('the operator console', () => {
  let dataDir: string;
  let demo: Demo;
  let browser: Browser;
  let origin: string;
  let provider: Highrise;
  const keys = { provider: '', reseller: '', tenantAdmin: '' };
  let acmeId: string;
  let receiver: Server;
  const pages: TrackedPage[] = [];
  /** Every URL any console page asked for. */
  const requested: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'highrise-console-'));
    demo = await startDemo({ port: 0, host: '127.0.0.1', dataDir });
    // localhost, not 127.0.0.1: the URL the demo prints, and a secure context by name.
    origin = `http://localhost:${demo.platform.port}`;
    keys.provider = demo.bootstrapKey;
    provider = new Highrise({ baseUrl: demo.platform.url, apiKey: demo.bootstrapKey });
    const [reseller] = (await provider.resellers.list()).data;
    keys.reseller = (await provider.apiKeys.create({ name: 'console test', roleId: 'rol_resellerAdmin', resellerId: reseller!.id })).secret;
    acmeId = demo.tenants.find((t) => t.key === 'acme')!.id;
    keys.tenantAdmin = (await provider.tenant(acmeId).apiKeys.create({ name: 'console test', roleId: 'rol_tenantAdmin' })).secret;
    // A tenant the provider sells directly (no reseller), at its extension limit: the provider sees
    // it (and sees it near its limit); Northwind's reseller key must not.
    const { tenant: initech } = await provider.tenants.create({ name: 'Initech Direct', slug: 'initech-direct', limits: { extensions: 2 } });
    await provider.tenant(initech.id).extensions.create({ number: '201', displayName: 'Desk' });
    await provider.tenant(initech.id).extensions.create({ number: '202', displayName: 'Lab' });
    // Two provider-level webhook endpoints on this machine: one receiver answers 204, the other
    // 500 (its delivery stays pending, retried later). One extension created makes one event each.
    receiver = createServer((req, res) => {
      req.resume();
      res.writeHead(req.url === '/ok' ? 204 : 500).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const healthy = await provider.webhookEndpoints.create({ url: `${hooks}/ok`, enabledEvents: ['extension.created'] });
    const broken = await provider.webhookEndpoints.create({ url: `${hooks}/broken`, enabledEvents: ['extension.created'] });
    await provider.tenant(acmeId).extensions.create({ number: '103', displayName: 'Hygienist' });
    // Both first attempts made before any page opens (expect.poll is for tests, not hooks).
    for (let tries = 0; ; tries++) {
      const ok = (await provider.webhookEndpoints.deliveries.list(healthy.id)).data[0];
      const failing = (await provider.webhookEndpoints.deliveries.list(broken.id)).data[0];
      if (ok?.status === 'delivered' && (failing?.attempts.length ?? 0) > 0) break;
      if (tries > 60) throw new Error('the webhook deliveries were not attempted within 15 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function signIn(name: string, key: string): Promise<Page> {
    const tab = await openTrackedPage(browser, name);
    pages.push(tab);
    tab.page.on('request', (r) => requested.push(r.url()));
    await tab.page.goto(`${origin}/console`);
    expect(tab.page.url()).toBe(`${origin}/console/`);
    await tab.page.locator('input[name="key"]').fill(key);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.locator('.updated[data-refreshed-at^="20"]').waitFor({ timeout: 20_000 });
    return tab.page;
  }

  /** What uPlot holds for a chart: the number of x values and each series' sum. */
  async function chartData(page: Page, chart: string) {
    const el = page.locator(`hr-time-chart[data-chart="${chart}"]`).first();
    await el.locator('canvas').waitFor();
    return el.evaluate((node) => {
      const plot = (node as unknown as { plot?: { data: (number | null)[][] } }).plot;
      if (!plot) return { points: 0, sums: [] as number[] };
      return { points: plot.data[0]!.length, sums: plot.data.slice(1).map((s) => s.reduce<number>((a, v) => a + (v ?? 0), 0)) };
    });
  }

  /** Pixels of the chart's canvas that are not transparent: a drawn line leaves some. */
  async function inkedPixels(page: Page, chart: string): Promise<number> {
    return page
      .locator(`hr-time-chart[data-chart="${chart}"] canvas`)
      .first()
      .evaluate((canvas) => {
        const c = canvas as HTMLCanvasElement;
        const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
        return inked;
      });
  }

  /** The text of the first column of a table the view draws, row by row. */
  const firstColumn = (page: Page, table: string) => page.locator(`table[data-table="${table}"] tbody tr td:first-child`).allTextContents();

  /** axe-core's WCAG 2.x A and AA rules on the whole page, shadow roots included. */
  async function axeViolations(page: Page): Promise<string[]> {
    // Evaluated over the DevTools protocol: a <script> tag would be (rightly) refused by the page's CSP.
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(await AXE_SOURCE);
    return page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[]; passes: AxeViolation[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      // The whole console lives in shadow roots; axe names a node there with a nested selector list.
      const shadowChecked = result.passes.some((p) => p.nodes.some((n) => Array.isArray(n.target[0])));
      return [
        ...(shadowChecked ? [] : ['axe checked nothing inside the shadow roots']),
        ...result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`),
      ];
    });
  }

  async function screenshot(page: Page, name: string, annotate: TestContext['annotate']) {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, `console-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`console screenshot: ${path}`);
    await annotate(`console as ${name}`, { path, contentType: 'image/png' });
  }

  /** What the page itself keeps: nothing of the key may outlive the tab. */
  const storage = (page: Page) =>
    page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, secure: isSecureContext, html: document.documentElement.outerHTML }));

  test('a provider sees every tenant, charts drawn from the seeded calls, port orders and the audit trail', async ({ annotate }) => {
    screenshotOnFailure('console provider', () => pages);
    const first = requested.length;
    const page = await signIn('provider', keys.provider);
    const asked = () => requested.slice(first).map((u) => new URL(u));
    expect(await page.locator('[data-role]').getAttribute('data-role')).toBe('provider');

    expect((await firstColumn(page, 'tenants')).sort()).toEqual(['Acme Dental', 'Globex Law', 'Initech Direct']);
    // The demo's history: a bucket per day of the last 30 (31 when they do not start at midnight),
    // hundreds of calls, most of them answered.
    const calls = await chartData(page, 'calls');
    expect(calls.points).toBeOneOf([30, 31]);
    expect(calls.sums[0]).toBeGreaterThan(500);
    expect(calls.sums[1]).toBeGreaterThan(calls.sums[0]! / 2);
    expect(await inkedPixels(page, 'calls')).toBeGreaterThan(500);
    const peaks = await chartData(page, 'peak-channels');
    expect(peaks.points).toBe(calls.points);
    expect(peaks.sums.length).toBe(3);
    expect(Math.max(...peaks.sums)).toBeGreaterThan(0);
    expect(await inkedPixels(page, 'peak-channels')).toBeGreaterThan(200);

    expect(await firstColumn(page, 'top-tenants')).toEqual(['Acme Dental', 'Globex Law', 'Initech Direct']);
    await expect.poll(() => page.locator('[data-list="near-limits"] li').allTextContents()).toEqual(['Initech Direct: extensions 2 of 2 (100 %)']);
    expect((await page.locator('table[data-table="port-states"] tbody tr').count())).toBeGreaterThan(0);
    expect(await page.locator('[data-list="audit"] li').count()).toBeGreaterThan(0);
    expect((await page.locator('table[data-table="port-states"] tbody tr').allTextContents()).length).toBeGreaterThan(0);
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThan(2);
    // Port orders across tenants in one request (newest first), never one list per tenant; recent
    // audit events and each endpoint's deliveries read newest first, one page each.
    const portOrderLists = asked().filter((u) => u.pathname === '/v1/port-orders');
    expect(portOrderLists.length).toBeGreaterThan(0);
    expect(portOrderLists.every((u) => u.searchParams.get('order') === 'desc')).toBe(true);
    expect(asked().filter((u) => /^\/v1\/tenants\/[^/]+\/port-orders$/.test(u.pathname)).map(String)).toEqual([]);
    expect(asked().some((u) => u.pathname === '/v1/audit-events' && u.searchParams.get('order') === 'desc')).toBe(true);
    const deliveryLists = asked().filter((u) => u.pathname.endsWith('/deliveries'));
    expect(deliveryLists.length).toBeGreaterThan(0);
    expect(deliveryLists.every((u) => u.searchParams.get('order') === 'desc')).toBe(true);
    // Delivered / pending / failed per endpoint.
    const webhookRows = await page.locator('table[data-table="webhooks"] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(webhookRows.map((cells) => [cells[0]!.split(' ')[0]!.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''), ...cells.slice(1)]).sort()).toEqual([
      ['/broken', '0', '1', '0'],
      ['/ok', '1', '0', '0'],
    ]);

    const kept = await storage(page);
    expect(kept).toMatchObject({ local: 0, session: 0, cookie: '', secure: true });
    expect(kept.html).not.toContain(keys.provider);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'provider', annotate);
    expect(unexpectedErrors(pages, EXPECTED_ERRORS)).toEqual([]);
  }, SLOW_TEST_MS);

  test('a reseller sees its own tenants only', async ({ annotate }) => {
    screenshotOnFailure('console reseller', () => pages);
    const page = await signIn('reseller', keys.reseller);
    expect(await page.locator('[data-role]').getAttribute('data-role')).toBe('reseller');

    expect((await firstColumn(page, 'tenants')).sort()).toEqual(['Acme Dental', 'Globex Law']);
    expect(await firstColumn(page, 'top-tenants')).toEqual(['Acme Dental', 'Globex Law']);
    expect(await page.locator('[data-empty="near-limits"]').count()).toBe(1);
    // The provider's own webhook endpoints are not the reseller's.
    expect(await page.locator('section[aria-labelledby="h-webhooks"]').textContent()).toContain('No webhook endpoints');
    expect(await page.content()).not.toContain('Initech');
    // Its tenants' port orders, read across them in one list.
    expect(await page.locator('table[data-table="port-states"] tbody tr').count()).toBeGreaterThan(0);
    const calls = await chartData(page, 'calls');
    expect(calls.points).toBeOneOf([30, 31]);
    expect(calls.sums[0]).toBeGreaterThan(500);
    expect((await chartData(page, 'peak-channels')).sums.length).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'reseller', annotate);
    expect(unexpectedErrors(pages, EXPECTED_ERRORS)).toEqual([]);
  }, SLOW_TEST_MS);

  test('a tenant admin sees its own extensions, numbers, calls and charts, port orders and audit log, and no other tenant', async ({ annotate }) => {
    screenshotOnFailure('console tenant admin', () => pages);
    const page = await signIn('tenant-admin', keys.tenantAdmin);
    expect(await page.locator('[data-role]').textContent()).toBe('Tenant admin · Acme Dental');

    expect(await page.locator('hr-operator-view').count()).toBe(0);
    expect(await page.locator('table[data-table="tenants"]').count()).toBe(0);
    expect(await firstColumn(page, 'extensions')).toEqual(['101', '102', '103']);
    // Its DID (and, once the simulated carrier completes it, the numbers its port order brings in).
    expect(await firstColumn(page, 'numbers')).toContain('+14155550100');
    expect(await page.locator('table[data-table="calls"] tbody tr').count()).toBe(20);
    expect(await page.locator('table[data-table="port-orders"] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-list="audit"] li').count()).toBeGreaterThan(0);
    const content = await page.content();
    for (const foreign of ['Globex', 'Initech', '+12125550100']) expect(content).not.toContain(foreign);

    // The tenant's own figures: the chart's total is the API's total for the same range.
    const calls = await chartData(page, 'calls');
    expect(calls.points).toBeOneOf([30, 31]);
    const own = Number((await page.locator('[data-figure="calls"]').textContent())!.replace(/,/g, ''));
    expect(calls.sums[0]).toBe(own);
    const summaries = requested.filter((u) => u.includes('/analytics/summary') && u.includes(acmeId));
    expect(summaries.length).toBeGreaterThan(0);
    expect((await chartData(page, 'peak-channels')).sums[0]).toBeGreaterThan(0);
    expect(await inkedPixels(page, 'peak-channels')).toBeGreaterThan(100);

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'tenant-admin', annotate);
    expect(unexpectedErrors(pages, EXPECTED_ERRORS)).toEqual([]);
  }, SLOW_TEST_MS);

  test('the time range and zone pickers reload the charts in that zone, and live refresh shows a new call without a reload', async () => {
    screenshotOnFailure('console pickers and live refresh', () => pages);
    const page = await signIn('tenant-admin-live', keys.tenantAdmin);
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    await page.locator('select[name="range"]').selectOption('7d');
    await expect.poll(async () => (await chartData(page, 'calls')).points).toBe(7 * 24);
    await page.locator('select[name="tz"]').selectOption('Europe/Paris');
    await expect.poll(() => requested.some((u) => u.includes('tz=Europe%2FParis') && u.includes('interval=hour'))).toBe(true);

    // A call that ends now, written the way the SIP edge writes one; the 15 s poll must pick it up.
    const before = Number((await page.locator('[data-figure="calls"]').textContent())!.replace(/,/g, ''));
    const refreshedAt = await page.locator('.updated').getAttribute('data-refreshed-at');
    const store = await openKyselyStore({ sqlite: { dataDir } });
    try {
      const now = Date.now();
      await store.tenant(systemScope('test fixture', acmeId)).calls.insert({
        id: `cal_${'Z'.repeat(10)}${'0'.repeat(16)}`,
        callId: 'console-live-refresh',
        from: '101',
        to: '102',
        direction: 'internal',
        startedAt: new Date(now - 60_000).toISOString(),
        answeredAt: new Date(now - 55_000).toISOString(),
        endedAt: new Date(now - 1_000).toISOString(),
        durationSeconds: 54,
        disposition: 'answered',
        sipStatus: 200,
      });
    } finally {
      await store.close();
    }
    await expect
      .poll(async () => Number((await page.locator('[data-figure="calls"]').textContent())!.replace(/,/g, '')), { timeout: 45_000, interval: 500 })
      .toBe(before + 1);
    expect(await page.locator('.updated').getAttribute('data-refreshed-at')).not.toBe(refreshedAt);
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(unexpectedErrors(pages, EXPECTED_ERRORS)).toEqual([]);
  }, SLOW_TEST_MS);

  test('no console page asked anything of another origin, and a wrong key is told so', async () => {
    const tab = await openTrackedPage(browser, 'wrong-key');
    await tab.page.goto(`${origin}/console/`);
    await tab.page.locator('input[name="key"]').fill('hr_test_not_a_key');
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => tab.page.getByRole('alert').textContent()).toBe('That API key is not valid.');
    await tab.page.close();

    expect(requested.length).toBeGreaterThan(20);
    expect(requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
  }, SLOW_TEST_MS);
});
