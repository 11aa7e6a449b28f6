import type { CallCounts, CallHour, CallSpan, TenantRow, UsageCounts, UsageHour } from '../store/types';
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
  /** SIP MESSAGEs routed (usage rollups, migration 0019). */
  messages: number;
  /** Refusals by limit: channels from the call records, the rest from the usage rollups. */
  refusals: { channels: number; messages: number; extensions: number; storage: number };
  /** Peaks of one tenant's hours (null across tenants: a sum of peaks is no peak). */
  peakRegistrations: number | null;
  peakStorageBytes: number | null;
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
const NO_USAGE: UsageCounts = { messages: 0, refusedMessages: 0, refusedExtensions: 0, refusedStorage: 0, peakRegistrations: 0, peakStorageBytes: 0 };

/** Counts add up; peaks keep the larger. */
function addUsage(a: UsageCounts, b: UsageCounts): UsageCounts {
  return {
    messages: a.messages + b.messages,
    refusedMessages: a.refusedMessages + b.refusedMessages,
    refusedExtensions: a.refusedExtensions + b.refusedExtensions,
    refusedStorage: a.refusedStorage + b.refusedStorage,
    peakRegistrations: Math.max(a.peakRegistrations, b.peakRegistrations),
    peakStorageBytes: Math.max(a.peakStorageBytes, b.peakStorageBytes),
  };
}

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

export function figuresOf(c: CallCounts, peakChannels: number | null, u: UsageCounts = NO_USAGE): Figures {
  // Peaks are one tenant's only: peakChannels is null exactly when the figures sum several tenants.
  const oneTenant = peakChannels !== null;
  return {
    ...c,
    minutes: Math.round((c.durationSeconds / 60) * 100) / 100,
    answerSeizureRatio: c.calls === 0 ? null : Math.round((c.answered / c.calls) * 10_000) / 10_000,
    averageCallDurationSeconds: c.answered === 0 ? null : Math.round((c.durationSeconds / c.answered) * 100) / 100,
    peakChannels,
    messages: u.messages,
    refusals: { channels: c.refusedChannels, messages: u.refusedMessages, extensions: u.refusedExtensions, storage: u.refusedStorage },
    peakRegistrations: oneTenant ? u.peakRegistrations : null,
    peakStorageBytes: oneTenant ? u.peakStorageBytes : null,
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

function summarize(hours: readonly CallHour[], usage: readonly UsageHour[], buckets: readonly Bucket[], spans: readonly CallSpan[] | undefined) {
  let i = 0;
  let j = 0;
  let total = ZERO;
  let totalUsage = NO_USAGE;
  const out = buckets.map((b) => {
    let sum = ZERO;
    let used = NO_USAGE;
    // The lists are in hour order, and every hour returned lies inside the range.
    while (i < hours.length && hours[i]!.hour < b.end) sum = add(sum, hours[i++]!);
    while (j < usage.length && usage[j]!.hour < b.end) used = addUsage(used, usage[j++]!);
    total = add(total, sum);
    totalUsage = addUsage(totalUsage, used);
    const peak = spans ? peakConcurrency(spans, Date.parse(b.start), Date.parse(b.end)) : null;
    return { ...b, ...figuresOf(sum, peak, used) };
  });
  const peak = spans && buckets.length > 0 ? peakConcurrency(spans, Date.parse(buckets[0]!.start), Date.parse(buckets.at(-1)!.end)) : spans ? 0 : null;
  return { totals: figuresOf(total, peak, totalUsage), buckets: out };
}

/** One tenant's summary: its rollups, the peak channels swept from its own call records, and its figures now. */
export async function tenantSummary(
  access: TenantAccess,
  live: LiveTenantCounters,
  query: SummaryQuery,
  now: Date,
  flushUsage: () => Promise<void> = async () => {},
): Promise<SummaryView> {
  const { from, to } = resolveRange(query, now);
  // This node's counts not yet flushed are written first, so a summary includes what this node saw.
  await flushUsage();
  const buckets = bucketsOf(from, to, query.interval, query.tz);
  const [hours, usage, spans, storageBytes] = await Promise.all([
    access.scope.calls.hourly(from.toISOString(), to.toISOString()),
    access.scope.usage.hourly(from.toISOString(), to.toISOString()),
    access.scope.calls.spans(from.toISOString(), to.toISOString()),
    access.scope.portOrders.documents.totalBytes(),
  ]);
  return {
    tenantId: access.tenant.id,
    from,
    to,
    interval: query.interval,
    tz: query.tz,
    ...summarize(hours, usage, buckets, spans),
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
  await ctx.usage?.flush();
  const [hours, usage] = await Promise.all([
    ctx.store.analytics.hourly(from.toISOString(), to.toISOString(), filter),
    ctx.store.analytics.usageHourly(from.toISOString(), to.toISOString(), filter),
  ]);
  return { tenantId: null, from, to, interval: query.interval, tz: query.tz, ...summarize(hours, usage, buckets, undefined), current: null };
}

export type TenantSort = 'name' | 'calls' | 'minutes' | 'answered' | 'failed' | 'answerSeizureRatio' | 'messages';

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
  await ctx.usage?.flush();
  const [tenants, totals, usage] = await Promise.all([
    visibleTenants(ctx, filter),
    ctx.store.analytics.tenantTotals(from.toISOString(), to.toISOString(), filter),
    ctx.store.analytics.usageTenantTotals(from.toISOString(), to.toISOString(), filter),
  ]);
  const byTenant = new Map(totals.map((t) => [t.tenantId, t]));
  const usageByTenant = new Map(usage.map((u) => [u.tenantId, u]));
  // One tenant per row: its peaks are its own (the largest hour's), so they are given here.
  const rows = tenants.map((tenant) => {
    const u = usageByTenant.get(tenant.id) ?? NO_USAGE;
    return { tenant, totals: { ...figuresOf(byTenant.get(tenant.id) ?? ZERO, null, u), peakRegistrations: u.peakRegistrations, peakStorageBytes: u.peakStorageBytes } };
  });
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
