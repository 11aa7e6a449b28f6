import { InvalidQuery } from './errors';

export type Interval = 'hour' | 'day' | 'month';

export interface Bucket {
  /** First UTC hour of the bucket inside the range (ISO). */
  start: string;
  /** First UTC hour after it (ISO). */
  end: string;
  /** The bucket as the caller's calendar names it: `2026-03-29`, `2026-03`, `2026-03-29T02:00+02:00`. */
  label: string;
}

const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock date, hour and UTC offset of an instant in `tz`, from Intl (never a fixed offset: DST moves it). */
export function localHour(instant: number, tz: string): { date: string; month: string; hour: string; offset: string } {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(tz).formatToParts(instant)) parts[p.type] = p.value;
  // `longOffset` is "GMT" for UTC itself and "GMT+05:30" elsewhere.
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : (parts.timeZoneName ?? 'GMT+00:00').slice(3);
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, month: `${parts.year}-${parts.month}`, hour: `${date}T${parts.hour}:00${offset}`, offset };
}

/**
 * The buckets of [from, to) in `tz`, walking the range an hour at a time: each UTC hour lands in the
 * local day (or month, or hour) its start falls on, so a spring-forward day gets 23 hours and an
 * autumn one 25, as the zone's rules say. Figures are kept per UTC hour, so a zone whose offset is
 * not a whole number of hours (Asia/Kolkata) cannot be bucketed exactly and is refused.
 */
export function bucketsOf(from: Date, to: Date, interval: Interval, tz: string): Bucket[] {
  const buckets: Bucket[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += HOUR_MS) {
    const local = localHour(t, tz);
    if (!local.offset.endsWith(':00')) throw new InvalidQuery('tz', `offset ${local.offset} is not a whole number of hours; figures are kept per hour`);
    const label = interval === 'hour' ? local.hour : interval === 'day' ? local.date : local.month;
    const last = buckets.at(-1);
    const end = new Date(t + HOUR_MS).toISOString();
    if (last && last.label === label) last.end = end;
    else buckets.push({ start: new Date(t).toISOString(), end, label });
  }
  return buckets;
}
