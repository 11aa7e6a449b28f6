// <highrise-softphone> for people who use a keyboard or a screen reader: axe-core finds no WCAG
// 2.1 AA violation in the idle, ringing and connected widget (shadow DOM included), a whole call
// can be made and answered with the keyboard alone, focus moves to Answer, to Hang up and back to
// the number, and the call's state is in a live region.
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Highrise, type TenantClient } from '@highrise/sdk';
import { startSoftphoneWorld, type SoftphoneWorld } from './softphone-world';
import { screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { openPhonePage, type PhonePage } from './softphone-page';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('softphone accessibility', () => {
  let world: SoftphoneWorld;
  let acme: TenantClient;
  let pages: TrackedPage[] = [];
  const free = ['301', '302', '303', '304'];
  beforeEach(() => {
    pages = [];
  });
  afterEach(async () => {
    await Promise.all(pages.map((p) => p.page.context().close().catch(() => {})));
  });
  beforeAll(async () => {
    world = await startSoftphoneWorld();
    const created = await world.provider.tenants.create({
      name: 'Acme A11y',
      slug: 'acme-a11y',
      admin: { email: 'admin@acme-a11y.example', name: 'Admin' },
    });
    acme = new Highrise({ baseUrl: world.platform.url, apiKey: created.adminKey!.secret }).tenant(created.tenant.id);
    for (const number of free) await acme.extensions.create({ number, displayName: `Acme ${number}` });
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

  /** axe-core's WCAG 2.x A and AA rules on the whole page, the element's shadow root included. */
  async function violations(p: PhonePage): Promise<string[]> {
    if (!(await p.page.evaluate(() => 'axe' in globalThis))) await p.page.addScriptTag({ path: AXE_PATH });
    const found = await p.page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
    });
    return found;
  }

  /** The part that has the keyboard focus inside the element, if any. */
  const focusedPart = (p: PhonePage) =>
    p.page.evaluate(() => document.querySelector('highrise-softphone')?.shadowRoot?.activeElement?.getAttribute('part') ?? null);

  /** Presses Tab until the focus is on `part` (at most 20 times). */
  async function tabTo(p: PhonePage, part: string) {
    for (let i = 0; i < 20 && (await focusedPart(p)) !== part; i++) await p.page.keyboard.press('Tab');
    expect(await focusedPart(p)).toBe(part);
  }

  test('a call made and answered with the keyboard alone, with no axe violation idle, ringing or connected', async () => {
    screenshotOnFailure('keyboard call and axe', () => pages);
    const caller = await phone();
    const callee = await phone();
    expect(await violations(caller)).toEqual([]);

    await tabTo(caller, 'number');
    await caller.page.keyboard.type(callee.name);
    await caller.page.keyboard.press('Enter');
    await callee.waitForAttribute('call-state', 'incoming');
    // The ringing state is announced: the call card is a live region.
    expect(await callee.element.evaluate((el) => {
      const card = el.shadowRoot!.querySelector('.call')!;
      return { role: card.getAttribute('role'), text: card.textContent!.replace(/\s+/g, ' ').trim() };
    })).toEqual({ role: 'status', text: expect.stringContaining('Incoming call') });
    expect(await violations(callee)).toEqual([]);

    // Focus went to Answer by itself: Enter answers.
    expect(await focusedPart(callee)).toBe('answer-button');
    await callee.page.keyboard.press('Enter');
    await caller.waitForAttribute('call-state', 'connected');
    await callee.waitForAttribute('call-state', 'connected');
    await expect.poll(() => focusedPart(callee)).toBe('hangup-button');
    expect(await violations(callee)).toEqual([]);

    await tabTo(callee, 'mute-button');
    await callee.page.keyboard.press('Space');
    await callee.waitForAttribute('muted', '');
    await tabTo(caller, 'hangup-button');
    await caller.page.keyboard.press('Enter');
    await callee.waitForAttribute('call-state', 'idle');
    await caller.waitForAttribute('call-state', 'idle');
    // And back to the number, ready for the next call.
    await expect.poll(() => focusedPart(caller)).toBe('number');
    expect(unexpectedErrors([caller, callee])).toEqual([]);
  });
});
