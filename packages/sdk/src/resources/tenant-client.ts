import type { APIPromise } from '../core/api-promise';
import { Tenant } from '../models';
import type { TenantExportRecord, TenantRestoreResponse } from '../models';
import type { TenantUpdateParams } from '../schemas/tenants';
import type { Highrise } from '../client';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';
import { Calls } from './calls';
import { DialRules } from './dial-rules';
import { Extensions } from './extensions';
import { TenantNumbers } from './numbers';
import { RingGroups } from './ring-groups';
import { Trunks } from './trunks';
import { SoftphoneTokens } from './softphone-tokens';
import { Usage } from './usage';
import { TenantAnalytics } from './analytics';
import { TenantApiKeys } from './api-keys';
import { TenantRoles } from './roles';
import { TenantAuditEvents } from './audit-events';
import { TenantPortOrders } from './port-orders';
import { WebhookEndpoints } from './webhook-endpoints';
import { LevelBranding } from './branding';
import { path } from '../core/path';

/**
 * `hr.tenant(id)`: the client seen from inside one tenant. A new object over the same client,
 * so scoping never changes `hr` and two scopes can be used side by side.
 */
export class TenantClient extends APIResource {
  readonly id: string;
  readonly extensions: Extensions;
  readonly softphoneTokens: SoftphoneTokens;
  readonly calls: Calls;
  readonly usage: Usage;
  readonly analytics: TenantAnalytics;
  readonly numbers: TenantNumbers;
  readonly dialRules: DialRules;
  readonly ringGroups: RingGroups;
  readonly trunks: Trunks;
  readonly roles: TenantRoles;
  readonly apiKeys: TenantApiKeys;
  readonly auditEvents: TenantAuditEvents;
  readonly portOrders: TenantPortOrders;
  /** Endpoints that receive this tenant's events only. */
  readonly webhookEndpoints: WebhookEndpoints;
  /** The tenant's own branding and the effective one (inherited from its reseller and the provider). */
  readonly branding: LevelBranding;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.id = tenantId;
    this.extensions = new Extensions(client, tenantId);
    this.softphoneTokens = new SoftphoneTokens(client, tenantId);
    this.calls = new Calls(client, tenantId);
    this.usage = new Usage(client, tenantId);
    this.analytics = new TenantAnalytics(client, tenantId);
    this.numbers = new TenantNumbers(client, tenantId);
    this.dialRules = new DialRules(client, tenantId);
    this.ringGroups = new RingGroups(client, tenantId);
    this.trunks = new Trunks(client, tenantId);
    this.roles = new TenantRoles(client, tenantId);
    this.apiKeys = new TenantApiKeys(client, tenantId);
    this.auditEvents = new TenantAuditEvents(client, tenantId);
    this.portOrders = new TenantPortOrders(client, tenantId);
    this.webhookEndpoints = new WebhookEndpoints(client, tenantId);
    this.branding = new LevelBranding(client, path`/v1/tenants/${tenantId}/branding`);
  }

  retrieve(options?: RequestOptions): APIPromise<Tenant> {
    return this.client.tenants.retrieve(this.id, options);
  }

  update(params: TenantUpdateParams, options?: RequestOptions): APIPromise<Tenant> {
    return this.client.tenants.update(this.id, params, options);
  }

  /** Refuses the tenant's keys, softphone tokens and phones at once, until `resume`. */
  suspend(options?: RequestOptions): APIPromise<Tenant> {
    return this.client.tenants.suspend(this.id, options);
  }

  resume(options?: RequestOptions): APIPromise<Tenant> {
    return this.client.tenants.resume(this.id, options);
  }

  /** Deletes the tenant (kept until `purgeAt`; see `tenants.delete`). */
  delete(options?: RequestOptions): APIPromise<Tenant> {
    return this.client.tenants.delete(this.id, options);
  }

  /** Brings the deleted tenant back before its purge (see `tenants.restore`). */
  restore(options?: RequestOptions): APIPromise<TenantRestoreResponse> {
    return this.client.tenants.restore(this.id, options);
  }

  /** Everything the tenant owns, record by record (see `tenants.export`). */
  export(options?: RequestOptions): AsyncGenerator<TenantExportRecord> {
    return this.client.tenants.export(this.id, options);
  }
}
