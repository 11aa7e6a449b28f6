import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { ApiKey, ApiKeyWithSecret, Deleted } from '../models';
import type { ApiKeyList, ApiKeyCreateParams, ApiKeyRotateParams, TenantApiKeyCreateParams } from '../schemas/api-keys';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** Shared verbs of provider/reseller keys and tenant keys; only the base path differs. */
abstract class KeyResource extends APIResource {
  protected abstract base(): string;

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<ApiKey> {
    return this.client.getList(this.base(), shapes.ApiKeyList, params, options);
  }

  retrieve(keyId: string, options?: RequestOptions): APIPromise<ApiKey> {
    return this.client.request({ method: 'GET', path: this.base() + path`/${keyId}`, schema: shapes.ApiKey }, options);
  }

  /** A new secret (shown once); the old one keeps working for `gracePeriodSeconds` (default 24 h, 0 = stops now). */
  rotate(keyId: string, params: ApiKeyRotateParams = {}, options?: RequestOptions): APIPromise<ApiKeyWithSecret> {
    return this.client.request({ method: 'POST', path: this.base() + path`/${keyId}/rotate`, body: params, schema: shapes.ApiKeyWithSecret }, options);
  }

  /** Revokes the key: it answers 401 from the next request on. */
  revoke(keyId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.base() + path`/${keyId}`, schema: shapes.Deleted }, options);
  }
}

/** `hr.apiKeys`: provider and reseller keys. The provider makes a reseller's key by passing `resellerId`. */
export class ApiKeys extends KeyResource {
  protected base() {
    return '/v1/api-keys';
  }

  /** The secret is in this response only. */
  create(params: ApiKeyCreateParams, options?: RequestOptions): APIPromise<ApiKeyWithSecret> {
    return this.client.request({ method: 'POST', path: this.base(), body: params, schema: shapes.ApiKeyWithSecret }, options);
  }
}

/** `hr.tenant(id).apiKeys`: the tenant's keys; with `extension`, an end user key that sees only that extension. */
export class TenantApiKeys extends KeyResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  protected base() {
    return path`/v1/tenants/${this.tenantId}/api-keys`;
  }

  /** The secret is in this response only. */
  create(params: TenantApiKeyCreateParams, options?: RequestOptions): APIPromise<ApiKeyWithSecret> {
    return this.client.request({ method: 'POST', path: this.base(), body: params, schema: shapes.ApiKeyWithSecret }, options);
  }
}
