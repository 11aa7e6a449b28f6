// Drives one <highrise-softphone> page (fixtures/softphone.html) the way a user would: through
// the parts the element exposes, reading the state it reflects in its attributes.
import type { Browser, Locator } from 'playwright-core';
import type { SoftphoneToken } from '@highrise/sdk';
import { openTrackedPage, type TrackedPage } from './pages';
import { waitForMediaFlowing, type MediaReport } from './media';

export interface PhoneHistory {
  callStates: string[];
  registrations: string[];
  events: { type: string; detail: Record<string, unknown> | null }[];
}

export interface PhonePage extends TrackedPage {
  element: Locator;
  part(name: string): Locator;
  /** Waits until the element reflects `name="value"`; the error says what it shows instead. */
  waitForAttribute(name: 'registration' | 'call-state' | 'muted' | 'held', value: string, timeoutMs?: number): Promise<void>;
  /** Everything the element showed and fired since the page loaded. */
  history(): Promise<PhoneHistory>;
  /** Waits for RTP on the current call's RTCPeerConnection. */
  media(options?: { minPackets?: number; timeoutMs?: number }): Promise<MediaReport>;
}

/** What the page configures the element with: a softphone token, or digest credentials. */
export type PhoneCredentials = (
  // Without `wsUrl` the element connects where the token says (`ws`: one URL or several to fail over between).
  | (Pick<SoftphoneToken, 'token' | 'iceServers'> & { wsUrl?: string | undefined })
  | { server: string; domain: string; extension: string; password: string }
) & { lang?: string; branding?: string };

const PEER_CONNECTION = "document.querySelector('highrise-softphone')?.phone?.peerConnection";

/**
 * Opens the softphone page at `origin` (http://localhost:<port>, a secure context). The token or
 * password travels in the URL fragment, which the browser never sends to the server.
 */
export async function openPhonePage(
  browser: Browser,
  origin: string,
  name: string,
  credentials: PhoneCredentials,
): Promise<PhonePage> {
  const tracked = await openTrackedPage(browser, name);
  const fragment = new URLSearchParams(
    'token' in credentials
      ? { token: credentials.token, ...(credentials.wsUrl ? { server: credentials.wsUrl } : {}), 'ice-servers': JSON.stringify(credentials.iceServers) }
      : credentials,
  );
  if (credentials.lang) fragment.set('lang', credentials.lang);
  if (credentials.branding) fragment.set('branding', credentials.branding);
  await tracked.page.goto(`${origin}/softphone.html#${fragment}`);
  const element = tracked.page.locator('highrise-softphone');
  return {
    ...tracked,
    element,
    part: (part) => element.locator(`[part~="${part}"]`),
    async waitForAttribute(attribute, value, timeoutMs = 15_000) {
      try {
        await tracked.page.locator(`highrise-softphone[${attribute}="${value}"]`).waitFor({ state: 'attached', timeout: timeoutMs });
      } catch {
        const actual = await element.getAttribute(attribute).catch(() => null);
        throw new Error(
          `${name}: expected ${attribute}="${value}" within ${timeoutMs} ms, it shows ${JSON.stringify(actual)}` +
            (tracked.errors.length ? `; page errors: ${tracked.errors.join(' | ')}` : ''),
        );
      }
    },
    history: () => tracked.page.evaluate(() => (globalThis as unknown as { phoneHistory: PhoneHistory }).phoneHistory),
    media: (options) => waitForMediaFlowing(tracked.page, PEER_CONNECTION, options),
  };
}
