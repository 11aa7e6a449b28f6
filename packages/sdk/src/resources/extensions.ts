import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, Extension, ExtensionWithPassword } from '../models';
import type { ExtensionList, ExtensionCreateParams, ExtensionUpdateParams } from '../schemas/extensions';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).extensions`: numbers are unique inside the tenant only, so two tenants may both own 101. */
export class Extensions extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  /** The SIP password (generated when omitted) is in this response only. */
  create(params: ExtensionCreateParams, options?: RequestOptions): APIPromise<ExtensionWithPassword> {
    return this.client.request({ method: 'POST', path: this.#path(), body: params, schema: shapes.ExtensionWithPassword }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Extension> {
    return this.client.getList(this.#path(), shapes.ExtensionList, params, options);
  }

  retrieve(extensionId: string, options?: RequestOptions): APIPromise<Extension> {
    return this.client.request({ method: 'GET', path: this.#path(extensionId), schema: shapes.Extension }, options);
  }

  update(extensionId: string, params: ExtensionUpdateParams, options?: RequestOptions): APIPromise<Extension> {
    return this.client.request({ method: 'PATCH', path: this.#path(extensionId), body: params, schema: shapes.Extension }, options);
  }

  delete(extensionId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#path(extensionId), schema: shapes.Deleted }, options);
  }

  #path(extensionId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/extensions`;
    return extensionId === undefined ? base : base + path`/${extensionId}`;
  }
}
