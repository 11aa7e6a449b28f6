import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Tenant, TenantCreateResponse, TenantExportRecord, TenantRestoreResponse } from '../models';
import type { TenantList, TenantCreateParams, TenantListParams, TenantUpdateParams } from '../schemas/tenants';
import { exportRecords } from './tenant-export';
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

  /** Tenants that are not deleted; `{ status: 'deleted' }` lists the deleted ones (until their purge). */
  list(params?: CursorPageParams & Pick<TenantListParams, 'status'>, options?: RequestOptions): PagePromise<Tenant> {
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

  /**
   * Deletes a tenant: its keys, tokens and phones are refused and its numbers go back to the
   * inventory at once; its data is kept until `purgeAt`, when it is purged (audit events stay).
   * A tenant with open port orders is refused (ConflictError, code `port_orders_open`).
   */
  delete(tenantId: string, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.request({ method: 'DELETE', path: path`/v1/tenants/${tenantId}`, schema: shapes.Tenant }, options);
  }

  /** Brings a deleted tenant back before its purge; numbers taken meanwhile are in `unavailableNumbers`. */
  restore(tenantId: string, options?: RequestOptions): APIPromise<TenantRestoreResponse> {
    return this.client.request({ method: 'POST', path: path`/v1/tenants/${tenantId}/restore`, schema: shapes.TenantRestoreResponse }, options);
  }

  /**
   * Everything the tenant owns, record by record, read as it streams in:
   * `for await (const { type, data } of hr.tenants.export(id))`. The last record is `end`, with the
   * counts; a stream cut short throws. Secrets are never part of an export.
   */
  async *export(tenantId: string, options?: RequestOptions): AsyncGenerator<TenantExportRecord> {
    yield* exportRecords(await this.exportStream(tenantId, options));
  }

  /** The export as the platform sends it (JSON Lines, `application/x-ndjson`), unread: to pipe to a file. */
  exportStream(tenantId: string, options?: RequestOptions): Promise<Response> {
    return this.client.requestStream({ method: 'GET', path: path`/v1/tenants/${tenantId}/export` }, options);
  }
}
