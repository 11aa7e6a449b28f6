import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { AuditEvent, AuditVerification } from '../models';
import type { AuditEventList, AuditEventListParams } from '../schemas/audit-events';
import type { Highrise } from '../client';
import type { PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/**
 * `hr.auditEvents`: the audit log across tenants. A provider key reads every tenant's events and
 * the platform's own; a reseller key its tenants' events; a tenant key gets 403 here and reads its
 * log with `hr.tenant(id).auditEvents`.
 */
export class AuditEvents extends APIResource {
  list(params?: AuditEventListParams, options?: RequestOptions): PagePromise<AuditEvent> {
    return this.client.getList('/v1/audit-events', shapes.AuditEventList, params, options);
  }
}

/**
 * `hr.tenant(id).auditEvents`: the tenant's tamper-evident log. `list({ action: 'extension.deleted' })`
 * filters; `verify()` walks the tenant's hash chain and names the first event that was altered or
 * follows a deleted one.
 */
export class TenantAuditEvents extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  list(params?: AuditEventListParams, options?: RequestOptions): PagePromise<AuditEvent> {
    return this.client.getList(path`/v1/tenants/${this.tenantId}/audit-events`, shapes.AuditEventList, params, options);
  }

  verify(options?: RequestOptions): APIPromise<AuditVerification> {
    return this.client.request({ method: 'GET', path: path`/v1/tenants/${this.tenantId}/audit-events/verify`, schema: shapes.AuditVerification }, options);
  }
}
