// Headless Chromium for the browser suite, launched through playwright-core with the system
// browser (never `npx playwright install`). The flags give WebRTC fake media and let it gather
// 127.0.0.1 candidates, which is what keeps media on loopback inside the test namespace.
import { chromium, type Browser } from 'playwright-core';
import { locateChromium } from './locate-chromium.mjs';

/** True when the namespace runner verified that only `lo` exists (see run-in-loopback-namespace.mjs). */
export const inLoopbackNamespace = process.env.HIGHRISE_LOOPBACK_NAMESPACE === '1';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Launches headless Chromium. Playwright gives every `launch()` a fresh temporary user-data-dir
 * and removes it on close (it refuses a `--user-data-dir` argument), so no profile leaks between runs.
 * Inside the namespace apt cannot reach its mirror, so there the runner has installed Chromium
 * beforehand; run directly (outside), this installs it itself when absent (root on Debian).
 */
export async function launchChromium(): Promise<Browser> {
  const { path } = await locateChromium({ install: !inLoopbackNamespace });
  if (!inLoopbackNamespace) {
    console.warn('browser tests: not inside the loopback namespace (use `npm run test:browser`); media may leave 127.0.0.1.');
  }
  return chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS });
}
