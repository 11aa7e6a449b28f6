import type { TenantRow } from '../store/types';
import type { Permission } from './permissions';

/** What every principal carries: the key it came from, its role, and that role's permissions. */
interface Grant {
  keyId: string;
  roleId: string;
  permissions: ReadonlySet<Permission>;
}

/** Who is calling, resolved once from the API key. */
export type Principal =
  | ({ kind: 'provider' } & Grant)
  | ({ kind: 'reseller'; resellerId: string } & Grant)
  | ({ kind: 'tenant'; tenantId: string } & Grant)
  /** An end user: the owner of one extension, who sees only that extension. */
  | ({ kind: 'user'; tenantId: string; extensionId: string } & Grant);

/** The caller of one mutation, written into its audit event. */
export interface Actor {
  principal: Principal;
  requestId: string | null;
  /** The client address the request came from, when known. */
  sourceAddress?: string | null | undefined;
}

/** Keys that live inside one tenant (its admins and its end users). */
export const isTenantLevel = (p: Principal): p is Extract<Principal, { kind: 'tenant' | 'user' }> => p.kind === 'tenant' || p.kind === 'user';

/** The one rule of tenant visibility: the provider sees all, a reseller its own, a tenant (or its user) itself. */
export function canSeeTenant(principal: Principal, tenant: TenantRow): boolean {
  switch (principal.kind) {
    case 'provider':
      return true;
    case 'reseller':
      return tenant.resellerId === principal.resellerId;
    case 'tenant':
    case 'user':
      return tenant.id === principal.tenantId;
  }
}
