// A few weeks of call records for the demo's tenants, so the console's charts have something to
// show on first open. Records are written through the platform's own store (the same
// `calls.insert` the SIP edge's recordCall uses, which also keeps the analytics rollups), never
// with raw SQL. Deterministic: the same days give the same calls.
import { openKyselyStore, systemScope, type CallDirection, type CallDisposition, type CallRow } from '@highrise/platform';
import type { DemoTenant } from './seed';

export const HISTORY_DAYS = 21;

interface TenantPattern {
  /** Where the tenant's office is: its busy hours follow that clock. */
  timeZone: string;
  /** Call attempts on an ordinary weekday. */
  weekdayCalls: number;
  /** DIDs and outside numbers its calls come from and go to. */
  did: string;
}

const PATTERNS: Record<DemoTenant['key'], TenantPattern> = {
  acme: { timeZone: 'America/Los_Angeles', weekdayCalls: 44, did: '+14155550100' },
  globex: { timeZone: 'America/New_York', weekdayCalls: 30, did: '+12125550100' },
};

/** Relative weight of each local hour 0–23: a morning peak, a lunch dip, an afternoon peak. */
const HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 0.2, 0.8, 3, 6, 7, 6, 3, 4, 6, 6, 5, 3, 1, 0.5, 0.3, 0.1, 0, 0];

/** mulberry32: small, fast and good enough to make a demo look lived-in. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = next() * total;
  for (const [value, w] of weighted) if ((r -= w) < 0) return value;
  return weighted.at(-1)![0];
}

/** The UTC instant of local midnight `days` days before today in `tz` (whole-hour zones). */
function localMidnight(tz: string, daysAgo: number, now: number): number {
  const day = new Date(now - daysAgo * 86_400_000);
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(day);
  const utcMidnight = Date.parse(`${ymd}T00:00:00Z`);
  const offset = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(utcMidnight)).find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offset);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return utcMidnight - minutes * 60_000;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A call id shaped like the platform's own (`cal_` + 10 base32 characters of time + 16 more), so records sort by time with the real ones. */
function callRecordId(endedAt: number, n: number): string {
  let time = '';
  for (let i = 0, ms = endedAt; i < 10; i++, ms = Math.floor(ms / 32)) time = ALPHABET[ms % 32] + time;
  let tail = '';
  for (let i = 0, v = n; i < 16; i++, v = Math.floor(v / 32)) tail = ALPHABET[v % 32] + tail;
  return `cal_${time}${tail}`;
}

/**
 * The tenant's calls over the last HISTORY_DAYS days up to `now`. The demo tenants have one
 * channel: a call that starts while another holds it is refused at the limit, as the edge would.
 */
export function demoCallHistory(key: DemoTenant['key'], now: number): Omit<CallRow, 'tenantId'>[] {
  const pattern = PATTERNS[key];
  const next = random(key === 'acme' ? 101 : 202);
  const rows: Omit<CallRow, 'tenantId'>[] = [];
  let channelFreeAt = 0;
  let n = 0;
  for (let daysAgo = HISTORY_DAYS; daysAgo >= 0; daysAgo--) {
    const midnight = localMidnight(pattern.timeZone, daysAgo, now);
    const weekday = new Date(midnight + 12 * 3_600_000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    // Mondays are busiest, Fridays quieter, weekends a trickle; each day varies a little.
    const dayFactor = weekend ? 0.08 : [1, 1.25, 1, 0.95, 1, 0.8, 1][weekday]!;
    const attempts = Math.round(pattern.weekdayCalls * dayFactor * (0.8 + next() * 0.4));
    const starts = Array.from({ length: attempts }, () => {
      const hour = pick(next, HOUR_WEIGHTS.map((w, h) => [h, w] as const));
      return midnight + hour * 3_600_000 + Math.floor(next() * 3_600_000);
    })
      .filter((t) => t < now - 60_000)
      .sort((a, b) => a - b);
    for (const startedAt of starts) {
      const direction = pick<CallDirection>(next, [['inbound', 5], ['outbound', 3], ['internal', 2]]);
      const outside = `+1${Math.floor(2_000_000_000 + next() * 7_999_999_999)}`;
      const [from, to] = direction === 'inbound' ? [outside, pattern.did] : direction === 'outbound' ? [pick(next, [['101', 2], ['102', 1]]), outside] : ['102', '101'];
      const busy = startedAt < channelFreeAt;
      const disposition: CallDisposition = busy
        ? 'limit'
        : pick<CallDisposition>(next, [['answered', 72], ['no_answer', 12], ['busy', 5], ['cancelled', 6], ['failed', 3], ['rejected', 2]]);
      const ringMs = disposition === 'limit' ? 0 : Math.floor((2 + next() * 18) * 1000);
      // Talk time: mostly a few minutes, now and then a long one.
      const talkSeconds = disposition === 'answered' ? Math.round(15 + -Math.log(1 - next()) * 120) : 0;
      const answeredAt = disposition === 'answered' ? startedAt + ringMs : null;
      const endedAt = (answeredAt ?? startedAt + ringMs) + talkSeconds * 1000;
      if (endedAt > now) continue;
      if (!busy) channelFreeAt = endedAt;
      rows.push({
        id: callRecordId(endedAt, n++),
        callId: `demo-history-${key}-${n}`,
        from,
        to,
        direction,
        startedAt: new Date(startedAt).toISOString(),
        answeredAt: answeredAt === null ? null : new Date(answeredAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationSeconds: talkSeconds,
        disposition,
        sipStatus: { answered: 200, no_answer: 480, busy: 486, cancelled: 487, failed: 503, rejected: 603, limit: 403 }[disposition],
      });
    }
  }
  return rows;
}

/**
 * Writes the history of every demo tenant that has no call record yet (a first start), in one
 * transaction per tenant. Returns how many records were written.
 */
export async function seedCallHistory(dataDir: string, tenants: readonly DemoTenant[], now = Date.now()): Promise<number> {
  const store = await openKyselyStore({ sqlite: { dataDir } });
  let written = 0;
  try {
    for (const tenant of tenants) {
      const calls = store.tenant(systemScope('demo seed', tenant.id)).calls;
      if ((await calls.list({ limit: 1 })).items.length > 0) continue;
      const rows = demoCallHistory(tenant.key, now);
      await store.transaction(async () => {
        for (const row of rows) await calls.insert(row);
      });
      written += rows.length;
    }
  } finally {
    await store.close();
  }
  return written;
}
