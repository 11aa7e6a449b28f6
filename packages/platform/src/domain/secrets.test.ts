import { describe, expect, it } from 'vitest';
import { newSipPassword, newSipPasswords, randomBase62, randomBase62Many } from './secrets';

describe('random base62 secrets', () => {
  it('makes many at once from one draw, each of the length asked, all different', () => {
    const passwords = newSipPasswords(1000);
    expect(passwords).toHaveLength(1000);
    for (const password of passwords) expect(password).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(new Set(passwords).size).toBe(1000);
    expect(newSipPassword()).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(randomBase62(32)).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(randomBase62Many(0, 20)).toEqual([]);
  });

  it('uses every character about equally often', () => {
    const counts = new Map<string, number>();
    for (const text of randomBase62Many(2000, 31)) for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 62,000 characters: 1,000 expected per character; modulo bias without rejection would give
    // the first 8 characters ~1,250.
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850), expect(n).toBeLessThan(1150);
  });
});
