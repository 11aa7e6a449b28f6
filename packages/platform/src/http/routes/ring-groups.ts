import { Deleted, ListParams, RingGroup, RingGroupCreateParams, RingGroupList, RingGroupUpdateParams } from '@highrise/sdk/schemas';
import { createRingGroup, deleteRingGroup, listRingGroups, retrieveRingGroup, updateRingGroup } from '../../domain/ring-groups';
import { presentRingGroup } from '../present-dial-plan';
import { presentPage } from '../present';
import { tenantRoute } from '../route';

export const ringGroupRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/ring-groups',
    permission: 'dial_plans:write',
    operationId: 'createRingGroup',
    summary: 'Create a ring group; its number shares the tenant’s namespace with extensions',
    body: RingGroupCreateParams,
    response: { status: 201, schema: RingGroup, description: 'The new ring group' },
    errors: ['extension_exists', 'limit_exceeded'],
    handle: async ({ services, actor, tenant, body }) => presentRingGroup(await createRingGroup(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/ring-groups',
    permission: 'dial_plans:read',
    operationId: 'listRingGroups',
    summary: 'List the tenant’s ring groups',
    query: ListParams,
    response: { status: 200, schema: RingGroupList, description: 'One page of ring groups' },
    handle: async ({ tenant, query }) => presentPage(await listRingGroups(tenant, { limit: query.limit, after: query.cursor }), presentRingGroup),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/ring-groups/{ringGroupId}',
    permission: 'dial_plans:read',
    operationId: 'retrieveRingGroup',
    summary: 'Retrieve a ring group',
    response: { status: 200, schema: RingGroup, description: 'The ring group' },
    handle: async ({ tenant, params }) => presentRingGroup(await retrieveRingGroup(tenant, params.ringGroupId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/ring-groups/{ringGroupId}',
    permission: 'dial_plans:write',
    operationId: 'updateRingGroup',
    summary: 'Change a ring group’s name, strategy, timeout or members',
    body: RingGroupUpdateParams,
    response: { status: 200, schema: RingGroup, description: 'The updated ring group' },
    handle: async ({ services, actor, tenant, params, body }) => presentRingGroup(await updateRingGroup(services.domain, actor, tenant, params.ringGroupId, body)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/ring-groups/{ringGroupId}',
    permission: 'dial_plans:write',
    operationId: 'deleteRingGroup',
    summary: 'Delete a ring group',
    response: { status: 200, schema: Deleted, description: 'The ring group is gone' },
    handle: async ({ services, actor, tenant, params }) => {
      await deleteRingGroup(services.domain, actor, tenant, params.ringGroupId);
      return { id: params.ringGroupId, object: 'ring_group', deleted: true as const };
    },
  }),
];
