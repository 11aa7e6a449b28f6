import type { Tenant, TenantUpdateParams } from '../schemas/tenants';
import type { Highrise } from '../client';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';
import { Extensions } from './extensions';
import { SoftphoneTokens } from './softphone-tokens';

/**
 * `hr.tenant(id)`: the client seen from inside one tenant. A new object over the same client,
 * so scoping never changes `hr` and two scopes can be used side by side.
 */
export class TenantClient extends APIResource {
  readonly id: string;
  readonly extensions: Extensions;
  readonly softphoneTokens: SoftphoneTokens;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.id = tenantId;
    this.extensions = new Extensions(client, tenantId);
    this.softphoneTokens = new SoftphoneTokens(client, tenantId);
  }

  retrieve(options?: RequestOptions): Promise<Tenant> {
    return this.client.tenants.retrieve(this.id, options);
  }

  update(params: TenantUpdateParams, options?: RequestOptions): Promise<Tenant> {
    return this.client.tenants.update(this.id, params, options);
  }
}
