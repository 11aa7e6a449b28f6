import { Deleted, ListParams, NumberCreateParams, NumberListParams, NumberUpdateParams, PhoneNumber, PhoneNumberList } from '@highrise/sdk/schemas';
import {
  addInventoryNumber,
  assignNumber,
  deleteInventoryNumber,
  listInventory,
  listTenantNumbers,
  releaseNumber,
  retrieveInventoryNumber,
  retrieveTenantNumber,
  routeNumber,
} from '../../domain/numbers';
import { presentNumber } from '../present-dial-plan';
import { presentPage } from '../present';
import { route, tenantRoute } from '../route';

/*
 * `/v1/numbers` is the provider's inventory (every DID on the platform, assigned or not);
 * `/v1/tenants/{tenantId}/numbers` is what one tenant holds. Codes: 409 number_exists (already in
 * inventory, or already this tenant's), 409 number_taken (another tenant holds it), 404
 * number_not_found (assigning a number that is not in inventory), 400 validation_error (not E.164).
 */
export const numberRoutes = [
  route({
    method: 'POST',
    path: '/v1/numbers',
    scope: 'provider',
    permission: 'numbers:write',
    operationId: 'createNumber',
    summary: "Add a number to the provider's inventory",
    body: NumberCreateParams,
    response: { status: 201, schema: PhoneNumber, description: 'The number, normalised to E.164, unassigned' },
    errors: ['number_exists'],
    handle: async ({ services, actor, body }) => presentNumber(await addInventoryNumber(services.domain, actor, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/numbers',
    scope: 'provider',
    permission: 'numbers:read',
    operationId: 'listNumbers',
    summary: 'List every number on the platform; `assigned=false` lists what is still available',
    query: NumberListParams,
    response: { status: 200, schema: PhoneNumberList, description: 'One page of numbers' },
    handle: async ({ services, query }) =>
      presentPage(await listInventory(services.domain, { limit: query.limit, after: query.cursor }, { assigned: query.assigned }), presentNumber),
  }),
  route({
    method: 'GET',
    path: '/v1/numbers/{numberId}',
    scope: 'provider',
    permission: 'numbers:read',
    operationId: 'retrieveNumber',
    summary: 'Retrieve a number, with the tenant holding it',
    response: { status: 200, schema: PhoneNumber, description: 'The number' },
    handle: async ({ services, params }) => presentNumber(await retrieveInventoryNumber(services.domain, params.numberId)),
  }),
  route({
    method: 'DELETE',
    path: '/v1/numbers/{numberId}',
    scope: 'provider',
    permission: 'numbers:write',
    operationId: 'deleteNumber',
    summary: 'Remove an unassigned number from the platform (409 number_taken while a tenant holds it)',
    response: { status: 200, schema: Deleted, description: 'The number is gone' },
    errors: ['number_taken'],
    handle: async ({ services, actor, params }) => {
      await deleteInventoryNumber(services.domain, actor, params.numberId);
      return { id: params.numberId, object: 'number', deleted: true as const };
    },
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/numbers',
    permission: 'numbers:write',
    operationId: 'assignNumber',
    summary: 'Assign a number from inventory to the tenant (provider or reseller keys)',
    body: NumberCreateParams,
    response: { status: 201, schema: PhoneNumber, description: 'The number, now the tenant’s, not yet routed' },
    errors: ['number_not_found', 'number_exists', 'number_taken'],
    handle: async ({ services, actor, tenant, body }) => presentNumber(await assignNumber(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/numbers',
    permission: 'numbers:read',
    operationId: 'listTenantNumbers',
    summary: 'List the numbers the tenant holds',
    query: ListParams,
    response: { status: 200, schema: PhoneNumberList, description: 'One page of numbers' },
    handle: async ({ tenant, query }) => presentPage(await listTenantNumbers(tenant, { limit: query.limit, after: query.cursor }), presentNumber),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/numbers/{numberId}',
    permission: 'numbers:read',
    operationId: 'retrieveTenantNumber',
    summary: 'Retrieve one of the tenant’s numbers',
    response: { status: 200, schema: PhoneNumber, description: 'The number' },
    handle: async ({ tenant, params }) => presentNumber(await retrieveTenantNumber(tenant, params.numberId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/numbers/{numberId}',
    permission: 'numbers:write',
    operationId: 'routeNumber',
    summary: 'Route a number to an extension, a ring group or a dial rule of the tenant',
    body: NumberUpdateParams,
    response: { status: 200, schema: PhoneNumber, description: 'The routed number' },
    handle: async ({ services, actor, tenant, params, body }) => presentNumber(await routeNumber(services.domain, actor, tenant, params.numberId, body)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/numbers/{numberId}',
    permission: 'numbers:write',
    operationId: 'releaseNumber',
    summary: 'Release a number back to the provider’s inventory',
    response: { status: 200, schema: Deleted, description: 'The tenant no longer holds the number' },
    handle: async ({ services, actor, tenant, params }) => {
      await releaseNumber(services.domain, actor, tenant, params.numberId);
      return { id: params.numberId, object: 'number', deleted: true as const };
    },
  }),
];
