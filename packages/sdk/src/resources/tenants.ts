import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Tenant, TenantCreateResponse } from '../models';
import type { TenantList, TenantCreateParams, TenantUpdateParams } from '../schemas/tenants';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenants`: tenants the key may see (a tenant key sees only its own). */
export class Tenants extends APIResource {
  /** Creates a tenant; with `admin`, also returns its admin key, whose secret is shown this once. */
  create(params: TenantCreateParams, options?: RequestOptions): APIPromise<TenantCreateResponse> {
    return this.client.request({ method: 'POST', path: '/v1/tenants', body: params, schema: shapes.TenantCreateResponse }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Tenant> {
    return this.client.getList('/v1/tenants', shapes.TenantList, params, options);
  }

  retrieve(tenantId: string, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.request({ method: 'GET', path: path`/v1/tenants/${tenantId}`, schema: shapes.Tenant }, options);
  }

  update(tenantId: string, params: TenantUpdateParams, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.request({ method: 'PATCH', path: path`/v1/tenants/${tenantId}`, body: params, schema: shapes.Tenant }, options);
  }

  /** Refuses the tenant's keys, softphone tokens and phones at once, until `resume`. */
  suspend(tenantId: string, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.request({ method: 'POST', path: path`/v1/tenants/${tenantId}/suspend`, schema: shapes.Tenant }, options);
  }

  resume(tenantId: string, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.request({ method: 'POST', path: path`/v1/tenants/${tenantId}/resume`, schema: shapes.Tenant }, options);
  }
}
