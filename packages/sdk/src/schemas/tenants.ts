import { z } from 'zod';
import { prefixedId, Timestamp, listOf, ListParams } from './common';
import { ApiKeySecret } from './api-keys';
import { ResellerId } from './resellers';

export const TenantId = prefixedId('ten').meta({ id: 'TenantId', example: 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B' });

export const TenantSlug = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only')
  .meta({ description: 'DNS label; the tenant SIP domain is `<slug>.<base domain>`', example: 'acme-dental' });

export const TenantStatus = z
  .enum(['active', 'suspended', 'deleted'])
  .meta({ description: '`deleted` (since 2026-12-01): deleted and kept until `purgeAt`; `POST …/restore` brings it back until then' });

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
    deletedAt: Timestamp.nullable().meta({ description: 'When the tenant was deleted; null unless `status` is `deleted` (since 2026-12-01)' }),
    purgeAt: Timestamp.nullable().meta({ description: "When a deleted tenant's data is purged for good (audit events stay); null unless deleted (since 2026-12-01)" }),
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

export const TenantListParams = ListParams.extend({
  status: TenantStatus.optional().meta({ description: 'Only tenants in this status. Deleted tenants are listed only with `deleted`' }),
});
export type TenantListParams = z.input<typeof TenantListParams>;

export const TenantRestoreResponse = z
  .object({
    tenant: Tenant,
    restoredNumbers: z.array(z.string()).meta({ description: 'Numbers given back to the tenant, with the routing they had' }),
    unavailableNumbers: z
      .array(z.string())
      .meta({ description: 'Numbers the tenant held when deleted that are no longer free (another tenant took them, or the provider removed them); they stay where they are' }),
  })
  .meta({ id: 'TenantRestoreResponse' });
export type TenantRestoreResponse = z.infer<typeof TenantRestoreResponse>;

/** What a line of `GET /v1/tenants/{id}/export` may hold: one record of the tenant's data. */
export const TENANT_EXPORT_TYPES = [
  'tenant',
  'extension',
  'number',
  'dial_rule',
  'ring_group',
  'trunk',
  'role',
  'api_key',
  'webhook_endpoint',
  'call',
  'port_order',
  'audit_event',
  'end',
] as const;

export const TenantExportRecord = z
  .object({
    type: z.enum(TENANT_EXPORT_TYPES).meta({ description: 'What `data` is; the last line is `end`, with the count of each type' }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The record in its API shape (secrets, password hashes and key hashes never included)' }),
  })
  .meta({ id: 'TenantExportRecord', description: 'One line of a tenant export (JSON Lines)' });
export type TenantExportRecord = z.infer<typeof TenantExportRecord>;
