/**
 * Counts events per key over a sliding window, in memory, and says how long a key must wait once
 * it has used up its allowance. Memory stays bounded under a flood of distinct keys: past
 * `maxKeys` the key seen longest ago is forgotten first. Per process: with several platform
 * processes each keeps its own window.
 */
export interface SlidingWindowOptions {
  /** Events allowed per window; the next one must wait. */
  max: number;
  /** Window length in seconds. */
  windowSeconds: number;
  now?: () => number;
  maxKeys?: number;
}

export class SlidingWindowLimiter {
  readonly max: number;
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #events = new Map<string, number[]>();

  constructor(options: SlidingWindowOptions) {
    this.max = options.max;
    this.windowMs = options.windowSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.windowMs;
    const times = (this.#events.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.#events.delete(key);
    else this.#events.set(key, times);
    return times;
  }

  /** Seconds until `key` may have another event, or 0 when it is under the limit. */
  retryAfterSeconds(key: string): number {
    const times = this.#recent(key);
    if (times.length < this.max) return 0;
    const oldest = times[times.length - this.max]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.#now()) / 1000));
  }

  /**
   * Takes a slot now, synchronously, and returns the function that gives it back: a caller that
   * awaits before it knows whether the event counts must hold its slot across the await, or every
   * request in flight would pass the check.
   */
  reserve(key: string): () => void {
    const at = this.record(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const times = this.#events.get(key);
      const index = times?.lastIndexOf(at) ?? -1;
      if (index >= 0) times!.splice(index, 1);
    };
  }

  /** Counts an event for `key` now; returns its time. */
  record(key: string): number {
    const times = this.#recent(key);
    const at = this.#now();
    times.push(at);
    // Only the last `max` matter for the decision.
    if (times.length > this.max) times.splice(0, times.length - this.max);
    this.#events.delete(key);
    this.#events.set(key, times);
    if (this.#events.size > this.#maxKeys) this.#events.delete(this.#events.keys().next().value!);
    return at;
  }
}
