import { describe, expect, it } from 'vitest';
import { EDGE_SECRET_SETTING, edgeSecretReader } from './sip-route-decision';

describe('edgeSecretReader', () => {
  it('keeps a found secret for the TTL, re-reads an absent one after a second, and reads once for concurrent callers', async () => {
    let stored: string | undefined;
    let reads = 0;
    let clock = 0;
    const read = edgeSecretReader(
      {
        get: async (key) => {
          expect(key).toBe(EDGE_SECRET_SETTING);
          reads++;
          return stored;
        },
      },
      10_000,
      () => clock,
    );
    expect(await Promise.all([read(), read(), read()])).toEqual([undefined, undefined, undefined]);
    expect(reads).toBe(1);
    stored = 'first';
    clock = 999;
    expect(await read()).toBeUndefined();
    clock = 1000;
    expect(await read()).toBe('first');
    expect(reads).toBe(2);
    // Rotated: the old secret holds until the TTL has passed, then the new one.
    stored = 'second';
    clock = 10_999;
    expect(await read()).toBe('first');
    clock = 11_000;
    expect(await read()).toBe('second');
    expect(reads).toBe(3);
  });
});
