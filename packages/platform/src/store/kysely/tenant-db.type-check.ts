/**
 * Compile-time proof of the tenant query helper's promise, checked by every `tsc --build`: each
 * line below is a query a tenant scope must not be able to write. Should the helper ever accept one
 * of them, its `@ts-expect-error` goes unused and the build fails. Never called.
 */
import type { TenantDb } from './tenant-db';

export function unscopedQueriesDoNotCompile(tenant: TenantDb): void {
  // @ts-expect-error a platform table is not reachable through the tenant helper
  tenant.selectFrom('tenants');
  // @ts-expect-error nor is one without a tenant column
  tenant.updateTable('webhook_deliveries');
  // @ts-expect-error an insert cannot name another tenant: the helper fills in tenant_id
  tenant.insertInto('extensions', { id: 'e', tenant_id: 'ten_other', number: '1', display_name: 'd', ha1: 'h', created_at: 'c', updated_at: 'u' });
  // @ts-expect-error the shared tables carry no tenant-owned table
  tenant.shared().selectFrom('extensions');
}
