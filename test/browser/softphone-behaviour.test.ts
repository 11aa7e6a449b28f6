// What a person at a <highrise-softphone> sees and hears around a call, against the real platform:
// the ring tone, rejecting, cancelling, a page vetoing a call, the far end hanging up, a number
// that does not exist, digest registration, and swapping the token. One platform and one
// Chromium serve every test; each test has its own extensions, so no registration leaks into another.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Highrise, type TenantClient } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhoneCredentials, type PhonePage } from './softphone-page';

const EXTENSIONS = ['101', '102', '103', '104', '105', '106', '107', '108', '109', '110', '111', '112', '113'];

describe('softphone behaviour around a call', () => {
  let world: SoftphoneWorld;
  let platform: Platform;
  let browser: Browser;
  let origin: string;
  let acme: TenantClient;
  let sipDomain: string;
  const sipPasswords = new Map<string, string>();
  /** Pages opened by the current test: screenshotted if it fails, closed after it. */
  let pages: TrackedPage[] = [];
  beforeEach(() => {
    pages = [];
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
  });

  beforeAll(async () => {
    world = await startSoftphoneWorld();
    ({ platform, browser, origin } = world);
    const { provider } = world;
    const { tenant, adminKey } = await provider.tenants.create({
      name: 'Acme Dental',
      slug: 'acme-dental',
      admin: { email: 'admin@acme-dental.example', name: 'Admin' },
    });
    if (!adminKey) throw new Error('tenants.create with admin returned no adminKey');
    acme = new Highrise({ baseUrl: platform.url, apiKey: adminKey.secret }).tenant(tenant.id);
    sipDomain = tenant.sipDomain;
    for (const number of EXTENSIONS) {
      const extension = await acme.extensions.create({ number, displayName: `Acme ${number}` });
      sipPasswords.set(number, extension.sipPassword);
    }
  });

  afterAll(async () => {
    await world?.close();
  });

  async function open(name: string, credentials: PhoneCredentials): Promise<PhonePage> {
    const page = await openPhonePage(browser, origin, name, credentials);
    pages.push(page);
    return page;
  }

  /** A registered phone for `extension`, configured with a fresh softphone token. */
  async function phone(extension: string): Promise<PhonePage> {
    const page = await open(extension, await acme.softphoneTokens.create({ extension, ttlSeconds: 600 }));
    await page.waitForAttribute('registration', 'registered');
    return page;
  }

  /** Digest credentials as a PBX admin would type them into the element's attributes. */
  const digest = (extension: string, password: string): PhoneCredentials => ({
    server: `${platform.url.replace(/^http/, 'ws')}/sip`,
    domain: sipDomain,
    extension,
    password,
  });

  /** Dials `number` on the keypad and presses Call, as a user would. */
  async function dial(caller: PhonePage, number: string) {
    for (const key of number) await caller.part('key').and(caller.page.locator(`[data-key="${key}"]`)).click();
    expect(await caller.part('number').inputValue()).toBe(number);
    await caller.part('call-button').click();
  }

  /** The `reason` of every highrise-call-ended the phone fired, in order. */
  const endReasons = async (p: PhonePage) =>
    (await p.history()).events.filter((e) => e.type === 'highrise-call-ended').map((e) => e.detail?.reason);

  const audioState = (p: PhonePage) =>
    p.part('audio').evaluate((audio: HTMLAudioElement) => ({
      playing: !audio.paused && audio.currentTime > 0,
      loop: audio.loop,
      ringTone: audio.src.startsWith('blob:'),
    }));

  test('an incoming call rings audibly, and rejecting it ends the call as rejected / declined', async () => {
    screenshotOnFailure('ring and reject', () => pages);
    const callee = await phone('101');
    const caller = await phone('102');

    await dial(caller, '101');
    await callee.waitForAttribute('call-state', 'incoming');
    // The ring tone is really playing (time advances), looping, from the element's shadow <audio>.
    await expect.poll(() => audioState(callee), { timeout: 5_000 }).toEqual({ playing: true, loop: true, ringTone: true });

    await callee.part('reject-button').click();
    await callee.waitForAttribute('call-state', 'idle');
    await caller.waitForAttribute('call-state', 'idle');
    expect((await audioState(callee)).playing).toBe(false);
    expect(await endReasons(callee)).toEqual(['rejected']);
    expect(await endReasons(caller)).toEqual(['declined']);
    expect(unexpectedErrors([callee, caller])).toEqual([]);
  });

  test('the caller hanging up before an answer cancels the ringing call', async () => {
    screenshotOnFailure('caller cancels', () => pages);
    const callee = await phone('103');
    const caller = await phone('104');

    await dial(caller, '103');
    await callee.waitForAttribute('call-state', 'incoming');
    await caller.part('hangup-button').click();
    await callee.waitForAttribute('call-state', 'idle');
    await caller.waitForAttribute('call-state', 'idle');
    expect(await endReasons(callee)).toEqual(['cancelled']);
    expect(await endReasons(caller)).toEqual(['local_hangup']);
    expect((await callee.history()).callStates).not.toContain('connected');
    expect(unexpectedErrors([callee, caller])).toEqual([]);
  });

  test('a page that vetoes highrise-request-call stops the call before anything is sent', async () => {
    screenshotOnFailure('request-call veto', () => pages);
    const callee = await phone('105');
    const caller = await phone('106');

    await caller.page.evaluate(() =>
      document.addEventListener('highrise-request-call', (event) => event.preventDefault(), { once: true }),
    );
    await dial(caller, '105');
    expect((await caller.history()).events.filter((e) => e.type === 'highrise-request-call').map((e) => e.detail)).toEqual([
      { target: '105' },
    ]);
    expect(await caller.element.getAttribute('call-state')).toBe('idle');

    // Proof without a sleep that no INVITE left: the next, allowed, call travels the same
    // WebSocket after the vetoed one, and it is the first and only call the callee ever sees.
    await caller.part('call-button').click();
    await callee.waitForAttribute('call-state', 'incoming');
    const rang = (await callee.history()).events.filter((e) => e.type === 'highrise-incoming-call');
    expect(rang).toHaveLength(1);
    expect((await caller.history()).callStates.filter((s) => s !== 'idle')[0]).toBe('outgoing');
    await caller.part('hangup-button').click();
    await callee.waitForAttribute('call-state', 'idle');
    expect(unexpectedErrors([callee, caller])).toEqual([]);
  });

  test('when the other side hangs up a connected call, the caller sees remote_hangup', async () => {
    screenshotOnFailure('remote hangup', () => pages);
    const callee = await phone('107');
    const caller = await phone('108');

    await dial(caller, '107');
    await callee.waitForAttribute('call-state', 'incoming');
    await callee.part('answer-button').click();
    await callee.waitForAttribute('call-state', 'connected');
    await caller.waitForAttribute('call-state', 'connected');

    await callee.part('hangup-button').click();
    await caller.waitForAttribute('call-state', 'idle');
    await callee.waitForAttribute('call-state', 'idle');
    expect(await endReasons(caller)).toEqual(['remote_hangup']);
    expect(await endReasons(callee)).toEqual(['local_hangup']);
    expect(unexpectedErrors([callee, caller])).toEqual([]);
  });

  test('calling an extension that does not exist ends as not_found', async () => {
    screenshotOnFailure('not found', () => pages);
    const caller = await phone('109');

    await dial(caller, '199');
    await expect.poll(() => endReasons(caller), { timeout: 10_000 }).toEqual(['not_found']);
    expect(await caller.element.getAttribute('call-state')).toBe('idle');
    expect(await caller.element.getAttribute('registration')).toBe('registered');
    expect(unexpectedErrors([caller])).toEqual([]);
  });

  test('digest registration with domain, extension and password; a wrong password fails', async () => {
    screenshotOnFailure('digest registration', () => pages);
    const good = await open('digest-110', digest('110', sipPasswords.get('110')!));
    const wrong = await open('digest-111-wrong', digest('111', 'not-the-password'));

    await good.waitForAttribute('registration', 'registered');
    expect(await good.part('status').textContent()).toBe('Ready · 110');
    expect((await good.history()).events.find((e) => e.type === 'highrise-registered')?.detail).toEqual({
      aor: `sip:110@${sipDomain}`,
    });

    await wrong.waitForAttribute('registration', 'failed');
    const history = await wrong.history();
    expect(history.registrations).not.toContain('registered');
    const failures = history.events.filter((e) => e.type === 'highrise-registration-failed').map((e) => e.detail?.reason);
    // The edge refuses the wrong digest; the reason is the REGISTER's final status.
    expect(failures).toEqual(['403 Forbidden']);
    expect(unexpectedErrors([good, wrong])).toEqual([]);
  });

  test('changing the token attribute re-registers the phone as the new extension', async () => {
    screenshotOnFailure('token change', () => pages);
    const desk = await phone('112');
    expect(await desk.part('status').textContent()).toBe('Ready · 112');

    const next = await acme.softphoneTokens.create({ extension: '113', ttlSeconds: 600 });
    await desk.element.evaluate((el, token) => el.setAttribute('token', token), next.token);
    await expect.poll(() => desk.part('status').textContent(), { timeout: 10_000 }).toBe('Ready · 113');
    await desk.waitForAttribute('registration', 'registered');
    const registered = (await desk.history()).events.filter((e) => e.type === 'highrise-registered').map((e) => e.detail?.aor);
    expect(registered).toEqual([`sip:112@${sipDomain}`, `sip:113@${sipDomain}`]);
    expect(unexpectedErrors([desk])).toEqual([]);
  });
});
