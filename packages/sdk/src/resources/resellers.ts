import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Reseller } from '../models';
import type { ResellerList, ResellerCreateParams, ResellerUpdateParams } from '../schemas/resellers';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.resellers`: provider-wide; resellers own tenants through `resellerId`. */
export class Resellers extends APIResource {
  create(params: ResellerCreateParams, options?: RequestOptions): APIPromise<Reseller> {
    return this.client.request({ method: 'POST', path: '/v1/resellers', body: params, schema: shapes.Reseller }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Reseller> {
    return this.client.getList('/v1/resellers', shapes.ResellerList, params, options);
  }

  retrieve(resellerId: string, options?: RequestOptions): APIPromise<Reseller> {
    return this.client.request({ method: 'GET', path: path`/v1/resellers/${resellerId}`, schema: shapes.Reseller }, options);
  }

  update(resellerId: string, params: ResellerUpdateParams, options?: RequestOptions): APIPromise<Reseller> {
    return this.client.request({ method: 'PATCH', path: path`/v1/resellers/${resellerId}`, body: params, schema: shapes.Reseller }, options);
  }

  /** Refuses the reseller's keys and all its tenants' keys, tokens and phones until `resume`. */
  suspend(resellerId: string, options?: RequestOptions): APIPromise<Reseller> {
    return this.client.request({ method: 'POST', path: path`/v1/resellers/${resellerId}/suspend`, schema: shapes.Reseller }, options);
  }

  resume(resellerId: string, options?: RequestOptions): APIPromise<Reseller> {
    return this.client.request({ method: 'POST', path: path`/v1/resellers/${resellerId}/resume`, schema: shapes.Reseller }, options);
  }
}
