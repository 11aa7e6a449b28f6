import type { AnalyticsFigures, AnalyticsSummary, AnalyticsTenantRow } from '@highrise/sdk/schemas';
import type { Figures, SummaryView, TenantAnalyticsRow } from '../domain/analytics';

const figures = (f: Figures): AnalyticsFigures => ({
  calls: f.calls,
  answered: f.answered,
  missed: f.missed,
  failed: f.failed,
  refusedByChannelLimit: f.refusedChannels,
  durationSeconds: f.durationSeconds,
  minutes: f.minutes,
  answerSeizureRatio: f.answerSeizureRatio,
  averageCallDurationSeconds: f.averageCallDurationSeconds,
  peakChannels: f.peakChannels,
  messages: f.messages,
  refusals: f.refusals,
  peakRegistrations: f.peakRegistrations,
  peakStorageBytes: f.peakStorageBytes,
});

export const presentSummary = (s: SummaryView): AnalyticsSummary => ({
  object: 'analytics_summary',
  tenantId: s.tenantId,
  from: s.from.toISOString(),
  to: s.to.toISOString(),
  interval: s.interval,
  tz: s.tz,
  totals: figures(s.totals),
  buckets: s.buckets.map((b) => ({ start: b.start, end: b.end, label: b.label, ...figures(b) })),
  current: s.current,
});

export const presentTenantAnalytics = (r: TenantAnalyticsRow): AnalyticsTenantRow => ({
  object: 'analytics_tenant',
  tenantId: r.tenant.id,
  name: r.tenant.name,
  status: r.tenant.status,
  totals: figures(r.totals),
  usage: r.usage,
});

/** Whether the caller asked for CSV (`Accept: text/csv`); JSON stays the default. */
export const wantsCsv = (request: Request) => /\btext\/csv\b/i.test(request.headers.get('Accept') ?? '');

const FIGURE_COLUMNS = ['calls', 'answered', 'missed', 'failed', 'refusedByChannelLimit', 'durationSeconds', 'minutes', 'answerSeizureRatio', 'averageCallDurationSeconds', 'peakChannels', 'messages', 'peakRegistrations', 'peakStorageBytes'] as const;
const REFUSAL_COLUMNS = ['channels', 'messages', 'extensions', 'storage'] as const;
/** The figure columns of a CSV line, refusals flattened (`refusedChannels`, …) after the others. */
const figureCells = (f: AnalyticsFigures) => [...FIGURE_COLUMNS.map((c) => f[c]), ...REFUSAL_COLUMNS.map((c) => f.refusals?.[c])];
const FIGURE_HEADER = [...FIGURE_COLUMNS, ...REFUSAL_COLUMNS.map((c) => `refused${c[0]!.toUpperCase()}${c.slice(1)}`)];

/** RFC 4180 cells; a leading =, +, - or @ is quoted behind an apostrophe so a spreadsheet does not run it as a formula. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly unknown[][], filename: string): Response {
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return new Response(text, { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` } });
}

/** One line per bucket, then the totals (label `total`). */
export function summaryCsv(s: AnalyticsSummary): Response {
  const line = (start: string, end: string, label: string, f: AnalyticsFigures) => [start, end, label, ...figureCells(f)];
  return csv(
    ['start', 'end', 'label', ...FIGURE_HEADER],
    [...s.buckets.map((b) => line(b.start, b.end, b.label, b)), line(s.from, s.to, 'total', s.totals)],
    'analytics-summary.csv',
  );
}

const USAGE = ['channels', 'registrations', 'extensions', 'numbers', 'storage'] as const;

export function tenantAnalyticsCsv(rows: readonly AnalyticsTenantRow[]): Response {
  return csv(
    ['tenantId', 'name', 'status', ...FIGURE_HEADER, ...USAGE.flatMap((u) => [`${u}Used`, `${u}Limit`])],
    rows.map((r) => [r.tenantId, r.name, r.status, ...figureCells(r.totals), ...USAGE.flatMap((u) => [r.usage[u].used, r.usage[u].limit])]),
    'analytics-tenants.csv',
  );
}
