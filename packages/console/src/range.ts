// Time ranges the analytics API accepts: whole hours (figures are kept per UTC hour), bucketed
// by hour for short ranges and by day for long ones, in a zone whose offset is whole hours.
import type { AnalyticsInterval } from '@highrise/sdk';

const HOUR_MS = 3_600_000;

export interface RangeChoice {
  id: string;
  label: string;
  hours: number;
  interval: AnalyticsInterval;
}

export const RANGES: readonly RangeChoice[] = [
  { id: '24h', label: 'Last 24 hours', hours: 24, interval: 'hour' },
  { id: '7d', label: 'Last 7 days', hours: 7 * 24, interval: 'hour' },
  { id: '30d', label: 'Last 30 days', hours: 30 * 24, interval: 'day' },
  { id: '90d', label: 'Last 90 days', hours: 90 * 24, interval: 'day' },
];

export interface Range {
  from: string;
  to: string;
  interval: AnalyticsInterval;
  tz: string;
}

/** The chosen range ending at the next whole hour, so the current hour's calls are included. */
export function rangeFor(choice: RangeChoice, tz: string, now = Date.now()): Range {
  const to = Math.ceil((now + 1) / HOUR_MS) * HOUR_MS;
  return { from: new Date(to - choice.hours * HOUR_MS).toISOString(), to: new Date(to).toISOString(), interval: choice.interval, tz };
}

/** Minutes east of UTC for `tz` at `at`, from Intl (never a table that goes stale). */
function offsetMinutes(tz: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The platform refuses zones such as Asia/Kolkata (half-hour offsets); the picker leaves them out. */
export function isWholeHourZone(tz: string, at = new Date()): boolean {
  return offsetMinutes(tz, at) % 60 === 0;
}

export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((tz) => tz !== 'UTC' && isWholeHourZone(tz))];
}

export function defaultTimeZone(): string {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return local && isWholeHourZone(local) ? local : 'UTC';
}
