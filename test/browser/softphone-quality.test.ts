// Call quality, measured on a real call: the element itself (and `watchCallQuality`, the optional
// quality.js next to the bundle, for a headless phone) reports a sample every second from the
// call's getStats(). Degrading the link needs netem, which these machines' kernels lack, so the
// page degrades what the browser's getStats() reports (the round trip of the nominated candidate
// pair) while the call's real media keeps flowing; the hysteresis is unit-tested in
// src/phone/quality.test.ts.
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface QualityRecord {
  samples: { rtt: number; jitter: number; packetLoss: number; mos: number }[];
  warnings: string[];
}

describe('softphone call quality', () => {
  let world: SoftphoneWorld;
  let acme: TenantClient;
  let pages: TrackedPage[] = [];
  beforeAll(async () => {
    world = await startSoftphoneWorld();
    const created = await world.provider.tenants.create({ name: 'Acme Q', slug: 'acme-quality', admin: { email: 'a@acme-quality.example', name: 'A' } });
    acme = new Highrise({ baseUrl: world.platform.url, apiKey: created.adminKey!.secret }).tenant(created.tenant.id);
    for (const number of ['401', '402']) await acme.extensions.create({ number, displayName: `Acme ${number}` });
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
    pages = [];
  });
  afterAll(async () => {
    await world?.close();
  });

  async function phone(extension: string, lang?: string): Promise<PhonePage> {
    const token = await acme.softphoneTokens.create({ extension, ttlSeconds: 600 });
    const page = await openPhonePage(world.browser, world.origin, extension, { ...token, ...(lang ? { lang } : {}) });
    pages.push(page);
    await page.waitForAttribute('registration', 'registered');
    return page;
  }

  const record = (p: PhonePage) => p.page.evaluate(() => (globalThis as unknown as { quality: QualityRecord }).quality);

  test('a connected call is sampled every second: rtt, jitter, loss and MOS of a clean loopback call, no warnings', async () => {
    screenshotOnFailure('quality', () => pages);
    const caller = await phone('401');
    const callee = await phone('402');
    // A string, so the test runner does not rewrite the page's own dynamic import.
    await caller.page.evaluate(`(async () => {
      const { watchCallQuality } = await import('/softphone/quality.js');
      const phone = document.querySelector('highrise-softphone').phone;
      const quality = { samples: [], warnings: [] };
      globalThis.quality = quality;
      phone.addEventListener('call-quality', (e) => quality.samples.push(e.detail));
      phone.addEventListener('quality-warning', (e) => quality.warnings.push('+' + e.detail.code));
      phone.addEventListener('quality-warning-cleared', (e) => quality.warnings.push('-' + e.detail.code));
      watchCallQuality(phone);
    })()`);
    await caller.part('number').fill('402');
    await caller.part('call-button').click();
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');

    const started = Date.now();
    await expect.poll(async () => (await record(caller)).samples.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    // About one a second, not a burst.
    expect(Date.now() - started).toBeGreaterThan(2_500);
    const good = (await record(caller)).samples.at(-1)!;
    expect(good.rtt).toBeLessThan(100);
    expect(good.packetLoss).toBe(0);
    expect(good.mos).toBeGreaterThan(4);
    expect((await record(caller)).warnings).toEqual([]);
    expect(await caller.element.getAttribute('call-state')).toBe('connected');
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });

  /**
   * Records the element's own quality events, and wraps the browser's getStats() so that while
   * `globalThis.slowLink` is set the nominated pair reports a 600 ms round trip (nothing else).
   */
  const recordElementQuality = (p: PhonePage) =>
    p.page.evaluate(`(() => {
      const quality = { samples: [], warnings: [] };
      globalThis.quality = quality;
      const element = document.querySelector('highrise-softphone');
      element.addEventListener('highrise-call-quality', (e) => quality.samples.push(e.detail));
      element.addEventListener('highrise-quality-warning', (e) => quality.warnings.push('+' + e.detail.code));
      element.addEventListener('highrise-quality-warning-cleared', (e) => quality.warnings.push('-' + e.detail.code));
      const getStats = RTCPeerConnection.prototype.getStats;
      RTCPeerConnection.prototype.getStats = async function (...args) {
        const report = await getStats.apply(this, args);
        if (!globalThis.slowLink) return report;
        return new Map([...report].map(([id, s]) => [id, s.type === 'candidate-pair' && s.nominated ? { ...s, currentRoundTripTime: 0.6 } : s]));
      };
    })()`);
  const slowLink = (p: PhonePage, on: boolean) => p.page.evaluate(`globalThis.slowLink = ${on}`);

  test('the widget alone samples the call, warns of a slow link in a sentence (English, Spanish) after three bad seconds, and clears it after five good ones', async () => {
    screenshotOnFailure('quality-widget', () => pages);
    const caller = await phone('401');
    const callee = await phone('402', 'es');
    await recordElementQuality(caller);
    await recordElementQuality(callee);
    await caller.part('number').fill('402');
    await caller.part('call-button').click();
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');
    await callee.waitForAttribute('call-state', 'connected');

    // Every second, from the element, with no module of the page's own.
    const started = Date.now();
    await expect.poll(async () => (await record(caller)).samples.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThan(1_500);
    expect((await record(caller)).samples.at(-1)).toMatchObject({ packetLoss: 0 });
    expect((await record(caller)).samples.at(-1)!.rtt).toBeLessThan(100);
    const indicator = caller.part('quality');
    await expect.poll(() => indicator.getAttribute('role')).toBe('status');
    expect(await indicator.textContent()).toBe('');

    await slowLink(caller, true);
    await slowLink(callee, true);
    const slowSince = Date.now();
    await expect.poll(async () => (await record(caller)).warnings, { timeout: 10_000 }).toEqual(['+high-rtt']);
    // Not at the first slow sample: three in a row.
    expect(Date.now() - slowSince).toBeGreaterThan(2_000);
    const slow = (await record(caller)).samples.at(-1)!;
    expect(slow.rtt).toBe(600);
    expect(slow.mos).toBeLessThan(4.4);
    await expect.poll(() => indicator.textContent()).toBe('The connection is slow: the other side may hear you late.');
    await expect.poll(() => callee.part('quality').textContent(), { timeout: 10_000 }).toBe('La conexión es lenta: puede que le oigan con retraso.');
    // The warning is text in a live region (a screen reader hears it), and axe finds nothing.
    await caller.page.addScriptTag({ path: AXE_PATH });
    const violations = await caller.page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => v.id))`);
    expect(violations).toEqual([]);
    expect(await caller.element.getAttribute('call-state')).toBe('connected');

    await slowLink(caller, false);
    const goodSince = Date.now();
    await expect.poll(async () => (await record(caller)).warnings, { timeout: 12_000 }).toEqual(['+high-rtt', '-high-rtt']);
    expect(Date.now() - goodSince).toBeGreaterThan(4_000);
    expect(await indicator.textContent()).toBe('');

    // Hanging up clears what is still raised (the callee's link is still "slow").
    await callee.part('hangup-button').click();
    await expect.poll(async () => (await record(callee)).warnings, { timeout: 5_000 }).toEqual(['+high-rtt', '-high-rtt']);
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });
});
