import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Branding, PublicBranding } from '../models';
import type { BrandingUpdateParams } from '../schemas/branding';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';
import type { Highrise } from '../client';

/**
 * One level's branding: `hr.branding` (the provider's), `hr.branding.reseller(id)`,
 * `hr.tenant(id).branding`. `retrieve()` answers the level's own fields and the effective ones.
 */
export class LevelBranding extends APIResource {
  readonly #path: string;

  constructor(client: Highrise, levelPath: string) {
    super(client);
    this.#path = levelPath;
  }

  retrieve(options?: RequestOptions): APIPromise<Branding> {
    return this.client.request({ method: 'GET', path: this.#path, schema: shapes.Branding }, options);
  }

  /** Replaces the level's own branding: absent fields are inherited; `logo: null` removes the logo, an absent one keeps it. */
  update(params: BrandingUpdateParams, options?: RequestOptions): APIPromise<Branding> {
    return this.client.request({ method: 'PUT', path: this.#path, body: params, schema: shapes.Branding }, options);
  }
}

/** `hr.branding`: the provider's branding, a reseller's through `reseller(id)`, and the public view of a SIP domain. */
export class ProviderBranding extends LevelBranding {
  constructor(client: Highrise) {
    super(client, '/v1/branding');
  }

  reseller(resellerId: string): LevelBranding {
    return new LevelBranding(this.client, path`/v1/resellers/${resellerId}/branding`);
  }

  /** What the widget reads for a SIP domain, without a key. */
  retrievePublic(domain: string, options?: RequestOptions): APIPromise<PublicBranding> {
    return this.client.request({ method: 'GET', path: '/v1/public/branding', query: { domain }, schema: shapes.PublicBranding }, options);
  }
}
