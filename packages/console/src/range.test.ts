import { describe, expect, it } from 'vitest';
import { isWholeHourZone, rangeFor, RANGES, timeZones } from './range';

const HOUR = 3_600_000;

describe('the console time range', () => {
  it('ends at the next whole hour, so the current hour is in it, and spans the chosen hours', () => {
    const now = Date.parse('2026-03-29T10:17:00Z');
    const week = RANGES.find((r) => r.id === '7d')!;
    expect(rangeFor(week, 'Europe/Paris', now)).toEqual({ from: '2026-03-22T11:00:00.000Z', to: '2026-03-29T11:00:00.000Z', interval: 'hour', tz: 'Europe/Paris' });
    // On the hour exactly, that hour has begun: it is included too.
    expect(rangeFor(week, 'UTC', Date.parse('2026-03-29T10:00:00Z')).to).toBe('2026-03-29T11:00:00.000Z');
  });

  it('keeps every choice within what the analytics API accepts for its interval', () => {
    const limits = { hour: 31 * 24, day: 400 * 24, month: 3660 * 24 };
    for (const choice of RANGES) {
      const r = rangeFor(choice, 'UTC', Date.parse('2026-12-01T04:30:00Z'));
      const hours = (Date.parse(r.to) - Date.parse(r.from)) / HOUR;
      expect(Number.isInteger(hours) && hours <= limits[r.interval], choice.id).toBe(true);
    }
  });

  it('offers only zones whose offset is whole hours, as the platform refuses the others', () => {
    expect(isWholeHourZone('Europe/Paris')).toBe(true);
    expect(isWholeHourZone('America/New_York')).toBe(true);
    expect(isWholeHourZone('Asia/Kolkata')).toBe(false);
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Paris');
    expect(zones).not.toContain('Asia/Kolkata');
  });
});
