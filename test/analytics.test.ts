// The analytics API (issue 12) against a recount from the raw call records, read back through the
// calls API: every figure of every bucket, in Europe/Paris across both DST changes of 2026 and a
// call spanning midnight; who may read what (403 / 404 per principal); CSV; bad input.
// Call records are written through the platform's store on the same database, exactly as the SIP
// edge writes them when a call ends (hours and days in the past cannot be made with live calls).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsFigures, AnalyticsSummary, Call, Highrise } from '@highrise/sdk';
import { expectApiError, openPlatformStore, startTestPlatform, type TestPlatform, type TestTenant } from './support/platform';
import { systemScope } from '@highrise/platform';

const TZ = 'Europe/Paris';
const HOUR = 3_600_000;
// Paris midnight of 27 March 2026 (UTC+1) to midnight of 2 April (UTC+2): 29 March has 23 hours.
const SPRING = { from: '2026-03-26T23:00:00.000Z', to: '2026-04-01T22:00:00.000Z' };
// Paris midnight of 24 October 2026 (UTC+2) to midnight of 27 October (UTC+1): 25 October has 25 hours.
const AUTUMN = { from: '2026-10-23T22:00:00.000Z', to: '2026-10-26T23:00:00.000Z' };
const DISPOSITIONS = ['answered', 'answered', 'answered', 'no_answer', 'busy', 'failed', 'cancelled', 'limit', 'rejected'] as const;

let hp: TestPlatform;
let paris: TestTenant;
let other: TestTenant;
let resold: TestTenant;
let resellerKey: string;
let userKey: string;
let seq = 0;

interface SeedCall {
  startedAt: number;
  ringSeconds: number;
  talkSeconds: number;
  disposition: (typeof DISPOSITIONS)[number];
}

/** A deterministic spread of calls over [from, to): some overlapping, of every outcome. */
function spread(from: string, to: string, count: number, salt: number): SeedCall[] {
  const start = Date.parse(from);
  const span = Date.parse(to) - start;
  let x = salt;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => {
    const disposition = DISPOSITIONS[Math.floor(next() * DISPOSITIONS.length)]!;
    return { startedAt: start + Math.floor(next() * span), ringSeconds: 1 + Math.floor(next() * 20), talkSeconds: disposition === 'answered' ? Math.floor(next() * 1800) : 0, disposition };
  });
}

