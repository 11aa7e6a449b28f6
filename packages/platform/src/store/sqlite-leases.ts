import type Database from 'better-sqlite3';
import type { Leases } from './lease-types';
import type { Synchronous } from './sqlite-async';

/** The synchronous store's leases and rate events: the same statements as store/kysely/leases.ts. */
export function sqliteLeases(db: Database.Database): Synchronous<Leases> {
  return {
    jobs: {
      acquire(name, owner, now, until) {
        const row = db
          .prepare(
            `INSERT INTO job_leases (name, owner, leased_until) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, leased_until = excluded.leased_until
             WHERE job_leases.leased_until <= ? OR job_leases.owner = excluded.owner RETURNING owner`,
          )
          .get(name, owner, until, now) as { owner: string } | undefined;
        return row?.owner === owner;
      },
      release(name, owner) {
        db.prepare('DELETE FROM job_leases WHERE name = ? AND owner = ?').run(name, owner);
      },
    },
    // One write transaction at a time (BEGIN IMMEDIATE): counts and inserts are serial already.
    lockTenant() {},
    rates: {
      take(bucket, id, nowMs, windowMs, max) {
        return db.transaction(() => {
          const times = db.prepare('SELECT at_ms FROM rate_events WHERE bucket = ? AND at_ms > ? ORDER BY at_ms DESC LIMIT ?').all(bucket, nowMs - windowMs, max) as { at_ms: number }[];
          if (times.length >= max) return Math.max(1, Number(times.at(-1)!.at_ms) + windowMs - nowMs);
          db.prepare('INSERT INTO rate_events (id, bucket, at_ms) VALUES (?, ?, ?)').run(id, bucket, nowMs);
          return 0;
        })();
      },
      remove(id) {
        db.prepare('DELETE FROM rate_events WHERE id = ?').run(id);
      },
      purgeUpTo(atMs) {
        return db.prepare('DELETE FROM rate_events WHERE at_ms <= ?').run(atMs).changes;
      },
    },
  };
}
