import { Deleted, ListParams, Trunk, TrunkCreateParams, TrunkList, TrunkUpdateParams, TrunkUpdateResponse, TrunkWithPassword } from '@highrise/sdk/schemas';
import { createTrunk, deleteTrunk, listTrunks, retrieveTrunk, updateTrunk } from '../../domain/trunks';
import { presentTrunk } from '../present-dial-plan';
import { presentPage } from '../present';
import { tenantRoute } from '../route';

export const trunkRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/trunks',
    permission: 'trunks:write',
    operationId: 'createTrunk',
    summary: 'Create a carrier trunk; its digest password is returned this once',
    body: TrunkCreateParams,
    response: { status: 201, schema: TrunkWithPassword, description: 'The new trunk with its password' },
    errors: ['limit_exceeded'],
    handle: async ({ services, actor, tenant, body }) => {
      const { trunk, password } = await createTrunk(services.domain, actor, tenant, body);
      return { ...presentTrunk(trunk, tenant.tenant.sipDomain), password };
    },
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/trunks',
    permission: 'trunks:read',
    operationId: 'listTrunks',
    summary: 'List the tenant’s trunks',
    query: ListParams,
    response: { status: 200, schema: TrunkList, description: 'One page of trunks' },
    handle: async ({ tenant, query }) => presentPage(await listTrunks(tenant, { limit: query.limit, after: query.cursor }), (t) => presentTrunk(t, tenant.tenant.sipDomain)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/trunks/{trunkId}',
    permission: 'trunks:read',
    operationId: 'retrieveTrunk',
    summary: 'Retrieve a trunk',
    response: { status: 200, schema: Trunk, description: 'The trunk' },
    handle: async ({ tenant, params }) => presentTrunk(await retrieveTrunk(tenant, params.trunkId), tenant.tenant.sipDomain),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/trunks/{trunkId}',
    permission: 'trunks:write',
    operationId: 'updateTrunk',
    summary: 'Rename a trunk, change its caller id, or rotate its password',
    body: TrunkUpdateParams,
    response: { status: 200, schema: TrunkUpdateResponse, description: 'The trunk, with the new password when rotated' },
    handle: async ({ services, actor, tenant, params, body }) => {
      const { trunk, password } = await updateTrunk(services.domain, actor, tenant, params.trunkId, body);
      const presented = presentTrunk(trunk, tenant.tenant.sipDomain);
      return password === undefined ? presented : { ...presented, password };
    },
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/trunks/{trunkId}',
    permission: 'trunks:write',
    operationId: 'deleteTrunk',
    summary: 'Delete a trunk',
    response: { status: 200, schema: Deleted, description: 'The trunk is gone' },
    handle: async ({ services, actor, tenant, params }) => {
      await deleteTrunk(services.domain, actor, tenant, params.trunkId);
      return { id: params.trunkId, object: 'trunk', deleted: true as const };
    },
  }),
];
