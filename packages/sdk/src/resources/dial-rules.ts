import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, DialRule } from '../models';
import type { DialRuleList, DialRuleCreateParams, DialRuleUpdateParams } from '../schemas/dial-rules';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).dialRules`: the ordered dial plan; the first rule whose pattern matches wins. Two tenants may hold the same patterns with different actions. */
export class DialRules extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  create(params: DialRuleCreateParams, options?: RequestOptions): APIPromise<DialRule> {
    return this.client.request({ method: 'POST', path: this.#path(), body: params, schema: shapes.DialRule }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<DialRule> {
    return this.client.getList(this.#path(), shapes.DialRuleList, params, options);
  }

  retrieve(ruleId: string, options?: RequestOptions): APIPromise<DialRule> {
    return this.client.request({ method: 'GET', path: this.#path(ruleId), schema: shapes.DialRule }, options);
  }

  update(ruleId: string, params: DialRuleUpdateParams, options?: RequestOptions): APIPromise<DialRule> {
    return this.client.request({ method: 'PATCH', path: this.#path(ruleId), body: params, schema: shapes.DialRule }, options);
  }

  delete(ruleId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#path(ruleId), schema: shapes.Deleted }, options);
  }

  #path(ruleId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/dial-rules`;
    return ruleId === undefined ? base : base + path`/${ruleId}`;
  }
}
