// What a user of <highrise-softphone> sees when things go wrong or when they control a call,
// against the real platform and real WebRTC between Chromium pages: failures as sentences (in
// English and Spanish), mute, hold (the other side's RTP stops, then resumes), keyboard DTMF,
// blind transfer across three pages, the element moved or removed mid-call, the WebSocket
// dropped while ringing out and mid-call, and the token-expiry warning with updateToken().
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Highrise, type TenantClient } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhoneCredentials, type PhonePage } from './softphone-page';
import { packetsReceived } from './media';

const EXTENSIONS = Array.from({ length: 30 }, (_, i) => String(201 + i));

describe('softphone as a product', () => {
  let world: SoftphoneWorld;
  let platform: Platform;
  let browser: Browser;
  let origin: string;
  let acme: TenantClient;
  let capped: TenantClient;
  let pages: TrackedPage[] = [];
  const free = [...EXTENSIONS];
  beforeEach(() => {
    pages = [];
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
  });

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    ({ platform, browser, origin } = world);
    const tenant = async (slug: string, limits?: { channels: number }) => {
      const created = await world.provider.tenants.create({
        name: slug,
        slug,
        admin: { email: `admin@${slug}.example`, name: 'Admin' },
        ...(limits ? { limits } : {}),
      });
      return new Highrise({ baseUrl: platform.url, apiKey: created.adminKey!.secret }).tenant(created.tenant.id);
    };
    acme = await tenant('acme-product');
    capped = await tenant('capped-product', { channels: 0 });
    for (const number of EXTENSIONS) await acme.extensions.create({ number, displayName: `Acme ${number}` });
    await capped.extensions.create({ number: '101', displayName: 'Capped 101' });
  });

  afterAll(async () => {
    await world?.close();
  });

  async function phone(options: { tenant?: TenantClient; extension?: string; lang?: string; ttlSeconds?: number } = {}): Promise<PhonePage> {
    const extension = options.extension ?? free.shift()!;
    const token = await (options.tenant ?? acme).softphoneTokens.create({ extension, ttlSeconds: options.ttlSeconds ?? 600 });
    const credentials: PhoneCredentials = { ...token, ...(options.lang ? { lang: options.lang } : {}) };
    const page = await openPhonePage(browser, origin, extension, credentials);
    pages.push(page);
    await page.waitForAttribute('registration', 'registered');
    return page;
  }

  async function dial(caller: PhonePage, number: string) {
    await caller.part('number').fill(number);
    await caller.part('call-button').click();
  }

  /** caller rings callee, callee answers; both connected with media flowing. */
  async function connect(caller: PhonePage, callee: PhonePage) {
    await dial(caller, callee.name);
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');
    await callee.waitForAttribute('call-state', 'connected');
    await caller.media({ minPackets: 20 });
    await callee.media({ minPackets: 20 });
  }

  const endReasons = async (p: PhonePage) =>
    (await p.history()).events.filter((e) => e.type === 'highrise-call-ended').map((e) => e.detail?.reason);
  const problem = (p: PhonePage) => p.part('problem').textContent();

  /** RTP packets received on the page's current call, read twice `ms` apart. */
  async function inboundGrowth(p: PhonePage, ms = 1_500): Promise<number> {
    const before = packetsReceived(await p.media());
    await p.page.waitForTimeout(ms);
    return packetsReceived(await p.media()) - before;
  }

  /** Sound energy the page's call received over `ms` (WebRTC's totalAudioEnergy). */
  async function receivedEnergy(p: PhonePage, ms = 1_500): Promise<number> {
    const read = () =>
      p.page.evaluate(async () => {
        const pc = (document.querySelector('highrise-softphone') as unknown as { phone: { peerConnection: RTCPeerConnection } }).phone.peerConnection;
        let energy = 0;
        (await pc.getStats()).forEach((s: { type: string; totalAudioEnergy?: number }) => {
          if (s.type === 'inbound-rtp') energy += s.totalAudioEnergy ?? 0;
        });
        return energy;
      });
    const before = await read();
    await p.page.waitForTimeout(ms);
    return (await read()) - before;
  }

  test('a number that does not exist, a busy line and the line limit are shown as sentences; events keep the codes', async () => {
    screenshotOnFailure('failures as sentences', () => pages);
    const caller = await phone();
    await dial(caller, '299');
    await expect.poll(() => problem(caller), { timeout: 10_000 }).toBe('Number not found');
    expect(await endReasons(caller)).toEqual(['not_found']);
    // Back at the dialer, ready for the next try, with the number still there to correct.
    expect(await caller.element.getAttribute('call-state')).toBe('idle');
    expect(await caller.part('number').inputValue()).toBe('299');

    const callee = await phone();
    const third = await phone();
    const fourth = await phone();
    await connect(third, callee);
    // Busy means two calls up already: one connected and one waiting (call waiting offers a second).
    await dial(fourth, callee.name);
    await callee.waitForAttribute('call-state', 'incoming');
    await dial(caller, callee.name);
    await expect.poll(() => problem(caller), { timeout: 10_000 }).toBe('Busy');
    expect((await caller.history()).events.filter((e) => e.type === 'highrise-call-ended').at(-1)?.detail).toEqual({ reason: 'busy', statusCode: 486 });

    const limited = await phone({ tenant: capped, extension: '101' });
    await dial(limited, '101');
    await expect.poll(() => problem(limited), { timeout: 10_000 }).toBe("Your company's line limit is reached");
    expect((await limited.history()).events.filter((e) => e.type === 'highrise-call-ended').map((e) => e.detail)).toEqual([
      { reason: 'line_limit', statusCode: 403 },
    ]);
    // Typing again clears the sentence.
    await limited.part('number').fill('10');
    await expect(limited.part('problem').count()).resolves.toBe(0);
    expect(unexpectedErrors([caller, callee, third, fourth, limited])).toEqual([]);
  });

  test('lang="es" loads the Spanish catalogue lazily: the widget speaks Spanish, events stay codes', async () => {
    screenshotOnFailure('spanish', () => pages);
    const caller = await phone({ lang: 'es' });
    await expect.poll(() => caller.part('status').textContent()).toBe(`Listo · ${caller.name}`);
    expect(await caller.part('call-button').textContent()).toBe('Llamar');
    await dial(caller, '298');
    await expect.poll(() => problem(caller), { timeout: 10_000 }).toBe('Número no encontrado');
    expect(await endReasons(caller)).toEqual(['not_found']);
    // The locale came from the bundle's own folder, not from the page.
    const requested = await caller.page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
    expect(requested).toContain('/softphone/locales/es.js');
    expect(unexpectedErrors([caller])).toEqual([]);
  });

  test('mute silences the microphone for the other side; hold stops the RTP both ways, and resuming brings it back', async () => {
    screenshotOnFailure('mute and hold', () => pages);
    const caller = await phone();
    const callee = await phone();
    await connect(caller, callee);

    const speaking = await receivedEnergy(callee);
    expect(speaking).toBeGreaterThan(0);
    await caller.part('mute-button').click();
    await caller.waitForAttribute('muted', '');
    expect(await caller.part('mute-button').getAttribute('aria-pressed')).toBe('true');
    // Silence, give or take the decoder's comfort noise, once what was already in flight is through.
    await expect.poll(() => receivedEnergy(callee), { timeout: 20_000 }).toBeLessThan(speaking / 100);
    await caller.part('mute-button').click();
    await expect.poll(() => caller.element.getAttribute('muted')).toBeNull();
    await expect.poll(() => receivedEnergy(callee, 1_000), { timeout: 5_000 }).toBeGreaterThan(speaking / 10);

    expect(await inboundGrowth(callee)).toBeGreaterThan(20);
    await caller.part('hold-button').click();
    await caller.waitForAttribute('held', '');
    await expect.poll(() => caller.part('hold-button').getAttribute('aria-pressed')).toBe('true');
    expect(await caller.element.evaluate((el) => el.shadowRoot!.querySelector('.call')!.textContent)).toContain('On hold');
    // No RTP either way once what was in flight is through (each sample is 1.5 s with nothing received).
    await expect.poll(() => inboundGrowth(callee), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => inboundGrowth(caller), { timeout: 20_000 }).toBe(0);
    expect(await callee.element.getAttribute('call-state')).toBe('connected');

    await caller.part('hold-button').click();
    await expect.poll(() => caller.element.getAttribute('held')).toBeNull();
    await expect.poll(() => inboundGrowth(callee, 1_000), { timeout: 5_000 }).toBeGreaterThan(20);
    await expect.poll(() => inboundGrowth(caller, 1_000), { timeout: 5_000 }).toBeGreaterThan(20);
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });

  test('digits typed on the keyboard go out as DTMF during a call, and type the number before one', async () => {
    screenshotOnFailure('keyboard dtmf', () => pages);
    const caller = await phone();
    const callee = await phone();
    // Before a call, digits typed with the focus on a keypad button dial.
    await caller.part('key').first().focus();
    await caller.page.keyboard.type(callee.name);
    expect(await caller.part('number').inputValue()).toBe(callee.name);
    await caller.part('call-button').click();
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');
    await caller.media({ minPackets: 20 });

    // RFC 4733 events leave as RTP on the caller's audio sender: count what its DTMF sender played.
    await caller.page.evaluate(() => {
      const pc = (document.querySelector('highrise-softphone') as unknown as { phone: { peerConnection: RTCPeerConnection } }).phone.peerConnection;
      const dtmf = pc.getSenders().find((s) => s.dtmf)!.dtmf!;
      (globalThis as unknown as { tones: string[] }).tones = [];
      dtmf.addEventListener('tonechange', (e) => (globalThis as unknown as { tones: string[] }).tones.push((e as RTCDTMFToneChangeEvent).tone));
    });
    await caller.part('hangup-button').focus();
    await caller.page.keyboard.press('4');
    await caller.page.keyboard.press('#');
    await expect
      .poll(() => caller.page.evaluate(() => (globalThis as unknown as { tones: string[] }).tones.filter(Boolean)), { timeout: 5_000 })
      .toEqual(['4', '#']);
    expect(await caller.element.getAttribute('call-state')).toBe('connected');
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });

  test('blind transfer: B sends A to C; A and C talk, B is free, each side says why its call ended', async () => {
    screenshotOnFailure('blind transfer', () => pages);
    const a = await phone();
    const b = await phone();
    const c = await phone();
    await connect(a, b);

    await b.element.evaluate((el, target) => (el as unknown as { transfer(t: string): Promise<void> }).transfer(target), c.name);
    await c.waitForAttribute('call-state', 'incoming');
    await b.waitForAttribute('call-state', 'idle');
    await c.part('answer-button').click();
    await a.waitForAttribute('call-state', 'connected');
    await c.waitForAttribute('call-state', 'connected');
    await expect.poll(async () => packetsReceived(await a.media()) > 20 && packetsReceived(await c.media()) > 20, { timeout: 10_000 }).toBe(true);
    expect((await c.history()).events.find((e) => e.type === 'highrise-incoming-call')?.detail?.from).toContain(`sip:${a.name}@`);
    expect(await endReasons(b)).toEqual(['transferred']);
    expect(await endReasons(a)).toEqual(['transferred']);
    expect(unexpectedErrors([a, b, c])).toEqual([]);
  });

  test('moving the element in the page keeps the call; removing it ends the call and still fires highrise-call-ended', async () => {
    screenshotOnFailure('move and remove', () => pages);
    const caller = await phone();
    const callee = await phone();
    await connect(caller, callee);

    await caller.page.evaluate(() => {
      const el = document.querySelector('highrise-softphone')!;
      const box = document.createElement('section');
      document.body.append(box);
      box.append(el);
    });
    expect(await caller.page.evaluate(() => document.querySelector('section > highrise-softphone') !== null)).toBe(true);
    await caller.waitForAttribute('call-state', 'connected');
    expect(await inboundGrowth(caller)).toBeGreaterThan(20);
    expect(await endReasons(caller)).toEqual([]);
    expect(await callee.element.getAttribute('call-state')).toBe('connected');

    await caller.page.evaluate(() => document.querySelector('highrise-softphone')!.remove());
    await callee.waitForAttribute('call-state', 'idle');
    expect(await endReasons(caller)).toEqual(['local_hangup']);
    expect(await endReasons(callee)).toEqual(['remote_hangup']);
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });

  test('a WebSocket drop while ringing out ends the call cleanly, and the phone reconnects and registers by itself', async () => {
    screenshotOnFailure('drop while ringing', () => pages);
    const caller = await phone();
    const callee = await phone();
    await dial(caller, callee.name);
    await callee.waitForAttribute('call-state', 'incoming');
    await caller.page.evaluate(() => (globalThis as unknown as { phoneSockets: WebSocket[] }).phoneSockets.at(-1)!.close());

    await caller.waitForAttribute('call-state', 'idle', 5_000);
    expect(await endReasons(caller)).toEqual(['connection_lost']);
    expect(await problem(caller)).toBe('Connection lost — call ended');
    await callee.waitForAttribute('call-state', 'idle', 10_000);
    const unregistered = (await caller.history()).events.find((e) => e.type === 'highrise-unregistered')?.detail;
    expect(unregistered).toMatchObject({ reason: 'connection_lost', retryAt: expect.any(Number) });
    await caller.waitForAttribute('registration', 'registered', 15_000);

    // Free for the next call, which the callee takes.
    await connect(caller, callee);
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });

  test('a WebSocket drop mid-call keeps the call: the phone reconnects, re-INVITEs with an ICE restart, and RTP flows again within 5 s both ways', async () => {
    screenshotOnFailure('drop mid-call', () => pages);
    const dropped = await phone();
    const peer = await phone();
    await connect(dropped, peer);
    const ufrag = () =>
      dropped.page.evaluate(() => {
        const pc = (document.querySelector('highrise-softphone') as unknown as { phone: { peerConnection: RTCPeerConnection } }).phone.peerConnection;
        return /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
      });
    const before = await ufrag();
    const registeredBefore = (await dropped.history()).events.filter((e) => e.type === 'highrise-registered').length;
    await dropped.page.evaluate(() => (globalThis as unknown as { phoneSockets: WebSocket[] }).phoneSockets.at(-1)!.close());

    const started = Date.now();
    // Back on a new socket and registered again, then the re-INVITE restarts ICE on the same call.
    await expect.poll(async () => (await dropped.history()).events.filter((e) => e.type === 'highrise-registered').length, { timeout: 5_000 }).toBe(registeredBefore + 1);
    await expect.poll(ufrag, { timeout: 5_000 - (Date.now() - started) }).not.toBe(before);
    expect(await inboundGrowth(dropped, 1_000)).toBeGreaterThan(10);
    expect(await inboundGrowth(peer, 1_000)).toBeGreaterThan(10);
    expect(Date.now() - started).toBeLessThan(5_000 + 2_000);
    expect(await dropped.element.getAttribute('call-state')).toBe('connected');
    expect(await peer.element.getAttribute('call-state')).toBe('connected');
    expect(await endReasons(dropped)).toEqual([]);
    expect(await endReasons(peer)).toEqual([]);
    // And hangs up normally over the new socket.
    await dropped.part('hangup-button').click();
    await peer.waitForAttribute('call-state', 'idle', 5_000);
    expect(await endReasons(peer)).toEqual(['remote_hangup']);
    expect(unexpectedErrors([dropped, peer])).toEqual([]);
  });

  test('highrise-token-will-expire comes before expiry and again until updateToken(); the new token keeps the phone registered', async () => {
    screenshotOnFailure('token refresh', () => pages);
    const desk = await phone({ ttlSeconds: 62 });
    // 62 s token: the first warning is due at once (less than 60 s… plus the 2 s), the next 15 s later.
    await expect
      .poll(async () => (await desk.history()).events.filter((e) => e.type === 'highrise-token-will-expire').length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    const warning = (await desk.history()).events.find((e) => e.type === 'highrise-token-will-expire')!.detail!;
    expect(warning.expiresAt).toBeGreaterThan(Date.now());

    const next = await acme.softphoneTokens.create({ extension: desk.name, ttlSeconds: 600 });
    const registeredBefore = (await desk.history()).events.filter((e) => e.type === 'highrise-registered').length;
    await desk.element.evaluate((el, token) => (el as unknown as { updateToken(t: string): void }).updateToken(token), next.token);
    const warnings = (await desk.history()).events.filter((e) => e.type === 'highrise-token-will-expire').length;
    // The old token expires in this window: the edge would close a socket opened with it.
    await desk.page.waitForTimeout(Math.max(0, (warning.expiresAt as number) - Date.now()) + 2_000);
    expect((await desk.history()).events.filter((e) => e.type === 'highrise-token-will-expire').length).toBe(warnings);
    expect(await desk.element.getAttribute('registration')).toBe('registered');
    expect((await desk.history()).events.filter((e) => e.type === 'highrise-registration-failed')).toEqual([]);
    // The new token rode a REGISTER on the live socket (Authorization: Bearer): nothing reconnected.
    expect((await desk.history()).events.filter((e) => e.type === 'highrise-registered').length).toBe(registeredBefore);
    expect((await desk.history()).events.filter((e) => e.type === 'highrise-unregistered')).toEqual([]);
    // Still reachable as the same extension.
    const caller = await phone();
    await dial(caller, desk.name);
    await desk.waitForAttribute('call-state', 'incoming');
    expect(unexpectedErrors([desk, caller])).toEqual([]);
  }, 120_000);
});
