// Call quality, measured on a real call: `watchCallQuality` (the optional quality.js next to the
// bundle) reports a sample every second from the call's getStats(). Degrading the link needs
// netem, which these machines' kernels lack, so the warnings' hysteresis is covered by the unit
// tests of src/phone/quality.ts, fed the same samples.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';

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

  async function phone(extension: string): Promise<PhonePage> {
    const page = await openPhonePage(world.browser, world.origin, extension, await acme.softphoneTokens.create({ extension, ttlSeconds: 600 }));
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
});
