/**
 * Storage contract of the tenant life cycle: soft deletion, restore and the purge after the
 * retention period (docs/decisions/2026-12-01-tenant-lifecycle.md). Kept beside types.ts so the
 * rest of the contract is untouched; both stores implement it in a module of its own.
 */
import type { NumberRouting } from './dial-plan-types';
import type { Status } from './types';
import type { TenantScope } from './tenant-scope';

/** What a restore puts back, kept with the deleted tenant. */
export interface DeletedTenantState {
  /** The tenant's status before the deletion (a deleted tenant's row says `suspended`). */
  status: Status;
  /** Numbers handed back to the inventory at deletion, with the routing they had. */
  numbers: { id: string; number: string; routing: NumberRouting | null }[];
}

export interface TenantLifecycleStore {
  /**
   * Marks a tenant deleted: `status` becomes `suspended` (every gate that refuses a suspended tenant
   * refuses it), `deletedAt`/`purgeAt` are set and `state` is kept for a restore. False when there is
   * no such tenant or it is deleted already (two deletions racing: one wins).
   */
  markDeleted(scope: TenantScope, at: { deletedAt: string; purgeAt: string }, state: DeletedTenantState): Promise<boolean>;
  /** What a restore of this deleted tenant would put back; undefined when it is not deleted. */
  deletedState(scope: TenantScope): Promise<DeletedTenantState | undefined>;
  /** Ends the deletion with `status`; false when the tenant is not (or no longer) deleted. */
  clearDeleted(scope: TenantScope, status: Status, updatedAt: string): Promise<boolean>;
  /** Deleted tenants whose retention ended at or before `at`, soonest first (the purge job opens each with its own system scope). */
  duePurgeAcrossTenants(at: string, limit: number): Promise<string[]>;
  /**
   * Deletes a deleted tenant whose retention ended by `at`, and with it (foreign keys, ON DELETE
   * CASCADE) every row it owns. Audit events carry no foreign key and stay. False when the tenant
   * is not deleted, was restored meanwhile, or is not due.
   */
  purge(scope: TenantScope, at: string): Promise<boolean>;
}
