/**
 * Storage contract of the work several nodes share (docs/decisions/2026-12-01-leasing.md), beside
 * types.ts like the webhook one: types.ts mounts `Leases` on `Store` as `leases`.
 */
import type { TenantScope } from './tenant-scope';

/** Periodic jobs (the porting automation, cleanup): whoever holds a job's lease runs its tick. */
export interface JobLeases {
  /**
   * Takes `name` for `owner` until `until` (ISO) when nobody holds it or its lease ran out at `now`,
   * or renews it when `owner` holds it already. True when `owner` holds it afterwards.
   */
  acquire(name: string, owner: string, now: string, until: string): Promise<boolean>;
  /** Gives the lease up early (a tick that finished), so the next tick is not kept waiting. */
  release(name: string, owner: string): Promise<void>;
}

/** Sliding-window counters every node sees: one row per counted event. */
export interface RateEvents {
  /**
   * Counts an event of `bucket` at `nowMs` unless `max` events of it already fall in the window
   * `(nowMs - windowMs, nowMs]`; returns 0 when counted (under `id`, which `remove` takes back), else
   * the milliseconds until the oldest of them leaves the window. Check and count are one step: on
   * PostgreSQL under a per-bucket transaction lock, so parallel requests on several nodes cannot
   * all pass a check made before any of them counted.
   */
  take(bucket: string, id: string, nowMs: number, windowMs: number, max: number): Promise<number>;
  remove(id: string): Promise<void>;
  /** Deletes events at or before `atMs` (out of every window); returns how many went. */
  purgeUpTo(atMs: number): Promise<number>;
}

export interface Leases {
  jobs: JobLeases;
  rates: RateEvents;
  /**
   * Inside a transaction, locks the tenant's row until it ends (PostgreSQL `SELECT … FOR UPDATE`),
   * so transactions that count a tenant's rows and insert one under its cap run one after another
   * on every node. SQLite runs one write transaction at a time already: nothing to do.
   */
  lockTenant(scope: TenantScope): Promise<void>;
}
