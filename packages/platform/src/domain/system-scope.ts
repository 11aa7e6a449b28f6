import { mintTenantScope, type TenantScope } from '../store/tenant-scope';
import type { Principal } from './principal';

/**
 * Why code that no API caller drives may reach a tenant's rows. Each reason is a path that has
 * already established the tenant by other means than the access check: the SIP edge from the
 * request's domain or an authenticated credential, key authentication from the key's own row, a
 * background loop from the row it claimed. Closed, so every such path is named here and grep-able
 * (`systemScope(`); the layering test keeps the callers to an allow-list.
 */
export type SystemScopeReason =
  /** The SIP edge: directory loads, call records, softphone token signing keys. */
  | 'sip edge'
  /** A tenant key's own tenant (its role, its extension), once the key row was found by its secret or through a scope. */
  | 'api key resolution'
  /**
   * A port order's own tenant: the order row was claimed by the porting automation or cleanup loop,
   * or already read through a scope (the reviewer's completion, the order's webhook event).
   */
  | 'port order'
  /** The public branding endpoint, which resolves a tenant from its SIP domain. */
  | 'public branding'
  /** The purge job: a deleted tenant whose retention ended, found by the job's own cross-tenant query. */
  | 'tenant purge'
  /** The one-off re-keying of the audit chains written before the chain was keyed: every chain, by the job. */
  | 'audit maintenance'
  /** The in-process benchmark's unguarded app (createBenchmarkApis), never served. */
  | 'benchmark'
  /** The demo's call history (packages/examples), written straight into the store as the SIP edge would. */
  | 'demo seed'
  /** The usage counter's flush: tenants counted by the SIP edge or by a refused request, already established there. */
  | 'usage counter'
  /** Tests that seed rows directly through the store. */
  | 'test fixture';

/** A scope for one of the system paths above; the reason is kept on the scope as its origin. */
export function systemScope(reason: SystemScopeReason, tenantId: string): TenantScope {
  return mintTenantScope(tenantId, `system: ${reason}`);
}

/**
 * A tenant-level principal's own tenant: the one tenant its key was resolved to, so the access
 * check's answer is known (reading its role before any route's gate has run, for example). Kept
 * here, beside the system scopes, so that only this module and the access check mint scopes.
 */
export function ownTenantScope(principal: Extract<Principal, { kind: 'tenant' | 'user' }>): TenantScope {
  return mintTenantScope(principal.tenantId, 'access');
}
