import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, Trunk, TrunkUpdateResponse, TrunkWithPassword } from '../models';
import type { TrunkList, TrunkCreateParams, TrunkUpdateParams } from '../schemas/trunks';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).trunks`: carrier connections; the digest password is in the create (and rotate) response only. */
export class Trunks extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  create(params: TrunkCreateParams, options?: RequestOptions): APIPromise<TrunkWithPassword> {
    return this.client.request({ method: 'POST', path: this.#path(), body: params, schema: shapes.TrunkWithPassword }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Trunk> {
    return this.client.getList(this.#path(), shapes.TrunkList, params, options);
  }

  retrieve(trunkId: string, options?: RequestOptions): APIPromise<Trunk> {
    return this.client.request({ method: 'GET', path: this.#path(trunkId), schema: shapes.Trunk }, options);
  }

  update(trunkId: string, params: TrunkUpdateParams, options?: RequestOptions): APIPromise<TrunkUpdateResponse> {
    return this.client.request({ method: 'PATCH', path: this.#path(trunkId), body: params, schema: shapes.TrunkUpdateResponse }, options);
  }

  delete(trunkId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#path(trunkId), schema: shapes.Deleted }, options);
  }

  #path(trunkId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/trunks`;
    return trunkId === undefined ? base : base + path`/${trunkId}`;
  }
}
