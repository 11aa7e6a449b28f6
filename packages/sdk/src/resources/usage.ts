import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { TenantUsage } from '../models';
import type { Highrise } from '../client';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).usage`: live channels, registrations and messages, and extensions, beside their limits. */
export class Usage extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  retrieve(options?: RequestOptions): APIPromise<TenantUsage> {
    return this.client.request({ method: 'GET', path: path`/v1/tenants/${this.tenantId}/usage`, schema: shapes.TenantUsage }, options);
  }
}
