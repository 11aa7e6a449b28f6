import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, RingGroup } from '../models';
import type { RingGroupList, RingGroupCreateParams, RingGroupUpdateParams } from '../schemas/ring-groups';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).ringGroups`: numbers such as 600 that ring several extensions of the tenant. */
export class RingGroups extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  create(params: RingGroupCreateParams, options?: RequestOptions): APIPromise<RingGroup> {
    return this.client.request({ method: 'POST', path: this.#path(), body: params, schema: shapes.RingGroup }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<RingGroup> {
    return this.client.getList(this.#path(), shapes.RingGroupList, params, options);
  }

  retrieve(ringGroupId: string, options?: RequestOptions): APIPromise<RingGroup> {
    return this.client.request({ method: 'GET', path: this.#path(ringGroupId), schema: shapes.RingGroup }, options);
  }

  update(ringGroupId: string, params: RingGroupUpdateParams, options?: RequestOptions): APIPromise<RingGroup> {
    return this.client.request({ method: 'PATCH', path: this.#path(ringGroupId), body: params, schema: shapes.RingGroup }, options);
  }

  delete(ringGroupId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#path(ringGroupId), schema: shapes.Deleted }, options);
  }

  #path(ringGroupId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/ring-groups`;
    return ringGroupId === undefined ? base : base + path`/${ringGroupId}`;
  }
}
