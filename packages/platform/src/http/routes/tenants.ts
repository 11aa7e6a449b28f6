import { ListParams, Tenant, TenantCreateParams, TenantCreateResponse, TenantList, TenantUpdateParams } from '@highrise/sdk/schemas';
import { createTenant, listTenants, setTenantStatus, updateTenant } from '../../domain/tenants';
import { presentPage, presentTenant } from '../present';
import { route, tenantRoute } from '../route';

export const tenantRoutes = [
  route({
    method: 'POST',
    path: '/v1/tenants',
    scope: 'platform',
    permission: 'tenants:write',
    operationId: 'createTenant',
    summary: 'Create a tenant (optionally with an admin API key, shown once)',
    body: TenantCreateParams,
    response: { status: 201, schema: TenantCreateResponse, description: 'The new tenant, and its admin key when `admin` was given' },
    errors: ['tenant_exists'],
    handle: async ({ services, actor, body }) => {
      const { tenant, adminKey } = await createTenant(services.domain, actor, body);
      return adminKey ? { tenant: presentTenant(tenant), adminKey } : { tenant: presentTenant(tenant) };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/tenants',
    scope: 'authenticated',
    permission: 'tenants:read',
    operationId: 'listTenants',
    summary: 'List the tenants this key may see',
    query: ListParams,
    response: { status: 200, schema: TenantList, description: 'One page of tenants' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listTenants(services.domain, principal, { limit: query.limit, after: query.cursor }), presentTenant),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    permission: 'tenants:read',
    operationId: 'retrieveTenant',
    summary: 'Retrieve a tenant',
    response: { status: 200, schema: Tenant, description: 'The tenant' },
    handle: ({ tenant }) => presentTenant(tenant.tenant),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    permission: 'tenants:write',
    operationId: 'updateTenant',
    summary: 'Change a tenant\'s name or limits',
    body: TenantUpdateParams,
    response: { status: 200, schema: Tenant, description: 'The updated tenant' },
    handle: async ({ services, actor, tenant, body }) => presentTenant(await updateTenant(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/suspend',
    permission: 'tenants:suspend',
    operationId: 'suspendTenant',
    summary: "Suspend a tenant: its keys, softphone tokens and phones are refused at once",
    response: { status: 200, schema: Tenant, description: 'The suspended tenant' },
    handle: async ({ services, actor, tenant }) => presentTenant(await setTenantStatus(services.domain, actor, tenant, 'suspended')),
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/resume',
    permission: 'tenants:suspend',
    operationId: 'resumeTenant',
    summary: 'Resume a suspended tenant',
    response: { status: 200, schema: Tenant, description: 'The active tenant' },
    handle: async ({ services, actor, tenant }) => presentTenant(await setTenantStatus(services.domain, actor, tenant, 'active')),
  }),
];
