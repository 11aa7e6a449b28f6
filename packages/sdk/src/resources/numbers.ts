import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, PhoneNumber } from '../models';
import type { PhoneNumberList, NumberCreateParams, NumberListParams, NumberUpdateParams } from '../schemas/numbers';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.numbers`: the provider's inventory of DIDs. Provider keys only; numbers are sent in any international spelling and stored as E.164. */
export class Numbers extends APIResource {
  create(params: NumberCreateParams, options?: RequestOptions): APIPromise<PhoneNumber> {
    return this.client.request({ method: 'POST', path: '/v1/numbers', body: params, schema: shapes.PhoneNumber }, options);
  }

  /** `{ assigned: false }` lists only the numbers still available. */
  list(params?: NumberListParams, options?: RequestOptions): PagePromise<PhoneNumber> {
    return this.client.getList('/v1/numbers', shapes.PhoneNumberList, params as CursorPageParams | undefined, options);
  }

  retrieve(numberId: string, options?: RequestOptions): APIPromise<PhoneNumber> {
    return this.client.request({ method: 'GET', path: path`/v1/numbers/${numberId}`, schema: shapes.PhoneNumber }, options);
  }

  /** Only an unassigned number can be deleted (409 number_taken otherwise). */
  delete(numberId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: path`/v1/numbers/${numberId}`, schema: shapes.Deleted }, options);
  }
}

/** `hr.tenant(id).numbers`: the DIDs one tenant holds. */
export class TenantNumbers extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  /** Takes the number from inventory (provider or reseller keys): 409 number_taken if another tenant holds it, 404 number_not_found if it is not in inventory. */
  assign(params: NumberCreateParams, options?: RequestOptions): APIPromise<PhoneNumber> {
    return this.client.request({ method: 'POST', path: this.#path(), body: params, schema: shapes.PhoneNumber }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<PhoneNumber> {
    return this.client.getList(this.#path(), shapes.PhoneNumberList, params, options);
  }

  retrieve(numberId: string, options?: RequestOptions): APIPromise<PhoneNumber> {
    return this.client.request({ method: 'GET', path: this.#path(numberId), schema: shapes.PhoneNumber }, options);
  }

  /** Routes the number: `{ routing: { type: 'extension', target: '101' } }`; `{ routing: null }` unroutes it. */
  update(numberId: string, params: NumberUpdateParams, options?: RequestOptions): APIPromise<PhoneNumber> {
    return this.client.request({ method: 'PATCH', path: this.#path(numberId), body: params, schema: shapes.PhoneNumber }, options);
  }

  /** Returns the number to the provider's inventory. */
  release(numberId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#path(numberId), schema: shapes.Deleted }, options);
  }

  #path(numberId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/numbers`;
    return numberId === undefined ? base : base + path`/${numberId}`;
  }
}
