// The walking skeleton end to end (issue 2): the real platform in-process, provisioned with the
// real SDK, and three headless Chromium pages running the built <highrise-softphone> bundle.
// Acme Dental and Globex Law both own 101 and 102; Acme 102 calls Acme 101 with real media on
// 127.0.0.1 while Globex 101 stays registered and never rings.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Highrise, type SoftphoneToken, type TenantClient } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { packetsReceived } from './media';
import { placeAnsweredCall } from './answered-call';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';


describe('softphone calls through the platform', () => {
  let world: SoftphoneWorld;
  let platform: Platform;
  let browser: Browser;
  let origin: string;
  /** Each tenant seen through its own admin key, as a reseller's backend holding that key sees it. */
  const tenants = {} as Record<'acme' | 'globex', TenantClient>;
  /** Pages opened by the current test: the ones screenshotted if it fails. */
  let pages: TrackedPage[] = [];
  beforeEach(() => {
    pages = [];
  });

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    ({ platform, browser, origin } = world);
    const { provider } = world;
    for (const [key, name, slug] of [['acme', 'Acme Dental', 'acme-dental'], ['globex', 'Globex Law', 'globex-law']] as const) {
      const { tenant, adminKey } = await provider.tenants.create({ name, slug, admin: { email: `admin@${slug}.example`, name: 'Admin' } });
      if (!adminKey) throw new Error('tenants.create with admin returned no adminKey');
      const client = new Highrise({ baseUrl: platform.url, apiKey: adminKey.secret }).tenant(tenant.id);
      await client.extensions.create({ number: '101', displayName: `${name} reception` });
      await client.extensions.create({ number: '102', displayName: `${name} office` });
      tenants[key] = client;
    }
  });

  afterAll(async () => {
    await world?.close();
  });

  const token = (tenant: 'acme' | 'globex', extension: string): Promise<SoftphoneToken> =>
    tenants[tenant].softphoneTokens.create({ extension, ttlSeconds: 600 });

  async function phone(name: string, tenant: 'acme' | 'globex', extension: string): Promise<PhonePage> {
    const page = await openPhonePage(browser, origin, name, await token(tenant, extension));
    pages.push(page);
    return page;
  }

  test('Acme 102 calls Acme 101 with media on 127.0.0.1 while Globex 101 never rings', async () => {
    screenshotOnFailure('acme call', () => pages);
    const acme101 = await phone('acme-101', 'acme', '101');
    const acme102 = await phone('acme-102', 'acme', '102');
    const globex101 = await phone('globex-101', 'globex', '101');
    for (const p of [acme101, acme102, globex101]) await p.waitForAttribute('registration', 'registered');
    for (const p of [acme101, acme102, globex101]) expect(await p.element.getAttribute('call-state')).toBe('idle');

    const { callee, caller } = await placeAnsweredCall(acme102, acme101, '101');
    console.info(
      `acme call: 101 received ${packetsReceived(callee)} RTP packets, 102 received ${packetsReceived(caller)}; ` +
        `pair ${caller.selectedPair?.local.address}:${caller.selectedPair?.local.port} <-> ` +
        `${caller.selectedPair?.remote.address}:${caller.selectedPair?.remote.port}`,
    );

    await acme102.part('hangup-button').click();
    await acme102.waitForAttribute('call-state', 'idle');
    await acme101.waitForAttribute('call-state', 'idle');

    // The recorder saw the whole call on 101's page, so its silence on Globex's page means something.
    const calleeHistory = await acme101.history();
    expect(calleeHistory.callStates.filter((s) => s !== 'idle')).toEqual(['incoming', 'connected']);
    const calleeEvents = calleeHistory.events;
    const rang = calleeEvents.filter((e) => e.type === 'highrise-incoming-call');
    expect(rang).toHaveLength(1);
    expect(JSON.stringify(rang[0]!.detail)).toContain('102');
    expect(calleeEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['highrise-call-connected', 'highrise-call-ended']));

    // Same number, other tenant: registered the whole time, never anything but idle.
    const globex = await globex101.history();
    expect(globex.events.map((e) => e.type)).not.toContain('highrise-incoming-call');
    expect(globex.registrations).not.toContain('failed');
    expect(globex.callStates.filter((s) => s !== 'idle')).toEqual([]);
    expect(await globex101.element.getAttribute('registration')).toBe('registered');

    expect(unexpectedErrors([acme101, acme102, globex101])).toEqual([]);
  });

  test('a forged token never registers: the widget shows registration="failed"', async () => {
    screenshotOnFailure('forged token', () => pages);
    // A real token whose claims were edited and whose signature was kept.
    const genuine = await token('acme', '101');
    const forgedPage = await openPhonePage(browser, origin, 'forged-token', { ...genuine, token: forgeToken(genuine.token) });
    pages.push(forgedPage);

    await forgedPage.waitForAttribute('registration', 'failed');
    const history = await forgedPage.history();
    expect(history.registrations).not.toContain('registered');
    const failure = history.events.find((e) => e.type === 'highrise-registration-failed');
    // The reason comes from the edge, which closes the WebSocket without registering anything.
    expect(failure?.detail?.reason).toBe('token_invalid');
    // Should the edge refuse the WebSocket upgrade itself, Chromium logs that as a console error: expected here.
    expect(unexpectedErrors([forgedPage], [/WebSocket connection to .* failed/])).toEqual([]);
  });
});

/** An attacker's edit of a real token: the readable claims now say extension 102, the signature is the original. */
function forgeToken(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { ext: string; sub: string };
  const edited = { ...claims, ext: '102', sub: claims.sub.replace('sip:101@', 'sip:102@') };
  return [header, Buffer.from(JSON.stringify(edited)).toString('base64url'), signature].join('.');
}
