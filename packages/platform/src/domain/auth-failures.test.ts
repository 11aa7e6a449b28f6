import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './auth-failures';

describe('AuthFailureLimiter', () => {
  it('refuses a source after maxFailures within the window and forgives it once they age out', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 3, windowSeconds: 10, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
      now += 1000;
    }
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(7);
    expect(limiter.retryAfterSeconds('10.0.0.2'), 'another source is unaffected').toBe(0);
    now = 10_001;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
  });
});
