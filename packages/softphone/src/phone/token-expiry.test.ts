import { describe, expect, test } from 'vitest';
import { nextTokenWarningInMs, retryAfterMs } from './token-expiry';

describe('nextTokenWarningInMs', () => {
  const expiresAt = 1_000_000;
  test('first warns 60 s before expiry, then every 15 s until it expires', () => {
    expect(nextTokenWarningInMs(expiresAt, expiresAt - 300_000, false)).toBe(240_000);
    expect(nextTokenWarningInMs(expiresAt, expiresAt - 60_000, false)).toBe(0);
    expect(nextTokenWarningInMs(expiresAt, expiresAt - 30_000, false)).toBe(0); // a short token warns at once
    expect(nextTokenWarningInMs(expiresAt, expiresAt - 59_000, true)).toBe(15_000);
    expect(nextTokenWarningInMs(expiresAt, expiresAt, true)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  test('reads the seconds and ignores parameters and comments', () => {
    expect(retryAfterMs('5')).toBe(5_000);
    expect(retryAfterMs('120;duration=60')).toBe(120_000);
    expect(retryAfterMs('30 (maintenance)')).toBe(30_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
