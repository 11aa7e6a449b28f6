// The usage figures of the analytics API (issue 12, migration 0019): SIP MESSAGEs routed, refusals
// by limit, peak registrations and peak stored bytes, produced for real (sip.js phones through the
// edge, API calls refused at their limits, a logo upload) and compared with a recount of what this
// test did, in Europe/Paris by day and by hour, on SQLite and PostgreSQL. Hours on the DST day of
// 25 October 2026 cannot be produced live: they are written as a platform node's flush writes them
// (two flushes of one hour, as two nodes would) and must land in the right Paris buckets.
import { systemScope } from '@highrise/platform';
import type { AnalyticsFigures, AnalyticsSummary, Highrise } from '@highrise/sdk';
import { Messager, UserAgent } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectApiError, openPlatformStore, startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, type NodePhone } from './support/sip-node';
import { api, createExtension, type ProvisionedTenant } from './support/sip-provision';

const TZ = 'Europe/Paris';
const HOUR = 3_600_000;
/** A PNG signature and filler: the logo checks read the signature only. */
const pngOfSize = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 7)]).toString('base64');

/** What the test did, at one instant: the recount's raw material. */
interface Done {
  at: number;
  messages?: number;
  refusals?: Partial<Record<'channels' | 'messages' | 'extensions' | 'storage', number>>;
  peakRegistrations?: number;
  peakStorageBytes?: number;
}

type Usage = Pick<AnalyticsFigures, 'messages' | 'refusals' | 'peakRegistrations' | 'peakStorageBytes'>;

function recount(done: readonly Done[], start: number, end: number, oneTenant: boolean): Usage {
  const inside = done.filter((d) => d.at >= start && d.at < end);
  const sum = (k: 'channels' | 'messages' | 'extensions' | 'storage') => inside.reduce((s, d) => s + (d.refusals?.[k] ?? 0), 0);
  const max = (k: 'peakRegistrations' | 'peakStorageBytes') => inside.reduce((m, d) => Math.max(m, d[k] ?? 0), 0);
  return {
    messages: inside.reduce((s, d) => s + (d.messages ?? 0), 0),
    refusals: { channels: sum('channels'), messages: sum('messages'), extensions: sum('extensions'), storage: sum('storage') },
    peakRegistrations: oneTenant ? max('peakRegistrations') : null,
    peakStorageBytes: oneTenant ? max('peakStorageBytes') : null,
  };
}

const usageOf = (f: AnalyticsFigures): Usage => ({ messages: f.messages, refusals: f.refusals, peakRegistrations: f.peakRegistrations, peakStorageBytes: f.peakStorageBytes });

function expectRecount(summary: AnalyticsSummary, done: readonly Done[], oneTenant: boolean): void {
  for (const b of summary.buckets) expect(usageOf(b), `bucket ${b.label}`).toEqual(recount(done, Date.parse(b.start), Date.parse(b.end), oneTenant));
  expect(usageOf(summary.totals), 'totals').toEqual(recount(done, Date.parse(summary.from), Date.parse(summary.to), oneTenant));
}

let tp: TestPlatform;
let hr: Highrise;
const phones: NodePhone[] = [];

beforeAll(async () => {
  // A short flush interval; the summaries also flush this node's counts before they read.
  tp = await startTestPlatform('usage-analytics', { usageFlushMs: 200 });
  hr = tp.provider;
});

afterAll(async () => {
  await Promise.all(phones.splice(0).map((p) => p.stop()));
  await tp?.close();
});

const passwordOf = (tenant: ProvisionedTenant, number: string) => `usage-test-${tenant.slug}-${number}`;

async function tenantWith(slug: string, limits: Record<string, number>, numbers: readonly string[]): Promise<ProvisionedTenant> {
  const { tenant } = await api<{ tenant: ProvisionedTenant }>(tp.platform.url, tp.bootstrapKey, 'POST', '/v1/tenants', { name: slug, slug, limits });
  for (const n of numbers) await createExtension(tp.platform.url, tp.bootstrapKey, tenant.id, n, passwordOf(tenant, n));
  return tenant;
}

