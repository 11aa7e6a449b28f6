import type { CallCounts, CallHour, CallSpan, TenantRow } from '../store/types';
import { bucketsOf, type Bucket, type Interval } from './analytics-buckets';
import type { DomainContext } from './context';
import { PermissionDenied } from './errors';
import type { Principal } from './principal';
import { accessVisibleTenant, type TenantAccess } from './tenants';
import { tenantUsage, type LiveTenantCounters, type UsageFigure } from './usage';

const HOUR_MS = 3_600_000;
const DEFAULT_DAYS = 30;

export interface RangeQuery {
  from?: string | undefined;
  to?: string | undefined;
}

export interface SummaryQuery extends RangeQuery {
  interval: Interval;
  tz: string;
}

export interface Figures extends CallCounts {
  minutes: number;
  answerSeizureRatio: number | null;
  averageCallDurationSeconds: number | null;
  peakChannels: number | null;
}

export interface SummaryView {
  tenantId: string | null;
  from: Date;
  to: Date;
  interval: Interval;
  tz: string;
  totals: Figures;
  buckets: (Figures & Bucket)[];
  current: { registrations: number; channels: number; storageBytes: number } | null;
}

const ZERO: CallCounts = { calls: 0, answered: 0, missed: 0, failed: 0, refusedChannels: 0, durationSeconds: 0 };

function add(a: CallCounts, b: CallCounts): CallCounts {
  return {
    calls: a.calls + b.calls,
    answered: a.answered + b.answered,
    missed: a.missed + b.missed,
    failed: a.failed + b.failed,
    refusedChannels: a.refusedChannels + b.refusedChannels,
    durationSeconds: a.durationSeconds + b.durationSeconds,
  };
}

export function figuresOf(c: CallCounts, peakChannels: number | null): Figures {
  return {
    ...c,
    minutes: Math.round((c.durationSeconds / 60) * 100) / 100,
    answerSeizureRatio: c.calls === 0 ? null : Math.round((c.answered / c.calls) * 10_000) / 10_000,
    averageCallDurationSeconds: c.answered === 0 ? null : Math.round((c.durationSeconds / c.answered) * 100) / 100,
    peakChannels,
  };
}

/** The range asked for, or the 30 days before the next whole hour. */
export function resolveRange(query: RangeQuery, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_DAYS * 24 * HOUR_MS);
  return { from, to };
}

