import { z } from 'zod';
import { prefixedId, Timestamp, listOf } from './common';
import { ApiKeySecret } from './api-keys';
import { ResellerId } from './resellers';

export const TenantId = prefixedId('ten').meta({ id: 'TenantId', example: 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B' });

export const TenantSlug = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only')
  .meta({ description: 'DNS label; the tenant SIP domain is `<slug>.<base domain>`', example: 'acme-dental' });

export const TenantStatus = z.enum(['active', 'suspended']);

export const TenantLimits = z
  .object({
    extensions: z.number().int().min(0).max(100_000).meta({ description: 'Maximum extensions' }),
    channels: z.number().int().min(0).max(10_000).meta({ description: 'Maximum concurrent calls' }),
    messagesPerMinute: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .meta({ description: 'Maximum SIP MESSAGEs the tenant may send per minute (default 600)' }),
    storageBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 ** 4)
      .meta({ description: 'Maximum bytes of stored files, such as porting documents (default 100 MiB)' }),
    dialRules: z
      .number()
      .int()
      .min(0)
      .max(2_000)
      .meta({ description: 'Maximum dial rules (default 200). The edge walks them on every call, so the ceiling is deliberately low' }),
    ringGroups: z.number().int().min(0).max(10_000).meta({ description: 'Maximum ring groups (default 50)' }),
    trunks: z.number().int().min(0).max(1_000).meta({ description: 'Maximum carrier trunks (default 10)' }),
    openPortOrders: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .meta({ description: 'Maximum port orders neither completed nor cancelled (drafts included) at once (default 20)' }),
  })
  .meta({ id: 'TenantLimits' });
export type TenantLimits = z.infer<typeof TenantLimits>;

export const Tenant = z
  .object({
    id: TenantId,
    object: z.literal('tenant'),
    name: z.string(),
    slug: TenantSlug,
    status: TenantStatus,
    sipDomain: z.string().meta({ description: 'Where this tenant\'s phones register', example: 'acme-dental.sip.localhost' }),
    resellerId: ResellerId.nullable(),
    limits: TenantLimits,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Tenant' });
export type Tenant = z.infer<typeof Tenant>;

export const TenantAdmin = z.object({
  email: z.email(),
  name: z.string().trim().min(1).max(100),
});

export const TenantCreateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    slug: TenantSlug,
    resellerId: ResellerId.optional(),
    limits: TenantLimits.partial().optional(),
    admin: TenantAdmin.optional(),
  })
  .meta({ id: 'TenantCreateParams' });
export type TenantCreateParams = z.input<typeof TenantCreateParams>;

export const TenantCreateResponse = z
  .object({
    tenant: Tenant,
    adminKey: ApiKeySecret.optional().meta({ description: 'Present when `admin` was given; the secret is shown this once' }),
  })
  .meta({ id: 'TenantCreateResponse' });
export type TenantCreateResponse = z.infer<typeof TenantCreateResponse>;

export const TenantUpdateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    limits: TenantLimits.partial().optional(),
  })
  .meta({ id: 'TenantUpdateParams' });
export type TenantUpdateParams = z.input<typeof TenantUpdateParams>;

export const TenantList = listOf(Tenant).meta({ id: 'TenantList' });
