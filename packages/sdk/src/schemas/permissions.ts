import { z } from 'zod';

/**
 * Every permission of the platform, with what it allows. The one list: the platform enforces
 * these strings per route and the SDK types roles and keys with them.
 */
export const PERMISSION_DESCRIPTIONS = {
  'tenants:read': 'Read tenants the key may see',
  'tenants:write': 'Create tenants and change their name (limits only from a provider or reseller)',
  'tenants:suspend': 'Suspend and resume tenants (provider and reseller levels only)',
  'tenants:delete': 'Delete tenants (kept for the retention period) and restore them before the purge (provider and reseller levels only)',
  'tenants:export': "Export all of a tenant's data (JSON Lines): extensions, numbers, dial plan, trunks, roles, keys, webhooks, calls, port orders, audit events; never secrets",
  'extensions:read': 'Read extensions',
  'extensions:write': 'Create, change and delete extensions',
  'softphone_tokens:create': 'Issue softphone tokens',
  'softphone_tokens:rotate': "Rotate a tenant's softphone token signing key (invalidates every earlier token)",
  'numbers:read': 'Read phone numbers (DIDs)',
  'numbers:write': 'Assign and release phone numbers',
  'porting:read': 'Read port orders',
  'porting:write': 'Create and submit port orders',
  'porting:approve': "Approve, reject and complete a tenant's submitted port orders (provider and reseller levels only)",
  'dial_plans:read': 'Read dial rules',
  'dial_plans:write': 'Change dial rules',
  'calls:read': 'Read call records',
  'analytics:read': 'Read call analytics',
  'audit:read': 'Read and verify the audit log',
  'keys:manage': 'Create, list, rotate and revoke API keys',
  'roles:read': 'Read roles and the permission list',
  'roles:manage': 'Create, change and delete custom roles',
  'branding:read': 'Read branding',
  'branding:write': 'Change branding',
  'trunks:read': 'Read SIP trunks',
  'trunks:write': 'Create, change and delete SIP trunks',
  'webhooks:read': 'Read webhook endpoints',
  'webhooks:write': 'Change webhook endpoints',
  'resellers:read': 'Read resellers (provider level only)',
  'resellers:write': 'Create, change, suspend and resume resellers (provider level only)',
} as const;

export type Permission = keyof typeof PERMISSION_DESCRIPTIONS;
export const PERMISSIONS = Object.keys(PERMISSION_DESCRIPTIONS) as [Permission, ...Permission[]];

export const Permission = z.enum(PERMISSIONS).meta({ id: 'Permission', description: '`resource:action`; see GET /v1/permissions' });

export const PermissionInfo = z
  .object({
    object: z.literal('permission'),
    id: Permission,
    description: z.string(),
    levels: z.array(z.enum(['provider', 'reseller', 'tenant'])).meta({ description: 'Where roles may hold it' }),
  })
  .meta({ id: 'PermissionInfo' });
export type PermissionInfo = z.infer<typeof PermissionInfo>;

export const PermissionList = z.object({ data: z.array(PermissionInfo), nextCursor: z.null() }).meta({ id: 'PermissionList' });
export type PermissionList = z.infer<typeof PermissionList>;

/** Permissions that only make sense above a tenant: a tenant-level role may not hold them. */
// porting:approve is here so that no tenant can approve its own port orders (docs/decisions/2026-12-01-porting-approval.md).
export const PLATFORM_ONLY_PERMISSIONS: readonly Permission[] = ['tenants:suspend', 'tenants:delete', 'porting:approve', 'resellers:read', 'resellers:write'];
/** Permissions a reseller-level role may not hold (they govern resellers themselves). */
export const PROVIDER_ONLY_PERMISSIONS: readonly Permission[] = ['resellers:read', 'resellers:write'];
