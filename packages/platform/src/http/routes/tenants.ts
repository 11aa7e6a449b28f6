import { Tenant, TenantCreateParams, TenantCreateResponse, TenantExportRecord, TenantList, TenantListParams, TenantRestoreResponse, TenantUpdateParams } from '@highrise/sdk/schemas';
import { createTenant, listTenants, setTenantStatus, updateTenant } from '../../domain/tenants';
import { deleteTenant, restoreTenant } from '../../domain/tenant-lifecycle';
import { attachmentDisposition } from '../content-disposition';
import { presentPage, presentTenant } from '../present';
import { route, tenantRoute } from '../route';
import { jsonLinesResponse, tenantExportRecords } from '../tenant-export';
import { renderForVersion } from '../version';

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
    summary: 'List the tenants this key may see (deleted ones only with `status=deleted`)',
    query: TenantListParams,
    response: { status: 200, schema: TenantList, description: 'One page of tenants' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listTenants(services.domain, principal, { limit: query.limit, after: query.cursor }, query.status), presentTenant),
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
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}',
    permission: 'tenants:delete',
    operationId: 'deleteTenant',
    summary:
      "Delete a tenant: its keys, softphone tokens and phones are refused and its numbers return to the inventory at once; its data is kept until `purgeAt` (the retention period), then purged (audit events stay). Refused with 409 `port_orders_open` while it has open port orders",
    response: { status: 200, schema: Tenant, description: 'The deleted tenant (`status: deleted`, with `purgeAt`)' },
    errors: ['port_orders_open'],
    handle: async ({ services, actor, tenant }) => presentTenant(await deleteTenant(services.domain, actor, tenant)),
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/restore',
    permission: 'tenants:delete',
    operationId: 'restoreTenant',
    summary: 'Restore a deleted tenant before its purge: its status and the numbers that are still free come back; the response lists those that could not',
    response: { status: 200, schema: TenantRestoreResponse, description: 'The restored tenant, and which of its numbers came back' },
    allowDeletedTenant: true,
    errors: ['invalid_state'],
    handle: async ({ services, actor, tenant }) => {
      const outcome = await restoreTenant(services.domain, actor, tenant);
      return { tenant: presentTenant(outcome.tenant), restoredNumbers: outcome.restoredNumbers, unavailableNumbers: outcome.unavailableNumbers };
    },
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/export',
    permission: 'tenants:export',
    operationId: 'exportTenant',
    summary:
      "Stream everything the tenant owns as JSON Lines (`application/x-ndjson`), one `{type, data}` record per line: the tenant, extensions, numbers, dial rules, ring groups, trunks, roles, API keys, webhook endpoints, calls, port orders, audit events; never a secret. The last line is `end`, with the counts",
    response: { status: 200, schema: TenantExportRecord, description: 'One record per line; the last is `{"type":"end"}`', mediaTypes: ['application/x-ndjson'] },
    handle: ({ services, principal, tenant, version }) =>
      jsonLinesResponse(tenantExportRecords(services.domain, principal, tenant), (record) => renderForVersion(version, record), {
        'Content-Disposition': attachmentDisposition(`${tenant.tenant.slug}-export.jsonl`),
        'Cache-Control': 'no-store',
      }),
  }),
];
