// The setup every softphone browser suite shares: the real platform in-process serving the
// fixture pages and the built one-file bundle, one Chromium, and an SDK client with the
// provider's key.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { Highrise } from '@highrise/sdk';
import { startPlatform, type Platform, type PlatformOptions } from '@highrise/platform';
import { launchChromium } from './chromium';

const SOFTPHONE_DIST = join(resolve(import.meta.dirname, '..', '..'), 'packages/softphone/dist');

export interface SoftphoneWorld {
  platform: Platform;
  browser: Browser;
  /** `http://localhost:<port>`: a secure context, so the pages may use the microphone. */
  origin: string;
  provider: Highrise;
  close(): Promise<void>;
}

/** `options` go to the platform as well (e.g. a PostgreSQL database and the Kamailio edge). */
export async function startSoftphoneWorld(options: PlatformOptions = {}): Promise<SoftphoneWorld> {
  await access(join(SOFTPHONE_DIST, 'highrise-softphone.js')).catch(() => {
    throw new Error(`${SOFTPHONE_DIST}/highrise-softphone.js is missing: run \`npm run build\` first (npm test does).`);
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'highrise-browser-'));
  const bootstrapKey = `hr_test_${randomBytes(24).toString('base64url')}`;
  const [started, launched] = await Promise.allSettled([
    startPlatform({
      ...options,
      port: 0,
      dataDir,
      bootstrapKey,
      site: { root: join(import.meta.dirname, 'fixtures'), mounts: { '/softphone/': SOFTPHONE_DIST } },
    }),
    launchChromium(),
  ]);
  const close = async () => {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (started.status === 'fulfilled') await started.value.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  if (started.status === 'rejected' || launched.status === 'rejected') {
    await close();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const platform = started.value;
  return {
    platform,
    browser: launched.value,
    origin: `http://localhost:${platform.port}`,
    provider: new Highrise({ baseUrl: platform.url, apiKey: bootstrapKey }),
    close,
  };
}
