// Two calls at once on one <highrise-softphone>, against the real platform and real WebRTC between
// Chromium pages: call waiting (a second call rings in while one is up; answering it holds the
// first) and attended transfer (consult, then completeTransfer: REFER with Replaces).
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';
import { packetsReceived } from './media';

const EXTENSIONS = Array.from({ length: 12 }, (_, i) => String(501 + i));

describe('softphone with two calls', () => {
  let world: SoftphoneWorld;
  let acme: TenantClient;
  let pages: TrackedPage[] = [];
  const free = [...EXTENSIONS];

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    const created = await world.provider.tenants.create({ name: 'Acme Calls', slug: 'acme-calls', admin: { email: 'a@acme-calls.example', name: 'A' } });
    acme = new Highrise({ baseUrl: world.platform.url, apiKey: created.adminKey!.secret }).tenant(created.tenant.id);
    for (const number of EXTENSIONS) await acme.extensions.create({ number, displayName: `Acme ${number}` });
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
    pages = [];
  });
  afterAll(async () => {
    await world?.close();
  });

  async function phone(): Promise<PhonePage> {
    const extension = free.shift()!;
    const page = await openPhonePage(world.browser, world.origin, extension, await acme.softphoneTokens.create({ extension, ttlSeconds: 600 }));
    pages.push(page);
    await page.waitForAttribute('registration', 'registered');
    return page;
  }

  async function dial(caller: PhonePage, number: string) {
    await caller.part('number').fill(number);
    await caller.part('call-button').click();
  }

  async function connect(caller: PhonePage, callee: PhonePage) {
    await dial(caller, callee.name);
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');
    await callee.waitForAttribute('call-state', 'connected');
    await caller.media({ minPackets: 20 });
    await callee.media({ minPackets: 20 });
  }

  /** RTP packets the page's current call received over `ms`. */
  async function inboundGrowth(p: PhonePage, ms = 1_500): Promise<number> {
    const before = packetsReceived(await p.media());
    await p.page.waitForTimeout(ms);
    return packetsReceived(await p.media()) - before;
  }

  const events = async (p: PhonePage, type: string) => (await p.history()).events.filter((e) => e.type === type).map((e) => e.detail);
  const heading = (p: PhonePage) => p.element.evaluate((el) => el.shadowRoot!.querySelector('.call')!.textContent ?? '');
  const audioSource = (p: PhonePage) =>
    p.element.evaluate((el) => {
      const audio = el.shadowRoot!.querySelector('audio')!;
      return audio.srcObject ? 'stream' : audio.getAttribute('src') ? 'tone' : 'none';
    });

  test('call waiting: a second call is offered with waiting: true without ringing over the call; answering it holds the first, hanging it up returns to it', async () => {
    screenshotOnFailure('call waiting', () => pages);
    const a = await phone();
    const b = await phone();
    const c = await phone();
    await connect(a, b);

    await dial(c, b.name);
    await b.waitForAttribute('call-state', 'incoming');
    expect((await events(b, 'highrise-incoming-call')).at(-1)).toMatchObject({ from: expect.stringContaining(`sip:${c.name}@`), waiting: true });
    expect(await heading(b)).toContain('Call waiting');
    // B still hears A: the waiting call does not take the speaker for its ring tone.
    expect(await audioSource(b)).toBe('stream');
    expect(await inboundGrowth(a)).toBeGreaterThan(20);
    expect(await c.element.getAttribute('call-state')).toBe('outgoing');

    await b.part('answer-button').click();
    await c.waitForAttribute('call-state', 'connected');
    await b.waitForAttribute('call-state', 'connected');
    expect(await b.element.getAttribute('held')).toBeNull(); // the foreground call (C) is not held
    await expect.poll(async () => packetsReceived(await c.media()) > 20, { timeout: 10_000 }).toBe(true);
    // A is on hold: nothing reaches A any more; A's own call stays up.
    await expect.poll(() => inboundGrowth(a), { timeout: 20_000 }).toBe(0);
    expect(await a.element.getAttribute('call-state')).toBe('connected');

    // Hanging up C brings A's call back to the foreground, still held, and resuming it restores the audio.
    await b.part('hangup-button').click();
    await c.waitForAttribute('call-state', 'idle');
    await b.waitForAttribute('held', '');
    expect(await b.element.getAttribute('call-state')).toBe('connected');
    expect(await heading(b)).toContain(a.name);
    await b.part('hold-button').click();
    await expect.poll(() => b.element.getAttribute('held')).toBeNull();
    await expect.poll(() => inboundGrowth(a, 1_000), { timeout: 5_000 }).toBeGreaterThan(20);
    await expect.poll(() => inboundGrowth(b, 1_000), { timeout: 5_000 }).toBeGreaterThan(20);
    expect((await events(b, 'highrise-call-ended')).map((d) => d?.reason)).toEqual(['local_hangup']);
    expect(await events(a, 'highrise-call-ended')).toEqual([]);

    // A third call while two are up is refused busy.
    await b.element.evaluate((el) => (el as unknown as { hold(): Promise<void> }).hold());
    await dial(c, b.name);
    await b.waitForAttribute('call-state', 'incoming');
    const d = await phone();
    await dial(d, b.name);
    await expect.poll(async () => (await events(d, 'highrise-call-ended')).at(-1), { timeout: 10_000 }).toEqual({ reason: 'busy', statusCode: 486 });
    // Declining the waiting call returns to the held one.
    await b.part('reject-button').click();
    await b.waitForAttribute('call-state', 'connected');
    expect(await heading(b)).toContain(a.name);
    expect(unexpectedErrors([a, b, c, d])).toEqual([]);
  });

  test('the transfer button sends the call to the number typed beside it (blind transfer)', async () => {
    screenshotOnFailure('transfer button', () => pages);
    const a = await phone();
    const b = await phone();
    const c = await phone();
    await connect(a, b);
    await b.part('transfer-target').fill(c.name);
    await b.part('transfer-button').click();
    await c.waitForAttribute('call-state', 'incoming');
    await b.waitForAttribute('call-state', 'idle');
    await c.part('answer-button').click();
    await a.waitForAttribute('call-state', 'connected');
    await c.waitForAttribute('call-state', 'connected');
    await expect.poll(async () => packetsReceived(await a.media()) > 20 && packetsReceived(await c.media()) > 20, { timeout: 10_000 }).toBe(true);
    expect((await events(b, 'highrise-call-ended')).map((d) => d?.reason)).toEqual(['transferred']);
    expect(unexpectedErrors([a, b, c])).toEqual([]);
  });

  test('attended transfer: B consults C with A on hold, then the transfer button (completeTransfer()) joins A and C (REFER with Replaces) and frees B', async () => {
    screenshotOnFailure('attended transfer', () => pages);
    const a = await phone();
    const b = await phone();
    const c = await phone();
    await connect(a, b);

    await b.element.evaluate((el, target) => void (el as unknown as { consult(t: string): Promise<void> }).consult(target), c.name);
    await c.waitForAttribute('call-state', 'incoming');
    expect((await events(c, 'highrise-incoming-call')).at(-1)).toMatchObject({ from: expect.stringContaining(`sip:${b.name}@`), waiting: false });
    await b.waitForAttribute('call-state', 'outgoing');
    await c.part('answer-button').click();
    await b.waitForAttribute('call-state', 'connected');
    await expect.poll(async () => packetsReceived(await c.media()) > 20, { timeout: 10_000 }).toBe(true);
    // A waits on hold while B and C talk.
    await expect.poll(() => inboundGrowth(a), { timeout: 20_000 }).toBe(0);

    // With two calls up, the transfer button joins them (completeTransfer()); no target to type.
    expect(await b.part('transfer-target').count()).toBe(0);
    await b.part('transfer-button').click();
    await b.waitForAttribute('call-state', 'idle', 10_000);
    // A and C talk on a new call that replaced C's call with B: C never rang again.
    await expect.poll(async () => (await events(a, 'highrise-call-connected')).length, { timeout: 10_000 }).toBe(2);
    await a.waitForAttribute('call-state', 'connected');
    await c.waitForAttribute('call-state', 'connected');
    await expect.poll(() => inboundGrowth(a, 1_000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => inboundGrowth(c, 1_000), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(await heading(a)).toContain(c.name);
    expect(await heading(c)).toContain(a.name);
    expect(await events(c, 'highrise-incoming-call')).toHaveLength(1);
    expect((await events(b, 'highrise-call-ended')).map((d) => d?.reason)).toEqual(['transferred', 'transferred']);
    expect((await events(a, 'highrise-call-ended')).map((d) => d?.reason)).toEqual(['transferred']);
    expect((await events(c, 'highrise-call-ended')).map((d) => d?.reason)).toEqual(['transferred']);

    await a.part('hangup-button').click();
    await c.waitForAttribute('call-state', 'idle');
    expect(unexpectedErrors([a, b, c])).toEqual([]);
  });
});
