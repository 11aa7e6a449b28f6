import { AnalyticsSummary, AnalyticsSummaryParams, AnalyticsTenantList, AnalyticsTenantListParams } from '@highrise/sdk/schemas';
import { platformSummary, tenantAnalytics, tenantSummary } from '../../domain/analytics';
import { presentSummary, presentTenantAnalytics, summaryCsv, tenantAnalyticsCsv, wantsCsv } from '../present-analytics';
import { route, tenantRoute } from '../route';

/** JSON by default; CSV (an attachment) when the request says `Accept: text/csv`. */
const CSV_OR_JSON = ['application/json', 'text/csv'];

export const analyticsRoutes = [
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/analytics/summary',
    permission: 'analytics:read',
    operationId: 'retrieveTenantAnalyticsSummary',
    summary: 'Call figures of one tenant, bucketed by hour, day or month in a time zone (CSV with Accept: text/csv)',
    query: AnalyticsSummaryParams,
    response: { status: 200, schema: AnalyticsSummary, description: 'The tenant\'s summary', mediaTypes: CSV_OR_JSON, headers: ['Content-Disposition'] },
    handle: async ({ services, tenant, query, request }) => {
      const summary = presentSummary(await tenantSummary(tenant, services.liveCounters(tenant.tenant.id), query, services.domain.now(), async () => services.domain.usage?.flush()));
      // CSV answers with its own Response (as downloads do), past the JSON response check.
      return wantsCsv(request) ? (summaryCsv(AnalyticsSummary.parse(summary)) as never) : summary;
    },
  }),
  route({
    method: 'GET',
    path: '/v1/analytics/summary',
    scope: 'platform',
    permission: 'analytics:read',
    operationId: 'retrieveAnalyticsSummary',
    summary: 'Call figures across every tenant the caller may see (provider: all; reseller: its own)',
    query: AnalyticsSummaryParams,
    response: { status: 200, schema: AnalyticsSummary, description: 'The summary across tenants', mediaTypes: CSV_OR_JSON, headers: ['Content-Disposition'] },
    handle: async ({ services, principal, query, request }) => {
      const summary = presentSummary(await platformSummary(services.domain, principal, query));
      // CSV answers with its own Response (as downloads do), past the JSON response check.
      return wantsCsv(request) ? (summaryCsv(AnalyticsSummary.parse(summary)) as never) : summary;
    },
  }),
  route({
    method: 'GET',
    path: '/v1/analytics/tenants',
    scope: 'platform',
    permission: 'analytics:read',
    operationId: 'listAnalyticsTenants',
    summary: 'One row per tenant the caller may see: call totals and usage against limits, sorted and paged',
    query: AnalyticsTenantListParams,
    response: { status: 200, schema: AnalyticsTenantList, description: 'One page of tenants', mediaTypes: CSV_OR_JSON, headers: ['Content-Disposition'] },
    handle: async ({ services, principal, query, request }) => {
      const page = await tenantAnalytics(services.domain, principal, query, services.liveCounters);
      const data = page.items.map(presentTenantAnalytics);
      return wantsCsv(request) ? (tenantAnalyticsCsv(data) as never) : { data, nextCursor: page.next };
    },
  }),
];
