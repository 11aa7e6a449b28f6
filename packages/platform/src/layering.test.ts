import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md's layers: http and sip depend on domain, domain on store; never the other way round,
// and never around the domain (http/ and sip/ reach the store only through it).
const src = new URL('.', import.meta.url).pathname;
const forbidden: Record<string, string[]> = {
  http: ['store'],
  sip: ['store'],
  domain: ['http', 'sip'],
  store: ['domain', 'http', 'sip'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('platform layering', () => {
  for (const [layer, banned] of Object.entries(forbidden)) {
    it(`${layer}/ imports nothing from ${banned.join(' or ')}/`, () => {
      const offences = sources(join(src, layer)).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)]
          .map((m) => relative(src, join(file, '..', m[1]!)))
          .filter((target) => banned.some((b) => target === b || target.startsWith(`${b}/`)))
          .map((target) => `${relative(src, file)} -> ${target}`),
      );
      expect(offences).toEqual([]);
    });
  }
});
