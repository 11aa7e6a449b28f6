import { Call, CallList, CallListParams, TenantUsage } from '@highrise/sdk/schemas';
import { listCalls, retrieveCall } from '../../domain/calls';
import { tenantUsage } from '../../domain/usage';
import { presentCall, presentPage, presentUsage } from '../present';
import { tenantRoute } from '../route';

export const callRoutes = [
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/calls',
    permission: 'calls:read',
    operationId: 'listCalls',
    summary: 'List the tenant\'s call records, oldest first (newest with order=desc), with filters',
    query: CallListParams,
    response: { status: 200, schema: CallList, description: 'One page of call records' },
    handle: async ({ tenant, query }) => {
      const { limit, cursor, order, ...filter } = query;
      return presentPage(await listCalls(tenant, { limit, after: cursor, order }, filter), presentCall);
    },
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/calls/{callId}',
    permission: 'calls:read',
    operationId: 'retrieveCall',
    summary: 'Retrieve one call record',
    response: { status: 200, schema: Call, description: 'The call record' },
    handle: async ({ tenant, params }) => presentCall(await retrieveCall(tenant, params.callId)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/usage',
    permission: 'analytics:read',
    operationId: 'retrieveTenantUsage',
    summary: 'Live channels, registrations and messages, and extensions, each beside its limit',
    response: { status: 200, schema: TenantUsage, description: 'The tenant\'s usage now' },
    handle: async ({ services, tenant }) => presentUsage(await tenantUsage(tenant, services.liveCounters(tenant.tenant.id), services.domain.now())),
  }),
];
