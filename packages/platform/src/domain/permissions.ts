import { PERMISSION_DESCRIPTIONS, PERMISSIONS, PLATFORM_ONLY_PERMISSIONS, PROVIDER_ONLY_PERMISSIONS, type Permission } from '@highrise/sdk/schemas';
import type { RoleLevel, RoleRow } from '../store/types';
import { InvalidPermissions, PermissionDenied } from './errors';

export type { Permission, RoleLevel };

/** What a role of each level may hold at most; a tenant role can never reach above its tenant. */
export const LEVEL_PERMISSIONS: Record<RoleLevel, readonly Permission[]> = {
  provider: PERMISSIONS,
  reseller: PERMISSIONS.filter((p) => !PROVIDER_ONLY_PERMISSIONS.includes(p)),
  tenant: PERMISSIONS.filter((p) => !PLATFORM_ONLY_PERMISSIONS.includes(p)),
};

const READ_ONLY_EXCLUDED: readonly Permission[] = ['audit:read'];
const BILLING: readonly Permission[] = ['tenants:read', 'calls:read', 'analytics:read', 'numbers:read', 'porting:read'];
/** What an end user (a user key bound to one extension) may do, and only on that extension. */
// calls:read is safe here: domain/calls.ts narrows an end user's list and lookups to calls from or to their extension.
export const USER_PERMISSIONS: readonly Permission[] = ['tenants:read', 'extensions:read', 'softphone_tokens:create', 'calls:read'];

export interface BuiltInRole {
  id: string;
  level: RoleLevel;
  name: string;
  description: string;
  permissions: readonly Permission[];
}

function builtInsOf(level: RoleLevel): BuiltInRole[] {
  const all = LEVEL_PERMISSIONS[level];
  const title = level[0]!.toUpperCase() + level.slice(1);
  return [
    { id: `rol_${level}Owner`, level, name: 'owner', description: 'Everything at this level', permissions: all },
    {
      id: `rol_${level}Admin`,
      level,
      name: 'admin',
      description: 'Everything at this level except changing roles',
      permissions: all.filter((p) => p !== 'roles:manage'),
    },
    {
      id: `rol_${level}Support`,
      level,
      name: 'support',
      description: 'Read-only, without the audit log',
      permissions: all.filter((p) => p.endsWith(':read') && !READ_ONLY_EXCLUDED.includes(p)),
    },
    { id: `rol_${level}Billing`, level, name: 'billing', description: 'Usage, calls and numbers, read-only', permissions: all.filter((p) => BILLING.includes(p)) },
  ].map((r) => ({ ...r, description: `${title} ${r.name}: ${r.description.toLowerCase()}` }));
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  ...builtInsOf('provider'),
  ...builtInsOf('reseller'),
  ...builtInsOf('tenant'),
  { id: 'rol_extensionUser', level: 'tenant', name: 'user', description: 'End user: one extension, its tokens and calls', permissions: USER_PERMISSIONS },
];
export const USER_ROLE_ID = 'rol_extensionUser';
export const ownerRoleId = (level: RoleLevel) => `rol_${level}Owner`;
const byId = new Map(BUILT_IN_ROLES.map((r) => [r.id, r]));
export const builtInRole = (id: string): BuiltInRole | undefined => byId.get(id);
export const isBuiltInName = (level: RoleLevel, name: string) => BUILT_IN_ROLES.some((r) => r.level === level && r.name === name.toLowerCase());

/** Each permission with the levels whose roles may hold it, for GET /v1/permissions. */
export function describePermissions() {
  return PERMISSIONS.map((id) => ({
    id,
    description: PERMISSION_DESCRIPTIONS[id],
    levels: (['provider', 'reseller', 'tenant'] as const).filter((level) => LEVEL_PERMISSIONS[level].includes(id)),
  }));
}

/** Checks requested permission strings: unknown ones, or ones above `level`, are a 400 that lists the valid ones. */
export function parsePermissions(level: RoleLevel, requested: readonly string[]): Permission[] {
  const allowed = LEVEL_PERMISSIONS[level];
  const bad = requested.filter((p) => !allowed.includes(p as Permission));
  if (bad.length > 0) throw new InvalidPermissions(bad, allowed, level);
  return [...new Set(requested as Permission[])].sort();
}

/** No privilege escalation: nobody hands out a permission they do not hold themselves. */
export function requireHeld(held: ReadonlySet<Permission>, wanted: readonly Permission[]): void {
  const missing = wanted.filter((p) => !held.has(p));
  if (missing.length > 0) throw new PermissionDenied(`you cannot grant permissions you do not hold: ${missing.join(', ')}`, missing);
}

export const rolePermissions = (role: RoleRow | BuiltInRole): Permission[] => role.permissions.filter((p): p is Permission => PERMISSIONS.includes(p as Permission));
