import { emitEvent } from './events';
import type { DomainContext } from './context';
import type { TenantScope } from '../store/tenant-scope';

/** Limits whose use is watched for crossings (numbers have no per-tenant limit; see the analytics decision record). */
export type WatchedLimit = 'channels' | 'extensions' | 'messages' | 'storage';

export interface LimitCrossing {
  tenantId: string;
  limit: WatchedLimit;
  used: number;
  max: number;
  /** 0.8 for the warning, 1 for the limit itself. */
  threshold: number;
}

const THRESHOLDS = [
  { type: 'tenant.limit_warning', share: 0.8 },
  { type: 'tenant.limit_reached', share: 1 },
] as const;

const crosses = (before: number, after: number, max: number, share: number): boolean => {
  const at = Math.ceil(max * share);
  return before < at && after >= at;
};

/** Whether a step of use from `before` to `after` crosses any watched threshold of `max` upwards. */
export const crossesThreshold = (before: number, after: number, max: number): boolean =>
  max > 0 && after > before && THRESHOLDS.some(({ share }) => crosses(before, after, max, share));

/**
 * Tells webhooks when a change of use crosses 80 % or 100 % of a limit upwards. Computed from the
 * use before and after the one change, inside its transaction, so each crossing is told exactly
 * once (no remembered state to lose on a restart): falling back below and crossing again is a new
 * crossing, and a step over both thresholds tells both.
 */
export async function noteUsage(ctx: DomainContext, scope: TenantScope, limit: WatchedLimit, before: number, after: number, max: number): Promise<void> {
  if (max <= 0 || after <= before) return;
  for (const { type, share } of THRESHOLDS) {
    if (crosses(before, after, max, share)) {
      const data: LimitCrossing = { tenantId: scope.tenantId, limit, used: after, max, threshold: share };
      await emitEvent(ctx, { type, scope, data });
    }
  }
}
