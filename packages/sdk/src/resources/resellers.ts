import { Reseller, ResellerList, type ResellerCreateParams } from '../schemas/resellers';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.resellers`: provider-wide; resellers own tenants through `resellerId`. */
export class Resellers extends APIResource {
  create(params: ResellerCreateParams, options?: RequestOptions): Promise<Reseller> {
    return this.client.request({ method: 'POST', path: '/v1/resellers', body: params, schema: Reseller }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Reseller> {
    return this.client.getList('/v1/resellers', ResellerList, params, options);
  }

  retrieve(resellerId: string, options?: RequestOptions): Promise<Reseller> {
    return this.client.request({ method: 'GET', path: path`/v1/resellers/${resellerId}`, schema: Reseller }, options);
  }
}
