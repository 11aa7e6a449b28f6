import { AsyncResource } from 'node:async_hooks';
import { rollupHour } from '../store/call-rollup-sql';
import type { ScopedUsageHour, UsageCounts } from '../store/types';
import { systemScope } from './system-scope';

/** Limits whose refusals the counter keeps (channel refusals are call records with disposition `limit`). */
export type CountedRefusal = 'messages' | 'extensions' | 'storage';

export interface UsageCounterOptions {
  /** Milliseconds between flushes; default 10 s. */
  intervalMs?: number | undefined;
  now?: (() => number) | undefined;
  /** This node's live registrations per tenant (the SIP edge's registrar), sampled at each flush. */
  liveRegistrations?: (() => Iterable<readonly [string, number]>) | undefined;
  /** Stored bytes per tenant now, read once an hour so an hour without uploads still has its level. */
  storedBytes?: (() => Promise<readonly { tenantId: string; bytes: number }[]>) | undefined;
  log?: ((line: string) => void) | undefined;
}

export const DEFAULT_USAGE_FLUSH_MS = 10_000;
const HOUR_MS = 3_600_000;

const zero = (): UsageCounts => ({ messages: 0, refusedMessages: 0, refusedExtensions: 0, refusedStorage: 0, peakRegistrations: 0, peakStorageBytes: 0 });

const REFUSAL_FIELD = { messages: 'refusedMessages', extensions: 'refusedExtensions', storage: 'refusedStorage' } as const;

/**
 * Usage counted in memory per (tenant, UTC hour) and flushed periodically as additive upserts
 * (store.usageRollups.add), so the SIP edge's MESSAGE path and a refused request pay a map update,
 * never a write. Peaks: each step of registrations or stored bytes keeps the larger of the level
 * before and after it (the level before the first step of an hour is the level the hour began
 * with); each flush samples this node's registrations (written when higher than the hour's last
 * sample), and the first flush of each hour reads the stored bytes, so an hour without steps still
 * has its level. `close` flushes what is left.
 *
 * What a crash loses is at most one interval's counts of this node. Registrations are this node's
 * own (each node's edge holds its own phones): with several nodes, an hour's stored peak is the
 * largest node's peak, not their sum.
 */
export class UsageCounter {
  readonly #write: (rows: readonly ScopedUsageHour[]) => Promise<void>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #liveRegistrations: UsageCounterOptions['liveRegistrations'];
  readonly #storedBytes: UsageCounterOptions['storedBytes'];
  readonly #log: (line: string) => void;
  readonly #inOwnContext: <T>(fn: () => T) => T;
  #pending = new Map<string, { tenantId: string; hour: string; c: UsageCounts }>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #storageHour: string | undefined;
  /** Registrations already sampled in this UTC hour: a flush writes a sample only when it is higher. */
  #sampled = { hour: '', peaks: new Map<string, number>() };

  constructor(write: (rows: readonly ScopedUsageHour[]) => Promise<void>, options: UsageCounterOptions = {}) {
    this.#write = write;
    this.#intervalMs = options.intervalMs ?? DEFAULT_USAGE_FLUSH_MS;
    this.#now = options.now ?? Date.now;
    this.#liveRegistrations = options.liveRegistrations;
    this.#storedBytes = options.storedBytes;
    this.#log = options.log ?? (() => {});
    // Flushes run outside any caller's store transaction (as CallRecordWriter's batches do).
    const resource = new AsyncResource('UsageCounter');
    this.#inOwnContext = (fn) => resource.runInAsyncScope(fn);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = this.#inOwnContext(() => setInterval(() => void this.flush(), this.#intervalMs));
    this.#timer.unref();
  }

  /** One SIP MESSAGE routed to a registered phone. */
  message(tenantId: string): void {
    this.#slot(tenantId).messages++;
  }

  /** One request or MESSAGE refused because the tenant was at `limit`. */
  refused(tenantId: string, limit: CountedRefusal): void {
    this.#slot(tenantId)[REFUSAL_FIELD[limit]]++;
  }

  registrations(tenantId: string, before: number, after: number): void {
    const c = this.#slot(tenantId);
    c.peakRegistrations = Math.max(c.peakRegistrations, before, after);
  }

  storage(tenantId: string, before: number, after: number): void {
    const c = this.#slot(tenantId);
    c.peakStorageBytes = Math.max(c.peakStorageBytes, before, after);
  }

  /** Writes what was counted so far; concurrent calls share one flush, and one started after it. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#inOwnContext(() => this.#flushOnce()).finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #hour = { start: 0, end: 0, iso: '' };

  /** The current UTC hour as rollup text, formatted once per hour rather than once per count. */
  #currentHour(): string {
    const now = this.#now();
    if (now < this.#hour.start || now >= this.#hour.end) {
      const start = Math.floor(now / HOUR_MS) * HOUR_MS;
      this.#hour = { start, end: start + HOUR_MS, iso: rollupHour(new Date(start).toISOString()) };
    }
    return this.#hour.iso;
  }

  #slot(tenantId: string, hour = this.#currentHour()): UsageCounts {
    const key = `${hour}\n${tenantId}`;
    let held = this.#pending.get(key);
    if (!held) this.#pending.set(key, (held = { tenantId, hour, c: zero() }));
    return held.c;
  }

  async #flushOnce(): Promise<void> {
    const hour = this.#currentHour();
    if (this.#sampled.hour !== hour) this.#sampled = { hour, peaks: new Map() };
    for (const [tenantId, n] of this.#liveRegistrations?.() ?? []) {
      if (n <= (this.#sampled.peaks.get(tenantId) ?? 0)) continue;
      this.#sampled.peaks.set(tenantId, n);
      this.registrations(tenantId, n, n);
    }
    if (this.#storedBytes && this.#storageHour !== hour) {
      try {
        for (const { tenantId, bytes } of await this.#storedBytes()) this.storage(tenantId, bytes, bytes);
        this.#storageHour = hour;
      } catch (error) {
        this.#log(`usage: stored bytes not read: ${message(error)}`);
      }
    }
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    const rows = batch.map(({ tenantId, hour: h, c }): ScopedUsageHour => ({ scope: systemScope('usage counter', tenantId), hour: h, counts: c }));
    try {
      await this.#write(rows);
    } catch {
      // One tenant deleted meanwhile fails the batch: write each row alone, so only its figures are lost.
      for (const row of rows) {
        await this.#write([row]).catch((error: unknown) => this.#log(`usage: figures of ${row.scope.tenantId} for ${row.hour} not stored: ${message(error)}`));
      }
    }
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
