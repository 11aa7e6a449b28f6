import type { TenantRow } from '../store/types';

/** Who is calling, resolved once from the API key. */
export type Principal =
  | { kind: 'provider'; keyId: string }
  | { kind: 'reseller'; keyId: string; resellerId: string }
  | { kind: 'tenant'; keyId: string; tenantId: string };

/** The caller of one mutation, written into its audit event. */
export interface Actor {
  principal: Principal;
  requestId: string | null;
}

/** The one rule of tenant visibility: the provider sees all, a reseller its own, a tenant itself. */
export function canSeeTenant(principal: Principal, tenant: TenantRow): boolean {
  switch (principal.kind) {
    case 'provider':
      return true;
    case 'reseller':
      return tenant.resellerId === principal.resellerId;
    case 'tenant':
      return tenant.id === principal.tenantId;
  }
}