/** Writes call records as the SIP edge does when calls end. */
async function record(tenantId: string, calls: readonly SeedCall[]): Promise<void> {
  const store = await openPlatformStore(hp);
  try {
    for (const c of calls) {
      const answeredAt = c.disposition === 'answered' ? c.startedAt + c.ringSeconds * 1000 : null;
      const endedAt = (answeredAt ?? c.startedAt + c.ringSeconds * 1000) + c.talkSeconds * 1000;
      await store.tenant(systemScope('test fixture', tenantId)).calls.insert({
        id: `cal_${String(endedAt).padStart(16, '0')}${String(++seq).padStart(10, '0')}`,
        callId: `analytics-${seq}`,
        from: '101',
        to: '102',
        direction: 'internal',
        startedAt: new Date(c.startedAt).toISOString(),
        answeredAt: answeredAt === null ? null : new Date(answeredAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationSeconds: c.talkSeconds,
        disposition: c.disposition,
        sipStatus: null,
      });
    }
  } finally {
    await store.close();
  }
}

async function rawCalls(client: Highrise, tenantId: string): Promise<Call[]> {
  const out: Call[] = [];
  for await (const call of client.tenant(tenantId).calls.list({ limit: 100 })) out.push(call);
  return out;
}

const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The figures recounted from raw records, independently of the platform's rollups. */
function recount(calls: readonly Call[], start: number, end: number, withPeak: boolean): AnalyticsFigures {
  const inside = calls.filter((c) => Date.parse(c.startedAt) >= start && Date.parse(c.startedAt) < end);
  const n = (d: readonly string[]) => inside.filter((c) => d.includes(c.disposition)).length;
  const answered = n(['answered']);
  const durationSeconds = inside.reduce((s, c) => s + c.durationSeconds, 0);
  // Peak: at each instant a call starts (and the bucket's start), how many calls are in progress.
  let peak = 0;
  for (const t of [start, ...calls.map((c) => Date.parse(c.startedAt)).filter((t) => t >= start && t < end)]) {
    peak = Math.max(peak, calls.filter((c) => Date.parse(c.startedAt) <= t && Date.parse(c.endedAt) > t).length);
  }
  return {
    calls: inside.length,
    answered,
    missed: n(['no_answer', 'busy', 'cancelled']),
    failed: n(['failed', 'rejected', 'limit']),
    refusedByChannelLimit: n(['limit']),
    durationSeconds,
    minutes: Math.round((durationSeconds / 60) * 100) / 100,
    answerSeizureRatio: inside.length === 0 ? null : Math.round((answered / inside.length) * 10_000) / 10_000,
    averageCallDurationSeconds: answered === 0 ? null : Math.round((durationSeconds / answered) * 100) / 100,
    peakChannels: withPeak ? peak : null,
  };
}

const figures = (f: AnalyticsFigures): AnalyticsFigures => ({
  calls: f.calls,
  answered: f.answered,
  missed: f.missed,
  failed: f.failed,
  refusedByChannelLimit: f.refusedByChannelLimit,
  durationSeconds: f.durationSeconds,
  minutes: f.minutes,
  answerSeizureRatio: f.answerSeizureRatio,
  averageCallDurationSeconds: f.averageCallDurationSeconds,
  peakChannels: f.peakChannels,
});

/** Every bucket and the totals of `summary` equal the recount; day labels are Paris dates of each bucket's start. */
function expectRecount(summary: AnalyticsSummary, calls: readonly Call[], withPeak: boolean) {
  for (const b of summary.buckets) {
    expect(figures(b), `bucket ${b.label}`).toEqual(recount(calls, Date.parse(b.start), Date.parse(b.end), withPeak));
  }
  expect(figures(summary.totals)).toEqual(recount(calls, Date.parse(summary.from), Date.parse(summary.to), withPeak));
}

beforeAll(async () => {
  hp = await startTestPlatform('analytics');
  paris = await hp.createTenant('paris', 'Paris SARL');
  other = await hp.createTenant('other', 'Other GmbH');
  const reseller = await hp.provider.resellers.create({ name: 'Analytics Reseller' });
  resellerKey = (await hp.provider.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId: reseller.id })).secret;
  const created = await hp.client(resellerKey).tenants.create({ name: 'Resold Ltd', slug: 'resold', admin: { email: 'a@resold.test', name: 'A' } });
  resold = { created, admin: hp.client(created.adminKey!.secret) };
  await paris.admin.tenant(paris.created.tenant.id).extensions.create({ number: '101', displayName: 'Alice' });
  userKey = (await paris.admin.tenant(paris.created.tenant.id).apiKeys.create({ name: 'alice', extension: '101' })).secret;

  const midnight = Date.parse('2026-03-27T23:00:00.000Z'); // 00:00 on 28 March in Paris
  await record(paris.created.tenant.id, [
    ...spread(SPRING.from, SPRING.to, 400, 7),
    ...spread(AUTUMN.from, AUTUMN.to, 300, 11),
    // 23:50 to 00:20 Paris: counted on the day it started, holding a channel on both.
    { startedAt: midnight - 10 * 60_000, ringSeconds: 5, talkSeconds: 30 * 60, disposition: 'answered' },
  ]);
  await record(other.created.tenant.id, spread(SPRING.from, SPRING.to, 150, 13));
  await record(resold.created.tenant.id, spread(SPRING.from, SPRING.to, 50, 17));
}, 120_000);

afterAll(async () => {
  await hp?.close();
});

