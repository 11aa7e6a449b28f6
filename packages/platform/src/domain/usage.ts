import { tenantLogoBytes } from './branding';
import type { TenantAccess } from './tenants';

/**
 * Live figures only the SIP edge knows (it holds them in memory, per process). The HTTP layer
 * receives them through startPlatform's wiring, so neither side imports the other.
 */
export interface LiveTenantCounters {
  channels: number;
  registrations: number;
  messages: number;
  messagesWindowStartedAt: Date;
}

export interface UsageFigure {
  used: number;
  limit: number | null;
}

export interface TenantUsageView {
  tenantId: string;
  at: Date;
  channels: UsageFigure;
  registrations: UsageFigure;
  messages: UsageFigure & { windowStartedAt: Date; windowSeconds: number };
  extensions: UsageFigure;
  numbers: UsageFigure;
  storage: UsageFigure;
}

export const MESSAGE_WINDOW_SECONDS = 60;

/** Each figure beside the limit that bounds it, the limits read from the tenant as it is now. */
export async function tenantUsage(access: TenantAccess, live: LiveTenantCounters, now: Date): Promise<TenantUsageView> {
  const { limits } = access.tenant;
  return {
    tenantId: access.tenant.id,
    at: now,
    channels: { used: live.channels, limit: limits.channels },
    // No limit of their own: at most 10 contacts per extension, and extensions are limited.
    registrations: { used: live.registrations, limit: null },
    messages: {
      used: live.messages,
      limit: limits.messagesPerMinute,
      windowStartedAt: live.messagesWindowStartedAt,
      windowSeconds: MESSAGE_WINDOW_SECONDS,
    },
    extensions: { used: await access.scope.extensions.count(), limit: limits.extensions },
    // DIDs have no per-tenant limit: the provider's inventory is the bound.
    numbers: { used: await access.scope.numbers.count(), limit: null },
    storage: { used: (await access.scope.portOrders.documents.totalBytes()) + (await tenantLogoBytes(access)), limit: limits.storageBytes },
  };
}