async function registered(tenant: ProvisionedTenant, number: string): Promise<NodePhone> {
  const phone = createNodePhone({ wsUrl: tp.platform.wsUrl, domain: tenant.sipDomain, number, password: passwordOf(tenant, number) });
  phones.push(phone);
  await phone.start();
  await phone.register();
  return phone;
}

function sendMessage(phone: NodePhone, target: string, body: string): Promise<number> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  return new Promise<number>((resolve, reject) => {
    new Messager(phone.userAgent, uri, body)
      .message({
        requestDelegate: {
          onAccept: (response) => resolve(response.message.statusCode ?? 0),
          onReject: (response) => resolve(response.message.statusCode ?? 0),
        },
      })
      .catch(reject);
  });
}

async function refusedExtension(tenant: ProvisionedTenant, number: string): Promise<void> {
  const error = await expectApiError(hr.tenant(tenant.id).extensions.create({ number, displayName: number }));
  expect([error.status, error.code]).toEqual([422, 'limit_exceeded']);
}

describe('usage figures', () => {
  let a: ProvisionedTenant;
  let b: ProvisionedTenant;
  const doneA: Done[] = [];
  const doneB: Done[] = [];

  beforeAll(async () => {
    // A: no channel (every call refused), 4 messages a minute, 3 extensions, 150 KB of storage.
    a = await tenantWith('usage-a', { channels: 0, messagesPerMinute: 4, extensions: 3, storageBytes: 150 * 1024 }, ['101', '102', '103']);
    // B, the other side of the wall: its own messages and refusals must never show in A's figures.
    b = await tenantWith('usage-b', { messagesPerMinute: 1, extensions: 2 }, ['201', '202']);

    // A: two refused extension creations.
    await refusedExtension(a, '104');
    await refusedExtension(a, '105');
    doneA.push({ at: Date.now(), refusals: { extensions: 2 } });

    // A: three phones registered at once, then one gone.
    const [p101, p102, p103] = [await registered(a, '101'), await registered(a, '102'), await registered(a, '103')];
    doneA.push({ at: Date.now(), peakRegistrations: 3 });
    await p103!.stop();

    // A: three MESSAGEs routed to 102, one to a number nobody holds (counted in the minute, not routed), one over the limit.
    for (let i = 0; i < 3; i++) expect(await sendMessage(p101!, `sip:102@${a.sipDomain}`, `hello ${i}`)).toBe(200);
    expect(await sendMessage(p101!, `sip:109@${a.sipDomain}`, 'nobody')).toBe(404);
    expect(await sendMessage(p101!, `sip:102@${a.sipDomain}`, 'one too many')).toBe(403);
    expect(p102!.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(3);
    doneA.push({ at: Date.now(), messages: 3, refusals: { messages: 1 } });

    // A: a call refused at the channel limit (recorded as a call with disposition `limit`).
    expect(await p101!.call('102').outcome).toBe(403);
    await vi.waitFor(async () => expect((await hr.tenant(a.id).calls.list({ limit: 10 })).data.map((c) => c.disposition)).toEqual(['limit']));
    doneA.push({ at: Date.now(), refusals: { channels: 1 } });

    // A: storage. A 100 KB logo, replaced by 120 KB (the peak), one of 151 KB refused, then none.
    const branding = hr.tenant(a.id).branding;
    await branding.update({ logo: { contentType: 'image/png', data: pngOfSize(100 * 1024) } });
    await branding.update({ logo: { contentType: 'image/png', data: pngOfSize(120 * 1024) } });
    const refused = await expectApiError(branding.update({ logo: { contentType: 'image/png', data: pngOfSize(151 * 1024) } }));
    expect([refused.status, refused.code]).toEqual([422, 'limit_exceeded']);
    await branding.update({ logo: null });
    doneA.push({ at: Date.now(), peakStorageBytes: 120 * 1024, refusals: { storage: 1 } });

    // B: one extension refused, two phones, one MESSAGE routed and two refused.
    await refusedExtension(b, '203');
    const [p201, p202] = [await registered(b, '201'), await registered(b, '202')];
    expect(await sendMessage(p201!, `sip:202@${b.sipDomain}`, 'b')).toBe(200);
    expect(await sendMessage(p201!, `sip:202@${b.sipDomain}`, 'b2')).toBe(403);
    expect(await sendMessage(p202!, `sip:201@${b.sipDomain}`, 'b3')).toBe(403);
    doneB.push({ at: Date.now(), messages: 1, refusals: { extensions: 1, messages: 2 }, peakRegistrations: 2 });

    // 25 October 2026 in Paris (25 hours), written as flushes write them: 00:00Z is 02:00+02:00,
    // 01:00Z the repeated 02:00+01:00, 22:00Z is 23:00+01:00 (still the 25th), 21:00Z the day before
    // (23:00+02:00 on the 24th), 23:00Z already the 26th. The first hour is flushed twice, as by two
    // nodes: counts add up, the peak is the larger.
    const store = await openPlatformStore(tp);
    const zero = { messages: 0, refusedMessages: 0, refusedExtensions: 0, refusedStorage: 0, peakRegistrations: 0, peakStorageBytes: 0 };
    const row = (tenantId: string, hour: string, counts: Partial<typeof zero>) => ({ scope: systemScope('test fixture', tenantId), hour, counts: { ...zero, ...counts } });
    try {
      await store.usageRollups.add([
        row(a.id, '2026-10-25T00:00:00.000Z', { messages: 5, refusedMessages: 1, peakRegistrations: 4, peakStorageBytes: 1000 }),
        row(a.id, '2026-10-25T01:00:00.000Z', { messages: 7, refusedStorage: 2, peakRegistrations: 6 }),
        row(a.id, '2026-10-24T21:00:00.000Z', { messages: 2, refusedExtensions: 1 }),
        row(a.id, '2026-10-25T22:00:00.000Z', { messages: 3, peakStorageBytes: 5000 }),
        row(a.id, '2026-10-25T23:00:00.000Z', { messages: 11, peakRegistrations: 9 }),
        row(b.id, '2026-10-25T00:00:00.000Z', { messages: 100, refusedMessages: 50, peakRegistrations: 40 }),
      ]);
      await store.usageRollups.add([row(a.id, '2026-10-25T00:00:00.000Z', { messages: 2, refusedExtensions: 1, peakRegistrations: 3, peakStorageBytes: 2000 })]);
    } finally {
      await store.close();
    }
    const at = (iso: string) => Date.parse(iso);
    doneA.push(
      { at: at('2026-10-25T00:00:00.000Z'), messages: 7, refusals: { messages: 1, extensions: 1 }, peakRegistrations: 4, peakStorageBytes: 2000 },
      { at: at('2026-10-25T01:00:00.000Z'), messages: 7, refusals: { storage: 2 }, peakRegistrations: 6 },
      { at: at('2026-10-24T21:00:00.000Z'), messages: 2, refusals: { extensions: 1 } },
      { at: at('2026-10-25T22:00:00.000Z'), messages: 3, peakStorageBytes: 5000 },
      { at: at('2026-10-25T23:00:00.000Z'), messages: 11, peakRegistrations: 9 },
    );
    doneB.push({ at: at('2026-10-25T00:00:00.000Z'), messages: 100, refusals: { messages: 50 }, peakRegistrations: 40 });
  }, 60_000);

  /** Paris midnight of 21 October 2026 (UTC+2) to the next whole hour: the autumn DST day and today. */
  const range = () => ({ from: '2026-10-20T22:00:00.000Z', to: new Date(Math.ceil((Date.now() + 1) / HOUR) * HOUR).toISOString() });

  it('gives one tenant exactly its own figures by Paris day, with the 25-hour DST day', async () => {
    const summary = await hr.tenant(a.id).analytics.summary({ ...range(), interval: 'day', tz: TZ });
    const dst = summary.buckets.find((x) => x.label === '2026-10-25')!;
    expect(Date.parse(dst.end) - Date.parse(dst.start)).toBe(25 * HOUR);
    expect(usageOf(dst)).toEqual({ messages: 17, refusals: { channels: 0, messages: 1, extensions: 1, storage: 2 }, peakRegistrations: 6, peakStorageBytes: 5000 });
    expectRecount(summary, doneA, true);
    // What the test did live, in today's bucket(s).
    expect(summary.totals.messages).toBe(3 + 2 + 7 + 7 + 3 + 11);
    expect(summary.totals.refusals).toEqual({ channels: 1, messages: 1 + 1, extensions: 2 + 1 + 1, storage: 1 + 2 });
    expect(summary.totals.refusals!.channels).toBe(summary.totals.refusedByChannelLimit);
    expect(summary.totals.peakStorageBytes).toBe(120 * 1024);
    expect(summary.current?.registrations).toBe(2);

    // The wall: B's messages and refusals (its DST hour included) are B's alone.
    const other = await hr.tenant(b.id).analytics.summary({ ...range(), interval: 'day', tz: TZ });
    expectRecount(other, doneB, true);
    expect(other.totals.messages).toBe(101);
  });

  it('buckets the DST day by Paris hour: two 02:00 hours, each with its own figures', async () => {
    const summary = await hr.tenant(a.id).analytics.summary({ from: '2026-10-24T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z', interval: 'hour', tz: TZ });
    expect(summary.buckets).toHaveLength(25);
    const twoAm = summary.buckets.filter((x) => x.label.includes('T02:00'));
    expect(twoAm.map((x) => [x.label, x.messages, x.peakRegistrations])).toEqual([
      ['2026-10-25T02:00+02:00', 7, 4],
      ['2026-10-25T02:00+01:00', 7, 6],
    ]);
    expectRecount(summary, doneA, true);
  });

  it('sums the counts across tenants for the provider (peaks stay per tenant), and per tenant row', async () => {
    const both = [...doneA, ...doneB];
    const summary = await hr.analytics.summary({ ...range(), interval: 'day', tz: TZ });
    expectRecount(summary, both, false);
    expect(summary.totals.messages).toBe(33 + 101);

    const rows = [];
    for await (const row of hr.analytics.tenants({ ...range(), sort: 'messages', order: 'desc' })) rows.push(row);
    expect(rows.map((r) => r.tenantId)).toEqual([b.id, a.id]);
    const total = (done: readonly Done[]) => recount(done, Date.parse(range().from), Date.parse(range().to), true);
    expect(usageOf(rows[0]!.totals)).toEqual(total(doneB));
    expect(usageOf(rows[1]!.totals)).toEqual(total(doneA));
  });

  it('answers the new figures in CSV too', async () => {
    const response = await fetch(`${tp.platform.url}/v1/tenants/${a.id}/analytics/summary?from=${range().from}&to=${range().to}&interval=month&tz=${TZ}`, {
      headers: { authorization: `Bearer ${tp.bootstrapKey}`, accept: 'text/csv' },
    });
    const [header, ...lines] = (await response.text()).trim().split('\r\n');
    const columns = header!.split(',');
    const total = lines.at(-1)!.split(',');
    const cell = (name: string) => total[columns.indexOf(name)];
    expect([cell('messages'), cell('refusedMessages'), cell('refusedExtensions'), cell('refusedStorage'), cell('refusedChannels'), cell('peakStorageBytes')]).toEqual(['33', '2', '4', '3', '1', String(120 * 1024)]);
  });

});
