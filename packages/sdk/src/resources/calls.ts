import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Call } from '../models';
import type { CallList, CallListParams } from '../schemas/calls';
import type { Highrise } from '../client';
import type { PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/**
 * `hr.tenant(id).calls`: the tenant's call records, written by the SIP edge as calls end.
 * `list({ extension: '101', disposition: 'answered' })` filters; `for await` pages through all.
 */
export class Calls extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  list(params?: CallListParams, options?: RequestOptions): PagePromise<Call> {
    return this.client.getList(this.#path(), shapes.CallList, params, options);
  }

  retrieve(callId: string, options?: RequestOptions): APIPromise<Call> {
    return this.client.request({ method: 'GET', path: this.#path(callId), schema: shapes.Call }, options);
  }

  #path(callId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/calls`;
    return callId === undefined ? base : base + path`/${callId}`;
  }
}
