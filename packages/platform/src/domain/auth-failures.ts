import { SlidingWindowLimiter } from './sliding-window';

/**
 * Failed authentications per source address over a sliding window, in memory.
 *
 * Only failures are counted and only failures are refused: a source past the limit gets 429
 * (instead of 401) for every further bad secret until its oldest failure leaves the window, while
 * a valid key from the same address still works. Secrets are ~190 random bits, so the limit is
 * not what stops guessing; it caps the cost of the noise (each failure hashes, looks up and
 * writes an audit event) and keeps one noisy source from filling the audit log, without letting
 * it lock out other sources or the honest users behind the same NAT. Per process: with several
 * platform processes each keeps its own window.
 */
export interface AuthFailureLimiterOptions {
  /** Failures allowed per window; the next one is refused. Default 20. */
  maxFailures?: number;
  /** Window length in seconds. Default 60. */
  windowSeconds?: number;
  now?: () => number;
}

export class AuthFailureLimiter {
  readonly #window: SlidingWindowLimiter;

  constructor(options: AuthFailureLimiterOptions = {}) {
    this.#window = new SlidingWindowLimiter({ max: options.maxFailures ?? 20, windowSeconds: options.windowSeconds ?? 60, ...(options.now ? { now: options.now } : {}) });
  }

  get maxFailures(): number {
    return this.#window.max;
  }

  get windowMs(): number {
    return this.#window.windowMs;
  }

  /** Seconds until `source` may fail again, or 0 when it is under the limit. */
  retryAfterSeconds(source: string): number {
    return this.#window.retryAfterSeconds(source);
  }

  recordFailure(source: string): void {
    this.#window.record(source);
  }
}
