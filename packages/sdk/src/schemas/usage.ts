import { z } from 'zod';
import { Timestamp } from './common';
import { TenantId } from './tenants';

export const UsageFigure = z
  .object({
    used: z.number().int().min(0),
    limit: z.number().int().min(0).nullable().meta({ description: 'null when nothing limits it directly' }),
  })
  .meta({ id: 'UsageFigure' });
export type UsageFigure = z.infer<typeof UsageFigure>;

export const TenantUsage = z
  .object({
    object: z.literal('tenant_usage'),
    tenantId: TenantId,
    at: Timestamp,
    channels: UsageFigure.meta({ description: 'Calls in progress against the channel limit' }),
    registrations: UsageFigure.meta({ description: 'Registered contacts (each extension may hold several)' }),
    messages: UsageFigure.extend({
      windowStartedAt: Timestamp,
      windowSeconds: z.number().int(),
    }).meta({ description: 'SIP MESSAGEs in the current one-minute window against messagesPerMinute' }),
    extensions: UsageFigure,
    numbers: UsageFigure.meta({ description: 'DIDs the tenant holds (no per-tenant limit: the inventory bounds them)' }),
    storage: UsageFigure.meta({ description: 'Bytes of stored documents (port order documents) against the storage limit' }),
  })
  .meta({ id: 'TenantUsage' });
export type TenantUsage = z.infer<typeof TenantUsage>;
