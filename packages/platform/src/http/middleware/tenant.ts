import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { DomainContext } from '../../domain/context';
import { TenantIsDeleted } from '../../domain/tenant-lifecycle';
import { accessTenant } from '../../domain/tenants';
import type { HttpEnv } from '../env';
import { unguardedTenantAccess } from '../unguarded';

/** A tenant that does not exist and one the key may not see answer alike. */
export const tenantErrors = ['not_found'] as const satisfies readonly ErrorCode[];

/**
 * The tenant gate of every route under /v1/tenants/{tenantId}: resolves the tenant through the
 * domain's access check (the only way to a tenant scope) before anything reads the input, so a
 * foreign tenant is a plain 404. Runs after scope.ts, so a principal is present.
 */
export const tenantGate = (domain: DomainContext): MiddlewareHandler<HttpEnv> => async (c, next) => {
  c.set('tenant', await accessTenant(domain, c.get('principal')!, c.req.param('tenantId') ?? ''));
  await next();
};

/** Benchmarks only (AppOptions.unguardedPrincipal): the same tenant, without asking whether the caller may see it. */
export const unguardedTenantGate = (domain: DomainContext): MiddlewareHandler<HttpEnv> => async (c, next) => {
  c.set('tenant', await unguardedTenantAccess(domain, c.req.param('tenantId') ?? ''));
  await next();
};

/** A deleted tenant's write: refused as `invalid_state` (only a restore is allowed). */
export const deletedTenantErrors = ['invalid_state'] as const satisfies readonly ErrorCode[];

/**
 * A deleted tenant's data is read (and exported) until its purge, but changed only by a restore:
 * every non-GET tenant route but those with `allowDeletedTenant` refuses it. Runs after the tenant
 * gate and the permission check, so a key that may not do this still hears 404 or 403 first.
 */
export const deletedTenantGate = (action: string): MiddlewareHandler<HttpEnv> => async (c, next) => {
  if (c.get('tenant').tenant.deletedAt) throw new TenantIsDeleted(action);
  await next();
};
