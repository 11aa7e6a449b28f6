import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { SigningKeyRotation, SoftphoneToken } from '../models';
import type { SoftphoneTokenCreateParams } from '../schemas/softphone-tokens';

import type { Highrise } from '../client';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `hr.tenant(id).softphoneTokens`: short-lived tokens that let `<highrise-softphone>` register as one extension. */
export class SoftphoneTokens extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  create(params: SoftphoneTokenCreateParams, options?: RequestOptions): APIPromise<SoftphoneToken> {
    return this.client.request(
      { method: 'POST', path: path`/v1/tenants/${this.tenantId}/softphone-tokens`, body: params, schema: shapes.SoftphoneToken },
      options,
    );
  }

  /** Replaces the tenant's token signing key: every token issued before stops working at once. */
  rotateSigningKey(options?: RequestOptions): APIPromise<SigningKeyRotation> {
    return this.client.request(
      { method: 'POST', path: path`/v1/tenants/${this.tenantId}/softphone-tokens/rotate-signing-key`, schema: shapes.SigningKeyRotation },
      options,
    );
  }
}
