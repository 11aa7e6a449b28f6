// The platform serves the built operator console at /console/ (packages/console/dist, which
// `npm run build` makes): its own files only, under a Content-Security-Policy that allows no inline
// script and no other origin, and nothing when the operator turns it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';

describe('the operator console at /console/', () => {
  let hp: TestPlatform;
  let off: TestPlatform;
  beforeAll(async () => {
    hp = await startTestPlatform('console-serving');
    off = await startTestPlatform('console-off', { console: false });
  });
  afterAll(async () => {
    await hp?.close();
    await off?.close();
  });

  it('redirects /console to /console/, where the page relative URLs work', async () => {
    const res = await fetch(`${hp.platform.url}/console`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('serves the page and every asset it names under a strict CSP, with no inline script', async () => {
    const res = await fetch(`${hp.platform.url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<highrise-console>');
    // Every <script> loads a file; none carries code.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const file = await fetch(`${hp.platform.url}${asset}`);
      expect(file.status, asset).toBe(200);
      expect(file.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(file.headers.get('content-security-policy'), asset).toBe(csp);
    }
  });

  it('serves nothing outside its directory, and no console when turned off', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2fpackage.json', '/console/nope.js']) {
      expect((await fetch(`${hp.platform.url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${off.platform.url}/console/`)).status).toBe(404);
    expect((await fetch(`${off.platform.url}/console`, { redirect: 'manual' })).status).toBe(404);
  });
});
