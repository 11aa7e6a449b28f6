import { ListParams, Reseller, ResellerCreateParams, ResellerList } from '@highrise/sdk/schemas';
import { createReseller, listResellers, retrieveReseller } from '../../domain/resellers';
import { presentPage, presentReseller } from '../present';
import { route } from '../route';

export const resellerRoutes = [
  route({
    method: 'POST',
    path: '/v1/resellers',
    scope: 'provider',
    operationId: 'createReseller',
    summary: 'Create a reseller',
    body: ResellerCreateParams,
    response: { status: 201, schema: Reseller, description: 'The new reseller' },
    handle: ({ services, actor, body }) => presentReseller(createReseller(services.domain, actor, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/resellers',
    scope: 'provider',
    operationId: 'listResellers',
    summary: 'List resellers',
    query: ListParams,
    response: { status: 200, schema: ResellerList, description: 'One page of resellers' },
    handle: ({ services, principal, query }) =>
      presentPage(listResellers(services.domain, principal, { limit: query.limit, after: query.cursor }), presentReseller),
  }),
  route({
    method: 'GET',
    path: '/v1/resellers/{resellerId}',
    scope: 'provider',
    operationId: 'retrieveReseller',
    summary: 'Retrieve a reseller',
    response: { status: 200, schema: Reseller, description: 'The reseller' },
    handle: ({ services, principal, params }) => presentReseller(retrieveReseller(services.domain, principal, params.resellerId!)),
  }),
];
