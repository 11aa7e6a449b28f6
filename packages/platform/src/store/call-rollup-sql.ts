import type { CallCounts, CallDisposition, CallHour, CallRow } from './types';

/** The UTC hour a call counts in: the hour it started (ISO text, so the rollups compare as text with the calls). */
export const rollupHour = (startedAt: string): string => `${new Date(startedAt).toISOString().slice(0, 13)}:00:00.000Z`;

const MISSED: ReadonlySet<CallDisposition> = new Set(['no_answer', 'busy', 'cancelled']);
const FAILED: ReadonlySet<CallDisposition> = new Set(['failed', 'rejected', 'limit']);

/** What one call record adds to its hour's rollup. */
export function rollupIncrement(row: Pick<CallRow, 'disposition' | 'durationSeconds'>): CallCounts {
  return {
    calls: 1,
    answered: row.disposition === 'answered' ? 1 : 0,
    missed: MISSED.has(row.disposition) ? 1 : 0,
    failed: FAILED.has(row.disposition) ? 1 : 0,
    refusedChannels: row.disposition === 'limit' ? 1 : 0,
    durationSeconds: row.durationSeconds,
  };
}

/** The rollup columns summed, for SELECTs over call_rollups (same SQL on SQLite and PostgreSQL). */
export const SUMMED_ROLLUP_COLUMNS = `SUM(calls) AS calls, SUM(answered) AS answered, SUM(missed) AS missed, SUM(failed) AS failed,
  SUM(refused_channels) AS refused_channels, SUM(duration_seconds) AS duration_seconds`;

export interface RollupRow {
  hour?: string;
  tenant_id?: string;
  calls: number | string | bigint;
  answered: number | string | bigint;
  missed: number | string | bigint;
  failed: number | string | bigint;
  refused_channels: number | string | bigint;
  duration_seconds: number | string | bigint;
}

/** PostgreSQL's SUM answers bigint (as text through pg); the figures stay far below 2^53. */
export function toCounts(r: RollupRow): CallCounts {
  return {
    calls: Number(r.calls),
    answered: Number(r.answered),
    missed: Number(r.missed),
    failed: Number(r.failed),
    refusedChannels: Number(r.refused_channels),
    durationSeconds: Number(r.duration_seconds),
  };
}

export const toCallHour = (r: RollupRow): CallHour => ({ hour: String(r.hour), ...toCounts(r) });

export interface StatusCount {
  status: string;
  n: number | string | bigint;
}

export const byStatus = (rows: readonly StatusCount[]): Record<string, number> => Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));

/** Attempts without a 2xx answer (refused, timed out, or any other status). */
export const FAILED_ATTEMPTS = 'SUM(CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END)';
