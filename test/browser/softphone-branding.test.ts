// Branding set through the API appears in the widget (issue 11): a tenant's accent colour, product
// name and logo, set with the SDK, reach a <highrise-softphone branding="auto"> running the built
// bundle in Chromium, which fetches them from the platform its token points at (cross-origin: the
// page is on localhost, the token's WebSocket on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { openPhonePage } from './softphone-page';

/** A 1×1 PNG. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('branding from the server in the widget', () => {
  let world: SoftphoneWorld;
  let tenant: TenantClient;

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    const { tenant: created, adminKey } = await world.provider.tenants.create({ name: 'Northwind', slug: 'northwind', admin: { email: 'admin@northwind.example', name: 'Admin' } });
    tenant = new Highrise({ baseUrl: world.platform.url, apiKey: adminKey!.secret }).tenant(created.id);
    await tenant.extensions.create({ number: '101', displayName: 'Reception' });
  });

  afterAll(async () => {
    await world?.close();
  });

  test('applies the tenant’s accent colour, product name and logo with branding="auto", and nothing without it', async () => {
    await tenant.branding.update({ productName: 'Northwind Voice', colors: { accent: '#0b6e4f' }, logo: { contentType: 'image/png', data: TINY_PNG } });
    const token = await tenant.softphoneTokens.create({ extension: '101', ttlSeconds: 600 });

    const branded = await openPhonePage(world.browser, world.origin, 'branded', { ...token, branding: 'auto' });
    const plain = await openPhonePage(world.browser, world.origin, 'plain', token);
    try {
      await branded.element.locator('img[slot="logo"]').waitFor({ state: 'attached', timeout: 10_000 });
      const look = (page: typeof branded) =>
        page.element.evaluate((el) => ({
          accent: getComputedStyle(el.shadowRoot!.querySelector('[part="call-button"]')!).backgroundColor,
          header: el.shadowRoot!.querySelector('header .brand')!.textContent!.trim(),
          logo: (el.querySelector('img[slot="logo"]') as HTMLImageElement | null)?.src ?? null,
        }));
      const seen = await look(branded);
      expect(seen.accent).toBe('rgb(11, 110, 79)');
      expect(seen.header).toBe('Northwind Voice');
      expect(seen.logo).toMatch(/\/v1\/public\/branding\/logo\?domain=northwind\./);
      const logoStatus = await branded.page.evaluate(async (src) => (await fetch(src!)).status, seen.logo);
      expect(logoStatus).toBe(200);

      const unbranded = await look(plain);
      expect(unbranded.accent).toBe('rgb(37, 99, 235)'); // the default #2563eb
      expect(unbranded.header).not.toBe('Northwind Voice');
      expect(unbranded.logo).toBeNull();
    } finally {
      await branded.page.close();
      await plain.page.close();
    }
  });
});
