// Sanity check of the browser test setup itself, independent of Highrise: inside the
// loopback-only namespace, headless Chromium with a fake microphone connects two
// RTCPeerConnections over 127.0.0.1 and RTP flows both ways.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { expectLoopbackMedia, packetsReceived, waitForMediaFlowing } from './media';
import { openTrackedPage, screenshotOnFailure, unexpectedErrors, type TrackedPage } from './pages';
import { serveDirectory, type StaticServer } from './static-server';

describe('browser test setup', () => {
  let browser: Browser;
  let server: StaticServer;
  const pages: TrackedPage[] = [];

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), serveDirectory(join(import.meta.dirname, 'fixtures'))]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('two peer connections with a fake microphone exchange RTP over 127.0.0.1', async () => {
    screenshotOnFailure('loopback webrtc', () => pages);
    const tab = await openTrackedPage(browser, 'loopback');
    pages.push(tab);
    await tab.page.goto(`${server.url}/loopback.html`);

    const { offer } = await tab.page.evaluate(() =>
      (globalThis as unknown as { startLoopbackCall(): Promise<{ offer: string }> }).startLoopbackCall(),
    );
    expect(offer).toMatch(/^a=candidate:/m);

    // Audio runs at 50 packets/s: 25 means a steady stream, not one stray packet.
    const caller = await waitForMediaFlowing(tab.page, 'globalThis.loopbackCall?.caller', { minPackets: 25 });
    const callee = await waitForMediaFlowing(tab.page, 'globalThis.loopbackCall?.callee', { minPackets: 25 });
    for (const report of [caller, callee]) {
      expect(report.connectionState).toBe('connected');
      expect(packetsReceived(report)).toBeGreaterThanOrEqual(25);
      expectLoopbackMedia(report);
    }
    console.info(
      `loopback webrtc: caller received ${packetsReceived(caller)} packets, callee ${packetsReceived(callee)}; ` +
        `pair ${caller.selectedPair?.local.address}:${caller.selectedPair?.local.port} <-> ` +
        `${caller.selectedPair?.remote.address}:${caller.selectedPair?.remote.port}`,
    );
    expect(unexpectedErrors(pages)).toEqual([]);
  });
});