/** Most spans open at once within [start, end): a sweep over start (+1) and end (−1) events, ends first at a tie. */
export function peakConcurrency(spans: readonly CallSpan[], start: number, end: number): number {
  const events: [number, number][] = [];
  for (const s of spans) {
    const a = Math.max(new Date(s.startedAt).getTime(), start);
    const b = Math.min(new Date(s.endedAt).getTime(), end);
    if (a < b) events.push([a, 1], [b, -1]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of events) {
    open += d;
    peak = Math.max(peak, open);
  }
  return peak;
}

function summarize(hours: readonly CallHour[], buckets: readonly Bucket[], spans: readonly CallSpan[] | undefined) {
  let i = 0;
  let total = ZERO;
  const out = buckets.map((b) => {
    let sum = ZERO;
    // Both lists are in hour order, and every hour returned lies inside the range.
    while (i < hours.length && hours[i]!.hour < b.end) sum = add(sum, hours[i++]!);
    total = add(total, sum);
    const peak = spans ? peakConcurrency(spans, Date.parse(b.start), Date.parse(b.end)) : null;
    return { ...b, ...figuresOf(sum, peak) };
  });
  const peak = spans && buckets.length > 0 ? peakConcurrency(spans, Date.parse(buckets[0]!.start), Date.parse(buckets.at(-1)!.end)) : spans ? 0 : null;
  return { totals: figuresOf(total, peak), buckets: out };
}

/** One tenant's summary: its rollups, the peak channels swept from its own call records, and its figures now. */
export async function tenantSummary(access: TenantAccess, live: LiveTenantCounters, query: SummaryQuery, now: Date): Promise<SummaryView> {
  const { from, to } = resolveRange(query, now);
  const buckets = bucketsOf(from, to, query.interval, query.tz);
  const [hours, spans, storageBytes] = await Promise.all([
    access.scope.calls.hourly(from.toISOString(), to.toISOString()),
    access.scope.calls.spans(from.toISOString(), to.toISOString()),
    access.scope.portOrders.documents.totalBytes(),
  ]);
  return {
    tenantId: access.tenant.id,
    from,
    to,
    interval: query.interval,
    tz: query.tz,
    ...summarize(hours, buckets, spans),
    current: { registrations: live.registrations, channels: live.channels, storageBytes },
  };
}

/** Which tenants a platform-level caller sums over: the provider all, a reseller its own. Tenant keys are refused. */
function resellerFilter(principal: Principal): { resellerId?: string } {
  if (principal.kind === 'provider') return {};
  if (principal.kind === 'reseller') return { resellerId: principal.resellerId };
  throw new PermissionDenied('tenant keys read their analytics under /v1/tenants/{tenantId}/analytics');
}

/** The summary across every tenant the caller may see. Peak channels are not summed across tenants (null). */
export async function platformSummary(ctx: DomainContext, principal: Principal, query: SummaryQuery): Promise<SummaryView> {
  const filter = resellerFilter(principal);
  const { from, to } = resolveRange(query, ctx.now());
  const buckets = bucketsOf(from, to, query.interval, query.tz);
  const hours = await ctx.store.analytics.hourly(from.toISOString(), to.toISOString(), filter);
  return { tenantId: null, from, to, interval: query.interval, tz: query.tz, ...summarize(hours, buckets, undefined), current: null };
}

export type TenantSort = 'name' | 'calls' | 'minutes' | 'answered' | 'failed' | 'answerSeizureRatio';

export interface TenantListQuery extends RangeQuery {
  sort: TenantSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string | undefined;
}

export interface TenantAnalyticsRow {
  tenant: TenantRow;
  totals: Figures;
  usage: { channels: UsageFigure; registrations: UsageFigure; extensions: UsageFigure; numbers: UsageFigure; storage: UsageFigure };
}

const TENANT_PAGE = 500;

async function visibleTenants(ctx: DomainContext, filter: { resellerId?: string }): Promise<TenantRow[]> {
  const all: TenantRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ctx.store.tenants.list({ limit: TENANT_PAGE, after }, filter);
    all.push(...page.items);
    if (!page.next) return all;
    after = page.next;
  }
}

/**
 * One row per tenant the caller may see, sorted by a figure and paged by position (the cursor is
 * the offset: the order is by figures, which no id cursor follows). Usage is read for the page only.
 */
export async function tenantAnalytics(
  ctx: DomainContext,
  principal: Principal,
  query: TenantListQuery,
  live: (tenantId: string) => LiveTenantCounters,
): Promise<{ items: TenantAnalyticsRow[]; next: string | null }> {
  const filter = resellerFilter(principal);
  const { from, to } = resolveRange(query, ctx.now());
  const [tenants, totals] = await Promise.all([visibleTenants(ctx, filter), ctx.store.analytics.tenantTotals(from.toISOString(), to.toISOString(), filter)]);
  const byTenant = new Map(totals.map((t) => [t.tenantId, t]));
  const rows = tenants.map((tenant) => ({ tenant, totals: figuresOf(byTenant.get(tenant.id) ?? ZERO, null) }));
  const key = (r: (typeof rows)[number]): string | number => (query.sort === 'name' ? r.tenant.name : (r.totals[query.sort] ?? -1));
  const sign = query.order === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return c * sign || (a.tenant.id < b.tenant.id ? -1 : 1);
  });
  const offset = Number(query.cursor ?? 0);
  const page = rows.slice(offset, offset + query.limit);
  const items = await Promise.all(
    page.map(async (r) => {
      // resellerFilter chose only tenants the caller may see; the access check says so again.
      const access = accessVisibleTenant(ctx, principal, r.tenant);
      const usage = await tenantUsage(access, live(r.tenant.id), ctx.now());
      return { ...r, usage: { channels: usage.channels, registrations: usage.registrations, extensions: usage.extensions, numbers: usage.numbers, storage: usage.storage } };
    }),
  );
  return { items, next: offset + query.limit < rows.length ? String(offset + query.limit) : null };
}
