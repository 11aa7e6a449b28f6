import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '../models';
import type { WebhookDeliveryList, WebhookDeliveryListParams, WebhookEndpointList, WebhookEndpointCreateParams, WebhookEndpointUpdateParams, WebhookSecretRotateParams } from '../schemas/webhooks';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

/** `endpoints.deliveries`: the attempt log of one endpoint's deliveries, and redelivery. */
export class WebhookDeliveries extends APIResource {
  readonly #base: string;

  constructor(client: Highrise, base: string) {
    super(client);
    this.#base = base;
  }

  /** Deliveries in id (creation) order, each with its attempts; `{ order: 'desc' }` reads the newest first. */
  list(endpointId: string, params?: WebhookDeliveryListParams, options?: RequestOptions): PagePromise<WebhookDelivery> {
    return this.client.getList(this.#base + path`/${endpointId}/deliveries`, shapes.WebhookDeliveryList, params, options);
  }

  /** Sends the delivery's event again as a new delivery (with its own attempts), now. */
  redeliver(endpointId: string, deliveryId: string, options?: RequestOptions): APIPromise<WebhookDelivery> {
    return this.client.request({ method: 'POST', path: this.#base + path`/${endpointId}/deliveries/${deliveryId}/redeliver`, schema: shapes.WebhookDelivery }, options);
  }
}

/**
 * Webhook endpoints: `hr.webhookEndpoints` (provider or reseller level: events of every tenant the
 * key sells) and `hr.tenant(id).webhookEndpoints` (that tenant's events only). The signing secret is
 * returned by `create` and `rotateSecret` only; verify deliveries with `verifyWebhook`.
 */
export class WebhookEndpoints extends APIResource {
  readonly deliveries: WebhookDeliveries;
  readonly #base: string;

  constructor(client: Highrise, tenantId?: string) {
    super(client);
    this.#base = tenantId === undefined ? '/v1/webhook-endpoints' : path`/v1/tenants/${tenantId}/webhook-endpoints`;
    this.deliveries = new WebhookDeliveries(client, this.#base);
  }

  create(params: WebhookEndpointCreateParams, options?: RequestOptions): APIPromise<WebhookEndpointWithSecret> {
    return this.client.request({ method: 'POST', path: this.#base, body: params, schema: shapes.WebhookEndpointWithSecret }, options);
  }

  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<WebhookEndpoint> {
    return this.client.getList(this.#base, shapes.WebhookEndpointList, params, options);
  }

  retrieve(endpointId: string, options?: RequestOptions): APIPromise<WebhookEndpoint> {
    return this.client.request({ method: 'GET', path: this.#base + path`/${endpointId}`, schema: shapes.WebhookEndpoint }, options);
  }

  update(endpointId: string, params: WebhookEndpointUpdateParams, options?: RequestOptions): APIPromise<WebhookEndpoint> {
    return this.client.request({ method: 'PATCH', path: this.#base + path`/${endpointId}`, body: params, schema: shapes.WebhookEndpoint }, options);
  }

  delete(endpointId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.#base + path`/${endpointId}`, schema: shapes.Deleted }, options);
  }

  /** A new secret, shown this once; with `gracePeriodSeconds` deliveries carry a signature under the old one too. */
  rotateSecret(endpointId: string, params: WebhookSecretRotateParams = {}, options?: RequestOptions): APIPromise<WebhookEndpointWithSecret> {
    return this.client.request({ method: 'POST', path: this.#base + path`/${endpointId}/rotate-secret`, body: params, schema: shapes.WebhookEndpointWithSecret }, options);
  }

  /** Shorthand for `deliveries.redeliver`. */
  redeliver(endpointId: string, deliveryId: string, options?: RequestOptions): APIPromise<WebhookDelivery> {
    return this.deliveries.redeliver(endpointId, deliveryId, options);
  }
}
