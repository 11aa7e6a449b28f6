// Devices and side channels of <highrise-softphone> against the real platform and real WebRTC
// between Chromium pages (fake media devices): switching the microphone and the speaker mid-call,
// `highrise-devices-changed`; text messages (SIP MESSAGE) both ways through the chat panel; the
// ringback while ringing out, and a visible ring when the browser refuses to play the tone.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';
import { packetsReceived } from './media';

const EXTENSIONS = Array.from({ length: 12 }, (_, i) => String(601 + i));

describe('softphone devices, chat and ringback', () => {
  let world: SoftphoneWorld;
  let acme: TenantClient;
  let pages: TrackedPage[] = [];
  const free = [...EXTENSIONS];

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    const created = await world.provider.tenants.create({ name: 'Acme Devices', slug: 'acme-devices', admin: { email: 'a@acme-devices.example', name: 'A' } });
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

  async function connect(caller: PhonePage, callee: PhonePage) {
    await caller.part('number').fill(callee.name);
    await caller.part('call-button').click();
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await caller.waitForAttribute('call-state', 'connected');
    await callee.waitForAttribute('call-state', 'connected');
    await caller.media({ minPackets: 20 });
    await callee.media({ minPackets: 20 });
  }

  async function inboundGrowth(p: PhonePage, ms = 1_500): Promise<number> {
    const before = packetsReceived(await p.media());
    await p.page.waitForTimeout(ms);
    return packetsReceived(await p.media()) - before;
  }

  /** The microphone the call sends: its track's device and state. */
  const sending = (p: PhonePage) =>
    p.page.evaluate(() => {
      const pc = (document.querySelector('highrise-softphone') as unknown as { phone: { peerConnection: RTCPeerConnection } }).phone.peerConnection;
      const track = pc.getSenders()[0]?.track;
      return track ? { deviceId: track.getSettings().deviceId, readyState: track.readyState, enabled: track.enabled } : null;
    });

  test('switching the microphone and the speaker mid-call keeps the call; a device change is announced', async () => {
    screenshotOnFailure('devices', () => pages);
    const a = await phone();
    const b = await phone();
    await connect(a, b);
    const devices = await b.page.evaluate(async () =>
      (await navigator.mediaDevices.enumerateDevices()).map((d) => ({ kind: d.kind, deviceId: d.deviceId, label: d.label })),
    );
    const before = await sending(b);
    const otherMic = devices.find((d) => d.kind === 'audioinput' && d.deviceId !== 'default' && d.deviceId !== before?.deviceId);
    expect(otherMic, `a second fake microphone among ${JSON.stringify(devices)}`).toBeDefined();

    // Muted first: the new microphone must stay muted.
    await b.part('mute-button').click();
    await b.waitForAttribute('muted', '');
    await b.element.evaluate((el, id) => el.setAttribute('input-device-id', id), otherMic!.deviceId);
    await expect.poll(async () => (await sending(b))?.deviceId, { timeout: 5_000 }).toBe(otherMic!.deviceId);
    expect(await sending(b)).toMatchObject({ readyState: 'live', enabled: false });
    await b.part('mute-button').click();
    await expect.poll(async () => (await sending(b))?.enabled).toBe(true);
    // Same call, and A still receives B's audio over it.
    expect(await b.element.getAttribute('call-state')).toBe('connected');
    expect(await inboundGrowth(a)).toBeGreaterThan(20);

    // The speaker: the call's audio element follows output-device-id at once.
    const speaker = devices.find((d) => d.kind === 'audiooutput' && d.deviceId !== 'default') ?? devices.find((d) => d.kind === 'audiooutput');
    expect(speaker, `an audio output among ${JSON.stringify(devices)}`).toBeDefined();
    await b.element.evaluate((el, id) => el.setAttribute('output-device-id', id), speaker!.deviceId);
    await expect.poll(() => b.element.evaluate((el) => el.shadowRoot!.querySelector('audio')!.sinkId)).toBe(speaker!.deviceId);
    expect(await inboundGrowth(b)).toBeGreaterThan(20);

    // The next call starts on the chosen microphone too.
    await b.part('hangup-button').click();
    await a.waitForAttribute('call-state', 'idle');
    await connect(a, b);
    expect((await sending(b))?.deviceId).toBe(otherMic!.deviceId);

    // A device plugged in or out: the browser fires devicechange; the element says which devices there are now.
    await b.page.evaluate(() => {
      (globalThis as unknown as { deviceEvents: unknown[] }).deviceEvents = [];
      document.querySelector('highrise-softphone')!.addEventListener('highrise-devices-changed', (e) =>
        (globalThis as unknown as { deviceEvents: unknown[] }).deviceEvents.push((e as CustomEvent<{ devices: MediaDeviceInfo[] }>).detail.devices.map((d) => d.kind)),
      );
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    });
    await expect
      .poll(() => b.page.evaluate(() => (globalThis as unknown as { deviceEvents: string[][] }).deviceEvents))
      .toEqual([expect.arrayContaining(['audioinput', 'audiooutput'])]);
    expect(unexpectedErrors([a, b])).toEqual([]);
  });

  test('chat: a message typed in the panel reaches the number in the dialer as highrise-message and shows on both sides; a refused one is shown', async () => {
    screenshotOnFailure('chat', () => pages);
    const a = await phone();
    const b = await phone();
    await a.part('chat').locator('summary').click();
    await a.part('number').fill(b.name);
    await a.part('message-input').fill('Are you free at 3?');
    await a.part('message-input').press('Enter');
    await expect
      .poll(async () => (await b.history()).events.filter((e) => e.type === 'highrise-message').map((e) => e.detail), { timeout: 10_000 })
      .toEqual([{ from: expect.stringContaining(`sip:${a.name}@`), displayName: expect.any(String), text: 'Are you free at 3?' }]);
    await expect.poll(() => a.part('message-input').inputValue()).toBe('');
    expect(await a.part('messages').textContent()).toContain('Are you free at 3?');
    expect(await b.part('messages').textContent()).toContain(`${a.name} Are you free at 3?`);

    await b.element.evaluate((el, to) => (el as unknown as { sendMessage(t: string, x: string): Promise<void> }).sendMessage(to, 'Yes'), a.name);
    await expect.poll(async () => (await a.history()).events.filter((e) => e.type === 'highrise-message').map((e) => e.detail?.text)).toEqual(['Yes']);
    expect(await a.part('messages').textContent()).toContain(`${b.name} Yes`);

    // Nobody at 299: the refusal is shown, nothing is added to the conversation.
    await a.part('number').fill('299');
    await a.part('message-input').fill('hello?');
    await a.part('send-button').click();
    await expect.poll(() => a.part('problem').textContent(), { timeout: 10_000 }).toMatch(/message refused: 4\d\d/);
    expect(await a.part('messages').textContent()).not.toContain('hello?');
    expect(unexpectedErrors([a, b])).toEqual([]);
  });

  const audioState = (p: PhonePage) =>
    p.part('audio').evaluate((audio: HTMLAudioElement) => ({
      playing: !audio.paused && audio.currentTime > 0,
      loop: audio.loop,
      tone: audio.src.startsWith('blob:'),
      stream: audio.srcObject !== null,
    }));

  test('ringback plays while ringing out; a ring tone the browser blocks rings visibly and fires highrise-ring-blocked', async () => {
    screenshotOnFailure('ringback', () => pages);
    const a = await phone();
    const b = await phone();
    // B's browser refuses to play anything (autoplay before a user gesture, as on a fresh page).
    await b.page.evaluate(() => {
      HTMLMediaElement.prototype.play = () => Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
      (globalThis as unknown as { blocked: unknown[] }).blocked = [];
      document.querySelector('highrise-softphone')!.addEventListener('highrise-ring-blocked', (e) =>
        (globalThis as unknown as { blocked: unknown[] }).blocked.push((e as CustomEvent).detail),
      );
    });
    await a.part('number').fill(b.name);
    await a.part('call-button').click();
    await b.waitForAttribute('call-state', 'incoming');
    // The caller hears the ringback, really playing and looping.
    await expect.poll(() => audioState(a), { timeout: 5_000 }).toEqual({ playing: true, loop: true, tone: true, stream: false });
    // The callee's tone was refused: the banner rings visibly, and the page is told.
    await expect.poll(() => b.page.evaluate(() => (globalThis as unknown as { blocked: unknown[] }).blocked)).toEqual([{ callState: 'incoming' }]);
    expect(await b.element.getAttribute('ring-blocked')).toBe('');
    expect(await b.element.evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('.call')!).animationName)).toBe('ring');

    await b.part('answer-button').click();
    await a.waitForAttribute('call-state', 'connected');
    // Answered: the ringback gives way to the call, and the visible ring stops.
    await expect.poll(() => audioState(a)).toMatchObject({ tone: false, stream: true, loop: false });
    await expect.poll(() => b.element.getAttribute('ring-blocked')).toBeNull();
    expect(unexpectedErrors([a, b])).toEqual([]);
  });
});
