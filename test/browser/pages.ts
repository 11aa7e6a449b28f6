// Page bookkeeping for the browser suite: every page's console errors are collected so a test
// can fail on unexpected ones, and every page is screenshotted to test/.artifacts on failure.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '.artifacts');

export interface TrackedPage {
  name: string;
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
}

/** Opens a page in its own browser context (own storage, own media permissions). */
export async function openTrackedPage(browser: Browser, name: string): Promise<TrackedPage> {
  const context = await browser.newContext({ permissions: ['microphone'] });
  const page = await context.newPage();
  const tracked: TrackedPage = { name, page, errors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') tracked.errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => tracked.errors.push(`uncaught: ${err.message}`));
  return tracked;
}

/** Registers, for the current test, a screenshot of every page when it fails. */
export function screenshotOnFailure(testName: string, pages: () => TrackedPage[]) {
  onTestFailed(async () => {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const slug = testName.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    for (const { name, page, errors } of pages()) {
      if (page.isClosed()) continue;
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${slug}--${name}.png`), fullPage: true }).catch(() => {});
      if (errors.length) console.error(`[${name}] page errors:\n  ${errors.join('\n  ')}`);
    }
  }, 30_000);
}

/** Console errors not matched by any of the expected patterns. */
export function unexpectedErrors(pages: TrackedPage[], expected: RegExp[] = []): string[] {
  return pages.flatMap(({ name, errors }) =>
    errors.filter((e) => !expected.some((re) => re.test(e))).map((e) => `[${name}] ${e}`),
  );
}
