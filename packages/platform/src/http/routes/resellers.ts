import { ListParams, Reseller, ResellerCreateParams, ResellerList, ResellerUpdateParams } from '@highrise/sdk/schemas';
import { createReseller, listResellers, retrieveReseller, setResellerStatus, updateReseller } from '../../domain/resellers';
import { presentPage, presentReseller } from '../present';
import { route } from '../route';

export const resellerRoutes = [
  route({
    method: 'POST',
    path: '/v1/resellers',
    scope: 'provider',
    permission: 'resellers:write',
    operationId: 'createReseller',
    summary: 'Create a reseller',
    body: ResellerCreateParams,
    response: { status: 201, schema: Reseller, description: 'The new reseller' },
    handle: async ({ services, actor, body }) => presentReseller(await createReseller(services.domain, actor, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/resellers',
    scope: 'provider',
    permission: 'resellers:read',
    operationId: 'listResellers',
    summary: 'List resellers',
    query: ListParams,
    response: { status: 200, schema: ResellerList, description: 'One page of resellers' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listResellers(services.domain, principal, { limit: query.limit, after: query.cursor }), presentReseller),
  }),
  route({
    method: 'GET',
    path: '/v1/resellers/{resellerId}',
    scope: 'provider',
    permission: 'resellers:read',
    operationId: 'retrieveReseller',
    summary: 'Retrieve a reseller',
    response: { status: 200, schema: Reseller, description: 'The reseller' },
    handle: async ({ services, principal, params }) => presentReseller(await retrieveReseller(services.domain, principal, params.resellerId)),
  }),
  route({
    method: 'PATCH',
    path: '/v1/resellers/{resellerId}',
    scope: 'provider',
    permission: 'resellers:write',
    operationId: 'updateReseller',
    summary: "Change a reseller's name",
    body: ResellerUpdateParams,
    response: { status: 200, schema: Reseller, description: 'The updated reseller' },
    handle: async ({ services, actor, params, body }) => presentReseller(await updateReseller(services.domain, actor, params.resellerId, body)),
  }),
  route({
    method: 'POST',
    path: '/v1/resellers/{resellerId}/suspend',
    scope: 'provider',
    permission: 'resellers:write',
    operationId: 'suspendReseller',
    summary: "Suspend a reseller: its keys, all its tenants' keys, tokens and phones are refused until resumed",
    response: { status: 200, schema: Reseller, description: 'The suspended reseller' },
    handle: async ({ services, actor, params }) => presentReseller(await setResellerStatus(services.domain, actor, params.resellerId, 'suspended')),
  }),
  route({
    method: 'POST',
    path: '/v1/resellers/{resellerId}/resume',
    scope: 'provider',
    permission: 'resellers:write',
    operationId: 'resumeReseller',
    summary: 'Resume a suspended reseller and its tenants (those not suspended on their own)',
    response: { status: 200, schema: Reseller, description: 'The active reseller' },
    handle: async ({ services, actor, params }) => presentReseller(await setResellerStatus(services.domain, actor, params.resellerId, 'active')),
  }),
];
