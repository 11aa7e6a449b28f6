import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, Extension, ExtensionWithPassword } from '../models';
import { EXTENSION_BATCH_MAX, type ExtensionCreateParams, type ExtensionListParams, type ExtensionUpdateParams } from '../schemas/extensions';
import { APIError, NotFoundError, type APIErrorInit } from '../errors/api-error';
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

  /**
   * Creates up to 1,000 extensions in one request, all or none: on a failure nothing is created and
   * the error's `details` name each failing item as `items.<index>.<field>`.
   */
  createBatch(items: ExtensionCreateParams[], options?: RequestOptions): APIPromise<{ object: 'list'; data: ExtensionWithPassword[] }> {
    return this.client.request({ method: 'POST', path: this.#path() + '/batch', body: { items }, schema: shapes.ExtensionBatch }, options);
  }

  /**
   * Creates any number of extensions, sent in batches of 1,000 one after another; returns them in
   * the order given, each with its SIP password (shown this once). Each batch is all or none, but
   * batches before a failing one stay created: the error's `details` name failing items by their
   * index in `items` (`items.1234.number`), and `onBatch` has reported how many exist.
   * With an `idempotencyKey`, batch n is sent with `<key>:<n>`, so a retried call replays instead of duplicating.
   */
  async createMany(items: ExtensionCreateParams[], options: CreateManyOptions = {}): Promise<ExtensionWithPassword[]> {
    const { batchSize = EXTENSION_BATCH_MAX, onBatch, ...requestOptions } = options;
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= EXTENSION_BATCH_MAX)) {
      throw new RangeError(`\`batchSize\` must be a whole number from 1 to ${EXTENSION_BATCH_MAX}, got ${batchSize}.`);
    }
    const created: ExtensionWithPassword[] = [];
    for (let start = 0, n = 0; start < items.length; start += batchSize, n++) {
      const batch = items.slice(start, start + batchSize);
      const key = requestOptions.idempotencyKey === undefined ? {} : { idempotencyKey: `${requestOptions.idempotencyKey}:${n}` };
      try {
        const result = await this.createBatch(batch, { ...requestOptions, ...key });
        created.push(...result.data);
      } catch (error) {
        throw error instanceof APIError ? withItemOffset(error, start) : error;
      }
      onBatch?.({ created: created.length, total: items.length });
    }
    return created;
  }

  /** `{ number: '101' }` lists only the extension with that number. */
  list(params?: ExtensionListParams, options?: RequestOptions): PagePromise<Extension> {
    return this.client.getList(this.#path(), shapes.ExtensionList, params as CursorPageParams | undefined, options);
  }

  /** The extension with this number in the tenant; a `NotFoundError` (404 `not_found`) when there is none. */
  async retrieveByNumber(number: string, options?: RequestOptions): Promise<Extension> {
    const page = await this.client.getList(this.#path(), shapes.ExtensionList, { number, limit: 1 } as CursorPageParams, options);
    const found = page.data[0];
    if (found === undefined) {
      throw new NotFoundError({ status: 404, code: 'not_found', message: `extension ${number} not found`, requestId: page._requestId, details: [], headers: new Headers() });
    }
    return found;
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

export interface CreateManyOptions extends RequestOptions {
  /** Items per request, at most 1,000 (the default). */
  batchSize?: number;
  /** Called after each batch is committed, with how many of the items exist so far. */
  onBatch?: (progress: { created: number; total: number }) => void;
}

/** The same error with `items.<i>` details renumbered from the batch to the caller's whole array. */
function withItemOffset(error: APIError, offset: number): APIError {
  if (offset === 0 || error.details.length === 0) return error;
  const details = error.details.map((d) => ({ ...d, field: d.field.replace(/^items\.(\d+)/, (_, i: string) => `items.${Number(i) + offset}`) }));
  const init: APIErrorInit = { status: error.status, code: error.code, message: error.message, requestId: error.requestId, details, headers: error.headers };
  return new (error.constructor as new (init: APIErrorInit) => APIError)(init);
}