describe('one tenant, by day in Europe/Paris', () => {
  it('equals a recount of the raw records on every day, the 23-hour DST day and a call across midnight included', async () => {
    const id = paris.created.tenant.id;
    const summary = await paris.admin.tenant(id).analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    expect(summary.buckets.map((b) => b.label)).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01']);
    const hours = (label: string) => {
      const b = summary.buckets.find((x) => x.label === label)!;
      return (Date.parse(b.end) - Date.parse(b.start)) / HOUR;
    };
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-03-28')).toBe(24);
    for (const b of summary.buckets) expect(parisDay.format(Date.parse(b.start))).toBe(b.label);
    const calls = await rawCalls(paris.admin, id);
    expect(summary.totals.calls).toBeGreaterThan(300);
    expectRecount(summary, calls, true);
    // The call across midnight holds a channel on the 28th too, though it counts on the 27th.
    expect(summary.buckets[1]!.peakChannels).toBeGreaterThanOrEqual(1);
    expect(summary.current).toEqual({ registrations: 0, channels: 0, storageBytes: 0 });
  });

  it('gives the autumn DST day 25 hours and still equals the recount, by day and by hour', async () => {
    const id = paris.created.tenant.id;
    const byDay = await hp.provider.tenant(id).analytics.summary({ ...AUTUMN, interval: 'day', tz: TZ });
    expect(byDay.buckets.map((b) => [b.label, (Date.parse(b.end) - Date.parse(b.start)) / HOUR])).toEqual([
      ['2026-10-24', 24],
      ['2026-10-25', 25],
      ['2026-10-26', 24],
    ]);
    const calls = await rawCalls(hp.provider, id);
    expectRecount(byDay, calls, true);
    const byHour = await hp.provider.tenant(id).analytics.summary({ ...AUTUMN, interval: 'hour', tz: TZ });
    expect(byHour.buckets).toHaveLength(73);
    // 02:00 happens twice on 25 October: once at +02:00, once at +01:00.
    expect(byHour.buckets.filter((b) => b.label.startsWith('2026-10-25T02:00')).map((b) => b.label)).toEqual(['2026-10-25T02:00+02:00', '2026-10-25T02:00+01:00']);
    expectRecount(byHour, calls, true);
  });

  it('by month, in another zone, still adds up', async () => {
    const id = paris.created.tenant.id;
    const summary = await paris.admin.tenant(id).analytics.summary({ from: '2026-01-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', interval: 'month', tz: 'UTC' });
    expect(summary.buckets.map((b) => b.label)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expectRecount(summary, await rawCalls(paris.admin, id), true);
  });

  it('counts a record written after a summary was read (a late record) in its own hour', async () => {
    const id = other.created.tenant.id;
    const before = await hp.provider.tenant(id).analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    await record(id, [{ startedAt: Date.parse('2026-03-29T09:30:00.000Z'), ringSeconds: 3, talkSeconds: 61, disposition: 'answered' }]);
    const after = await hp.provider.tenant(id).analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    expect(after.totals.calls).toBe(before.totals.calls + 1);
    expect(after.buckets.find((b) => b.label === '2026-03-29')!.durationSeconds).toBe(before.buckets.find((b) => b.label === '2026-03-29')!.durationSeconds + 61);
    expectRecount(after, await rawCalls(hp.provider, id), true);
  });
});

describe('across tenants', () => {
  it('the provider sums every tenant, equal to the recount of all their records', async () => {
    const summary = await hp.provider.analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    const all = [
      ...(await rawCalls(hp.provider, paris.created.tenant.id)),
      ...(await rawCalls(hp.provider, other.created.tenant.id)),
      ...(await rawCalls(hp.provider, resold.created.tenant.id)),
    ];
    expect(summary.tenantId).toBeNull();
    expectRecount(summary, all, false);
  });

  it('a reseller sums its own tenants only', async () => {
    const summary = await hp.client(resellerKey).analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    expectRecount(summary, await rawCalls(hp.provider, resold.created.tenant.id), false);
    expect(summary.totals.calls).toBe(50);
  });

  it('lists one row per tenant, sorted by calls, paged with for-await', async () => {
    const rows = [];
    for await (const row of hp.provider.analytics.tenants({ ...SPRING, sort: 'calls', order: 'desc', limit: 1 })) rows.push(row);
    expect(rows.map((r) => r.tenantId)).toEqual([paris.created.tenant.id, other.created.tenant.id, resold.created.tenant.id]);
    const parisRow = rows[0]!;
    const parisCalls = await rawCalls(hp.provider, paris.created.tenant.id);
    expect(figures(parisRow.totals)).toEqual({ ...recount(parisCalls, Date.parse(SPRING.from), Date.parse(SPRING.to), false) });
    expect(parisRow.usage.extensions).toEqual({ used: 1, limit: paris.created.tenant.limits.extensions });
    expect(parisRow.usage.channels.limit).toBe(paris.created.tenant.limits.channels);

    const byName = await hp.provider.analytics.tenants({ ...SPRING, sort: 'name', order: 'asc' });
    expect(byName.data.map((r) => r.name)).toEqual(['Other GmbH', 'Paris SARL', 'Resold Ltd']);
    const resellers = await hp.client(resellerKey).analytics.tenants({ ...SPRING });
    expect(resellers.data.map((r) => r.tenantId)).toEqual([resold.created.tenant.id]);
  });
});

describe('who may read', () => {
  it('a tenant admin reads its own, a foreign tenant is 404, an end user and the platform-wide routes are 403', async () => {
    const parisId = paris.created.tenant.id;
    expect((await paris.admin.tenant(parisId).analytics.summary()).tenantId).toBe(parisId);
    expect((await expectApiError(paris.admin.tenant(other.created.tenant.id).analytics.summary())).status).toBe(404);
    expect((await expectApiError(hp.client(resellerKey).tenant(parisId).analytics.summary())).status).toBe(404);
    const user = await expectApiError(hp.client(userKey).tenant(parisId).analytics.summary());
    expect([user.status, user.code]).toEqual([403, 'permission_denied']);
    expect((await expectApiError(paris.admin.analytics.summary())).status).toBe(403);
    expect((await expectApiError(paris.admin.analytics.tenants())).status).toBe(403);
    expect((await expectApiError(hp.client(userKey).analytics.summary())).status).toBe(403);
  });
});

describe('CSV', () => {
  it('answers text/csv with one line per bucket and the totals, the same figures as JSON', async () => {
    const id = paris.created.tenant.id;
    const query = new URLSearchParams({ ...SPRING, interval: 'day', tz: TZ });
    const res = await fetch(`${hp.platform.url}/v1/tenants/${id}/analytics/summary?${query}`, { headers: { Authorization: `Bearer ${paris.created.adminKey!.secret}`, Accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n').map((l) => l.split(','));
    const json = await paris.admin.tenant(id).analytics.summary({ ...SPRING, interval: 'day', tz: TZ });
    expect(lines[0]).toEqual(['start', 'end', 'label', 'calls', 'answered', 'missed', 'failed', 'refusedByChannelLimit', 'durationSeconds', 'minutes', 'answerSeizureRatio', 'averageCallDurationSeconds', 'peakChannels',
      // Added by the usage rollups (0019), after the call columns so their positions hold.
      'messages', 'peakRegistrations', 'peakStorageBytes', 'refusedChannels', 'refusedMessages', 'refusedExtensions', 'refusedStorage']);
    expect(lines).toHaveLength(json.buckets.length + 2);
    for (const [i, b] of json.buckets.entries()) {
      expect(lines[i + 1]!.slice(0, 5)).toEqual([b.start, b.end, b.label, String(b.calls), String(b.answered)]);
      expect(Number(lines[i + 1]![9])).toBe(b.minutes);
    }
    expect(lines.at(-1)!.slice(2, 4)).toEqual(['total', String(json.totals.calls)]);

    const tenants = await fetch(`${hp.platform.url}/v1/analytics/tenants?sort=name&order=asc`, { headers: { Authorization: `Bearer ${hp.bootstrapKey}`, Accept: 'text/csv' } });
    const rows = (await tenants.text()).trimEnd().split('\r\n');
    expect(rows.slice(1).map((r) => r.split(',')[1])).toEqual(['Other GmbH', 'Paris SARL', 'Resold Ltd']);
  });
});

describe('bad input', () => {
  const ask = async (query: Record<string, string>) => {
    const res = await fetch(`${hp.platform.url}/v1/analytics/summary?${new URLSearchParams(query)}`, { headers: { Authorization: `Bearer ${hp.bootstrapKey}` } });
    const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
    return { status: res.status, code: body.error?.code, fields: body.error?.details.map((d) => d.field) };
  };

  it.each([
    [{ tz: 'Mars/Olympus_Mons' }, 'query.tz'],
    [{ interval: 'week' }, 'query.interval'],
    [{ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'query.to'],
    [{ from: '2026-03-01T00:30:00Z', to: '2026-03-02T00:00:00Z' }, 'query.from'],
    [{ from: 'yesterday', to: '2026-03-02T00:00:00Z' }, 'query.from'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', interval: 'hour' }, 'query.from'],
    [{ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', tz: 'Asia/Kolkata' }, 'query.tz'],
  ])('%j is a 400 naming %s', async (query, field) => {
    expect(await ask(query)).toEqual({ status: 400, code: 'validation_error', fields: [field] });
  });
});
