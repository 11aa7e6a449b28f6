import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { DomainContext } from '../../domain/context';
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
