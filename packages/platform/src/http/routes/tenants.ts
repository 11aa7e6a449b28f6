import { ListParams, Tenant, TenantCreateParams, TenantCreateResponse, TenantList, TenantUpdateParams } from '@highrise/sdk/schemas';
import { createTenant, listTenants, updateTenant } from '../../domain/tenants';
import { presentPage, presentTenant } from '../present';
import { route, tenantRoute } from '../route';

export const tenantRoutes = [
  route({
    method: 'POST',
    path: '/v1/tenants',
    scope: 'platform',
    operationId: 'createTenant',
    summary: 'Create a tenant (optionally with an admin API key, shown once)',
    body: TenantCreateParams,
    response: { status: 201, schema: TenantCreateResponse, description: 'The new tenant, and its admin key when `admin` was given' },
    handle: ({ services, actor, body }) => {
      const { tenant, adminKey } = createTenant(services.domain, actor, body);
      return adminKey ? { tenant: presentTenant(tenant), adminKey } : { tenant: presentTenant(tenant) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/tenants',
    scope: 'authenticated',
    operationId: 'listTenants',
    summary: 'List the tenants this key may see',
    query: ListParams,
    response: { status: 200, schema: TenantList, description: 'One page of tenants' },
    handle: ({ services, principal, query }) =>
      presentPage(listTenants(services.domain, principal, { limit: query.limit, after: query.cursor }), presentTenant),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    operationId: 'retrieveTenant',
    summary: 'Retrieve a tenant',
    response: { status: 200, schema: Tenant, description: 'The tenant' },
    handle: ({ tenant }) => presentTenant(tenant.tenant),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    operationId: 'updateTenant',
    summary: 'Change a tenant\'s name or limits',
    body: TenantUpdateParams,
    response: { status: 200, schema: Tenant, description: 'The updated tenant' },
    handle: ({ services, actor, tenant, body }) => presentTenant(updateTenant(services.domain, actor, tenant, body)),
  }),
];
