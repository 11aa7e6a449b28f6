import { randomBytes } from 'node:crypto';
import type { RateEvents } from '../store/lease-types';
import { SlidingWindowLimiter } from './sliding-window';

export type RateTake = { ok: true; release: () => Promise<void> } | { ok: false; retryAfterSeconds: number };

/**
 * A sliding-window allowance per key: in this process's memory (one node, SQLite: unchanged and
 * free of queries), or in the database when several nodes share it (PostgreSQL), where a check
 * and its count are one transaction so parallel requests on different nodes see each other.
 */
export interface RateWindow {
  readonly max: number;
  readonly windowMs: number;
  /** Takes a slot for `key` now, or says how long to wait; `release` gives the slot back. */
  take(key: string): Promise<RateTake>;
}

/** In memory. The slot is taken before the first await, so parallel requests see each other's. */
export function memoryWindow(options: { max: number; windowSeconds: number; now?: () => number }): RateWindow {
  const limiter = new SlidingWindowLimiter(options);
  return {
    max: limiter.max,
    windowMs: limiter.windowMs,
    take(key) {
      const retryAfterSeconds = limiter.retryAfterSeconds(key);
      if (retryAfterSeconds > 0) return Promise.resolve({ ok: false, retryAfterSeconds });
      const release = limiter.reserve(key);
      return Promise.resolve({ ok: true, release: async () => release() });
    },
  };
}

/** In the database: `name` keeps one window's keys apart from another's. */
export function storedWindow(rates: RateEvents, name: string, options: { max: number; windowSeconds: number; now?: () => number }): RateWindow {
  const windowMs = options.windowSeconds * 1000;
  const now = options.now ?? Date.now;
  return {
    max: options.max,
    windowMs,
    async take(key) {
      const id = `rte_${randomBytes(12).toString('hex')}`;
      const waitMs = await rates.take(`${name}:${key}`, id, now(), windowMs, options.max);
      if (waitMs > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      return { ok: true, release: () => rates.remove(id) };
    },
  };
}

/** The database's window when the store is shared by several nodes, else memory. */
export const rateWindow = (shared: RateEvents | undefined, name: string, options: { max: number; windowSeconds: number; now?: () => number }): RateWindow =>
  shared ? storedWindow(shared, name, options) : memoryWindow(options);
