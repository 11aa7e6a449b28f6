import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { AnalyticsSummary, AnalyticsTenantRow } from '../models';
import type { AnalyticsSummaryParams, AnalyticsTenantListParams } from '../schemas/analytics';
import type { Highrise } from '../client';
import type { PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/**
 * `hr.analytics`: call figures across every tenant the key may see (provider: all; reseller: its
 * own). `summary({ from, to, interval: 'day', tz: 'Europe/Paris' })` buckets them in a time zone;
 * `tenants({ sort: 'calls' })` is one row per tenant with its usage against its limits (`for await`
 * pages through all).
 */
export class Analytics extends APIResource {
  summary(params?: AnalyticsSummaryParams, options?: RequestOptions): APIPromise<AnalyticsSummary> {
    return this.client.request({ method: 'GET', path: '/v1/analytics/summary', query: { ...params }, schema: shapes.AnalyticsSummary }, options);
  }

  tenants(params?: AnalyticsTenantListParams, options?: RequestOptions): PagePromise<AnalyticsTenantRow> {
    return this.client.getList('/v1/analytics/tenants', shapes.AnalyticsTenantList, params, options);
  }
}

/** `hr.tenant(id).analytics`: one tenant's figures, with its peak channels and figures now. */
export class TenantAnalytics extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  summary(params?: AnalyticsSummaryParams, options?: RequestOptions): APIPromise<AnalyticsSummary> {
    return this.client.request({ method: 'GET', path: path`/v1/tenants/${this.tenantId}/analytics/summary`, query: { ...params }, schema: shapes.AnalyticsSummary }, options);
  }
}
