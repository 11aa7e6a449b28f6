import { describe, expect, test } from 'vitest';
import { isRefusal, reconnectDelayMs } from './reconnect';

describe('reconnectDelayMs', () => {
  const middle = () => 0.5;

  test('doubles from one second and stops at thirty', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((attempt) => reconnectDelayMs(attempt, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  test('spreads reconnects by ±20 %', () => {
    expect(reconnectDelayMs(2, () => 0)).toBe(3_200);
    expect(reconnectDelayMs(2, () => 0.999_999)).toBeCloseTo(4_800, -1);
  });
});

describe('isRefusal', () => {
  test('a refused token is final', () => {
    expect(isRefusal({ code: 4401, reason: 'token_expired' })).toBe(true);
    expect(isRefusal({ code: 1008, reason: '' })).toBe(true);
    expect(isRefusal({ code: 1000, reason: 'token_invalid' })).toBe(true);
  });

  test('a restart or a network drop is retried', () => {
    expect(isRefusal({ code: 1006, reason: '' })).toBe(false);
    expect(isRefusal({ code: 1001, reason: 'going away' })).toBe(false);
    expect(isRefusal({ code: 1012, reason: 'restart' })).toBe(false);
  });
});
