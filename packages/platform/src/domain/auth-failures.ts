import type { RateEvents } from '../store/lease-types';
import { storedWindow, type RateWindow } from './rate-window';
import { SlidingWindowLimiter } from './sliding-window';

/**
 * Failed authentications per source address over a sliding window, in memory.
 *
 * Only failures are counted and only failures are refused: a source past the limit gets 429
 * (instead of 401) for every further bad secret until its oldest failure leaves the window, while
 * a valid key from the same address still works. Secrets are ~190 random bits, so the limit is
 * not what stops guessing; it caps the cost of the noise (each failure hashes, looks up and
 * writes an audit event) and keeps one noisy source from filling the audit log, without letting
 * it lock out other sources or the honest users behind the same NAT. In memory on one node; with
 * `shared` (several nodes on PostgreSQL) counted in the database, so a source cannot spread its
 * failures over the nodes behind a load balancer to get N times the allowance.
 */
export interface AuthFailureLimiterOptions {
  /** Failures allowed per window; the next one is refused. Default 20. */
  maxFailures?: number;
  /** Window length in seconds. Default 60. */
  windowSeconds?: number;
  now?: () => number;
  /** The database's rate events, when several nodes share it. */
  shared?: RateEvents | undefined;
}

export class AuthFailureLimiter {
  readonly #window: SlidingWindowLimiter;
  readonly #shared: RateWindow | undefined;

  constructor(options: AuthFailureLimiterOptions = {}) {
    const window = { max: options.maxFailures ?? 20, windowSeconds: options.windowSeconds ?? 60, ...(options.now ? { now: options.now } : {}) };
    this.#window = new SlidingWindowLimiter(window);
    this.#shared = options.shared && storedWindow(options.shared, 'auth.failed', window);
  }

  /**
   * A failure from `source`: counted, 0, when under the limit (answer 401); otherwise not counted
   * and the seconds until it may fail again (answer 429).
   */
  async failure(source: string): Promise<number> {
    if (this.#shared) {
      const taken = await this.#shared.take(source);
      return taken.ok ? 0 : taken.retryAfterSeconds;
    }
    const retryAfter = this.retryAfterSeconds(source);
    if (retryAfter === 0) this.recordFailure(source);
    return retryAfter;
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
