// The browser suite through Kamailio (issue 10): the same built <highrise-softphone> bundle, given
// nothing but a softphone token, registers at Kamailio 5.6 (rendered by `highrise kamailio-config`)
// with the token's digest credentials and places a real WebRTC call to another widget, with media
// on 127.0.0.1. Two Kamailio nodes (127.0.0.1 and 127.0.0.2) share one PostgreSQL database with
// the platform; the token lists both, and a widget whose node stops re-registers at the other.
// Kamailio needs PostgreSQL: inside the loopback namespace the runner bridges the machine's server
// to 127.0.0.1:5432 (postgres-bridge.mjs).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Highrise, type SoftphoneToken, type TenantClient } from '@highrise/sdk';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../support/postgres';
import { freePort } from '../support/kamailio';
import { startKamailioNode, type KamailioNode } from '../support/edges';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { packetsReceived } from './media';
import { placeAnsweredCall } from './answered-call';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';

/** The URLs of every WebSocket the page opened, in order (fixtures/track-sockets.js). */
const socketUrls = (page: PhonePage) => page.page.evaluate(() => (globalThis as unknown as { phoneSockets: WebSocket[] }).phoneSockets.map((s) => s.url));

describe('softphone calls through Kamailio', () => {
  let database: TestPostgresDatabase;
  let world: SoftphoneWorld;
  let browser: Browser;
  let origin: string;
  const nodes: KamailioNode[] = [];
  let wsUrls: string[];
  const tenants = {} as Record<'acme' | 'globex', TenantClient>;
  let pages: TrackedPage[] = [];
  // The previous test's widgets go away first: a 101 still registered elsewhere would ring too.
  beforeEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close()));
    pages = [];
  });

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    // The ports first: the platform names the nodes in its tokens, Kamailio needs the platform's URL.
    const hosts = ['127.0.0.1', '127.0.0.2'];
    const ports = await Promise.all(hosts.map((host) => freePort(host)));
    wsUrls = hosts.map((host, i) => `ws://${host}:${ports[i]}/`);
    world = await startSoftphoneWorld({ databaseUrl: database.url, kamailio: { wsUrls } });
    ({ browser, origin } = world);
    for (const [key, name, slug] of [['acme', 'Acme Dental', 'acme-dental'], ['globex', 'Globex Law', 'globex-law']] as const) {
      const { tenant, adminKey } = await world.provider.tenants.create({ name, slug, admin: { email: `admin@${slug}.example`, name: 'Admin' } });
      const client = new Highrise({ baseUrl: world.platform.url, apiKey: adminKey!.secret }).tenant(tenant.id);
      await client.extensions.create({ number: '101', displayName: `${name} reception` });
      await client.extensions.create({ number: '102', displayName: `${name} office` });
      tenants[key] = client;
    }
    for (const [i, host] of hosts.entries()) nodes.push(await startKamailioNode(database.url, world.platform.url, host, ports[i]));
  });

  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const [i, node] of nodes.entries()) console.log(`--- kamailio node ${i + 1} log (last 10,000 characters) ---\n${node.kamailio.log().slice(-10_000)}`);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await world?.close();
    await database?.drop();
  });

  const token = (tenant: 'acme' | 'globex', extension: string): Promise<SoftphoneToken> => tenants[tenant].softphoneTokens.create({ extension, ttlSeconds: 600 });

  /** A widget given the token only (no `server` attribute): it connects where the token says. */
  async function phone(name: string, tenant: 'acme' | 'globex', extension: string): Promise<PhonePage> {
    const { token: t, iceServers } = await token(tenant, extension);
    const page = await openPhonePage(browser, origin, name, { token: t, iceServers });
    pages.push(page);
    return page;
  }

  test('Acme 102 calls Acme 101 through Kamailio with media on 127.0.0.1 while Globex 101 never rings', async () => {
    screenshotOnFailure('kamailio call', () => pages);
    const acme101 = await phone('acme-101', 'acme', '101');
    const acme102 = await phone('acme-102', 'acme', '102');
    const globex101 = await phone('globex-101', 'globex', '101');
    for (const p of [acme101, acme102, globex101]) await p.waitForAttribute('registration', 'registered');
    // Registered at Kamailio's first node, never at the platform's own edge.
    for (const p of [acme101, acme102, globex101]) expect(await socketUrls(p)).toEqual([wsUrls[0]]);

    const { callee, caller } = await placeAnsweredCall(acme102, acme101, '101');
    console.info(`kamailio call: 101 received ${packetsReceived(callee)} RTP packets, 102 received ${packetsReceived(caller)}`);

    await acme102.part('hangup-button').click();
    await acme102.waitForAttribute('call-state', 'idle');
    await acme101.waitForAttribute('call-state', 'idle');

    const calleeEvents = (await acme101.history()).events;
    expect(calleeEvents.filter((e) => e.type === 'highrise-incoming-call')).toHaveLength(1);
    const globex = await globex101.history();
    expect(globex.events.map((e) => e.type)).not.toContain('highrise-incoming-call');
    expect(globex.callStates.filter((s) => s !== 'idle')).toEqual([]);
    expect(await globex101.element.getAttribute('registration')).toBe('registered');
    expect(unexpectedErrors([acme101, acme102, globex101])).toEqual([]);
  });

  test('when Kamailio node 1 stops, the widgets re-register at node 2 within 10 s and call each other there', async () => {
    screenshotOnFailure('kamailio failover', () => pages);
    const acme101 = await phone('acme-101-failover', 'acme', '101');
    const acme102 = await phone('acme-102-failover', 'acme', '102');
    for (const p of [acme101, acme102]) await p.waitForAttribute('registration', 'registered');
    const registeredBefore = await Promise.all([acme101, acme102].map(async (p) => (await p.history()).events.filter((e) => e.type === 'highrise-registered').length));

    const stoppedAt = Date.now();
    await nodes[0]!.stop();
    // Registered again: one more `highrise-registered` than before on each page.
    const times = await Promise.all(
      [acme101, acme102].map(async (p, i) => {
        await p.page.waitForFunction(
          (before) => (globalThis as unknown as { phoneHistory: { events: { type: string }[] } }).phoneHistory.events.filter((e) => e.type === 'highrise-registered').length > before,
          registeredBefore[i]!,
          { timeout: 10_000, polling: 50 },
        );
        return Date.now() - stoppedAt;
      }),
    );
    console.info(`kamailio failover: re-registered at node 2 after ${times.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' and ')}`);
    for (const p of [acme101, acme102]) {
      expect(await p.element.getAttribute('registration')).toBe('registered');
      expect((await socketUrls(p)).at(-1)).toBe(wsUrls[1]);
    }

    // Reachable there: 102 rings 101 through node 2.
    await acme102.part('number').pressSequentially('101');
    await acme102.part('call-button').click();
    await acme101.waitForAttribute('call-state', 'incoming');
    await acme101.part('answer-button').click();
    await acme102.waitForAttribute('call-state', 'connected');
    const report = await acme102.media({ minPackets: 10, timeoutMs: 15_000 });
    expect(packetsReceived(report)).toBeGreaterThanOrEqual(10);
    await acme102.part('hangup-button').click();
    await acme101.waitForAttribute('call-state', 'idle');
    // The dropped socket is reported by Chromium; nothing else may be.
    expect(unexpectedErrors([acme101, acme102], [/WebSocket connection to .* failed/, /WebSocket closed/])).toEqual([]);
  });
});
