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

/** Bounds memory under a flood of distinct sources: the oldest-seen source is forgotten first. */
const MAX_SOURCES = 10_000;

export class AuthFailureLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();

  constructor(options: AuthFailureLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = (options.windowSeconds ?? 60) * 1000;
    this.#now = options.now ?? Date.now;
  }

  #recent(source: string): number[] {
    const cutoff = this.#now() - this.windowMs;
    const times = (this.#failures.get(source) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.#failures.delete(source);
    else this.#failures.set(source, times);
    return times;
  }

  /** Seconds until `source` may fail again, or 0 when it is under the limit. */
  retryAfterSeconds(source: string): number {
    const times = this.#recent(source);
    if (times.length < this.maxFailures) return 0;
    const oldest = times[times.length - this.maxFailures]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.#now()) / 1000));
  }

  recordFailure(source: string): void {
    const times = this.#recent(source);
    times.push(this.#now());
    // Only the last maxFailures matter for the decision.
    if (times.length > this.maxFailures) times.splice(0, times.length - this.maxFailures);
    this.#failures.delete(source);
    this.#failures.set(source, times);
    if (this.#failures.size > MAX_SOURCES) this.#failures.delete(this.#failures.keys().next().value!);
  }
}
