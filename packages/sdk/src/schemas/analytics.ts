import { z } from 'zod';
import { listOf, Timestamp } from './common';
import { TenantId, TenantStatus } from './tenants';
import { UsageFigure } from './usage';

export const AnalyticsInterval = z.enum(['hour', 'day', 'month']);
export type AnalyticsInterval = z.infer<typeof AnalyticsInterval>;

const HOUR_MS = 3_600_000;
/** The widest range per interval, so one summary stays a few hundred buckets. */
export const ANALYTICS_MAX_RANGE_DAYS: Record<AnalyticsInterval, number> = { hour: 31, day: 400, month: 3660 };

const validTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(validTimeZone, 'must be an IANA time zone such as Europe/Paris')
  .meta({ description: 'IANA time zone the buckets follow (their days have 23 or 25 hours on DST changes)', example: 'Europe/Paris' });

// A string that is no timestamp at all is reported once, by the format check.
const WholeHour = Timestamp.refine((t) => Number.isNaN(Date.parse(t)) || Date.parse(t) % HOUR_MS === 0, 'must be on a whole hour (figures are kept per hour)');

/** The range and bucketing of a summary; the range defaults to the 30 days before the next whole hour. */
export const AnalyticsRange = z
  .object({
    from: WholeHour.optional().meta({ description: 'Start (inclusive), on a whole hour' }),
    to: WholeHour.optional().meta({ description: 'End (exclusive), on a whole hour' }),
    interval: AnalyticsInterval.default('day'),
    tz: TimeZone.default('UTC'),
  })
  .superRefine((q, ctx) => {
    if (q.from === undefined || q.to === undefined) return;
    const span = new Date(q.to).getTime() - new Date(q.from).getTime();
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > ANALYTICS_MAX_RANGE_DAYS[q.interval] * 24 * HOUR_MS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `at most ${ANALYTICS_MAX_RANGE_DAYS[q.interval]} days by ${q.interval}` });
    }
  });

export const AnalyticsSummaryParams = AnalyticsRange.meta({ id: 'AnalyticsSummaryParams' });
export type AnalyticsSummaryParams = z.input<typeof AnalyticsSummaryParams>;

export const AnalyticsFigures = z
  .object({
    calls: z.number().int().min(0).meta({ description: 'Call attempts (seizures) that started in the period' }),
    answered: z.number().int().min(0),
    missed: z.number().int().min(0).meta({ description: 'Not answered, busy or cancelled' }),
    failed: z.number().int().min(0).meta({ description: 'Failed, rejected or refused at the channel limit' }),
    refusedByChannelLimit: z.number().int().min(0).meta({ description: 'Refused because the tenant was at its channel limit (also in failed)' }),
    durationSeconds: z.number().int().min(0).meta({ description: 'Answered talk time, counted in the period the call started' }),
    minutes: z.number().min(0).meta({ description: 'durationSeconds / 60, to two decimals' }),
    answerSeizureRatio: z.number().min(0).max(1).nullable().meta({ description: 'answered / calls; null without calls' }),
    averageCallDurationSeconds: z.number().min(0).nullable().meta({ description: 'durationSeconds / answered; null without answered calls' }),
    peakChannels: z.number().int().min(0).nullable().meta({ description: 'Most calls in progress at once (one tenant only; null across tenants)' }),
    // Added after the call figures: optional so a client reading an older platform still parses its answers.
    messages: z.number().int().min(0).optional().meta({ description: 'SIP MESSAGEs relayed to a registered phone in the period' }),
    refusals: z
      .object({
        channels: z.number().int().min(0).meta({ description: 'Calls refused at the channel limit (same as refusedByChannelLimit)' }),
        messages: z.number().int().min(0).meta({ description: 'SIP MESSAGEs refused at the per-minute message limit' }),
        extensions: z.number().int().min(0).meta({ description: 'Extension creations refused at the extension limit' }),
        storage: z.number().int().min(0).meta({ description: 'Document or logo uploads refused at the storage limit' }),
      })
      .optional()
      .meta({ description: 'Refusals by limit in the period (numbers have no per-tenant limit, so no refusal to count)' }),
    peakRegistrations: z.number().int().min(0).nullable().optional().meta({ description: 'Most registered contacts at once in the period, per platform node (one tenant only; null across tenants)' }),
    peakStorageBytes: z.number().int().min(0).nullable().optional().meta({ description: 'Most bytes stored (port documents and logo) in the period (one tenant only; null across tenants)' }),
  })
  .meta({ id: 'AnalyticsFigures' });
export type AnalyticsFigures = z.infer<typeof AnalyticsFigures>;

export const AnalyticsBucket = AnalyticsFigures.extend({
  start: Timestamp,
  end: Timestamp,
  label: z.string().meta({ description: 'The bucket in the time zone: 2026-03-29, 2026-03 or 2026-03-29T02:00+02:00', example: '2026-03-29' }),
}).meta({ id: 'AnalyticsBucket' });
export type AnalyticsBucket = z.infer<typeof AnalyticsBucket>;

export const AnalyticsSummary = z
  .object({
    object: z.literal('analytics_summary'),
    tenantId: TenantId.nullable().meta({ description: 'The tenant, or null for a summary across tenants' }),
    from: Timestamp,
    to: Timestamp,
    interval: AnalyticsInterval,
    tz: z.string(),
    totals: AnalyticsFigures,
    buckets: z.array(AnalyticsBucket),
    current: z
      .object({
        registrations: z.number().int().min(0),
        channels: z.number().int().min(0),
        storageBytes: z.number().int().min(0),
      })
      .nullable()
      .meta({ description: 'Figures as they are now (one tenant only): registered contacts, calls in progress, stored bytes' }),
  })
  .meta({ id: 'AnalyticsSummary' });
export type AnalyticsSummary = z.infer<typeof AnalyticsSummary>;

export const AnalyticsTenantSort = z.enum(['name', 'calls', 'minutes', 'answered', 'failed', 'answerSeizureRatio', 'messages']);

export const AnalyticsTenantListParams = z
  .object({
    from: WholeHour.optional(),
    to: WholeHour.optional(),
    sort: AnalyticsTenantSort.default('calls'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().regex(/^\d{1,7}$/, 'must be a cursor from a previous page').optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined) {
      const span = new Date(q.to).getTime() - new Date(q.from).getTime();
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (span > ANALYTICS_MAX_RANGE_DAYS.month * 24 * HOUR_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: 'at most 3660 days' });
    }
  })
  .meta({ id: 'AnalyticsTenantListParams' });
export type AnalyticsTenantListParams = Omit<z.input<typeof AnalyticsTenantListParams>, 'limit'> & { limit?: number };

export const AnalyticsTenantRow = z
  .object({
    object: z.literal('analytics_tenant'),
    tenantId: TenantId,
    name: z.string(),
    status: TenantStatus,
    totals: AnalyticsFigures,
    usage: z.object({
      channels: UsageFigure,
      registrations: UsageFigure,
      extensions: UsageFigure,
      numbers: UsageFigure,
      storage: UsageFigure,
    }),
  })
  .meta({ id: 'AnalyticsTenantRow' });
export type AnalyticsTenantRow = z.infer<typeof AnalyticsTenantRow>;

export const AnalyticsTenantList = listOf(AnalyticsTenantRow).meta({ id: 'AnalyticsTenantList' });
