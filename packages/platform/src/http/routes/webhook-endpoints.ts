import {
  Deleted,
  ListParams,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryListParams,
  WebhookEndpoint,
  WebhookEndpointCreateParams,
  WebhookEndpointList,
  WebhookEndpointUpdateParams,
  WebhookEndpointWithSecret,
  WebhookSecretRotateParams,
  type ErrorCode,
} from '@highrise/sdk/schemas';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  retrieveWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookOwner,
} from '../../domain/webhooks';
import { presentPage } from '../present';
import { presentWebhookDelivery, presentWebhookEndpoint } from '../present-webhooks';
import { route, tenantRoute, type RouteDef } from '../route';
import type { Actor, Principal } from '../../domain/principal';
import type { TenantAccess } from '../../domain/tenants';
import type { AppServices } from '../route';

/** What every handler gets, whichever level its route is at. */
interface Call {
  services: AppServices;
  actor: Actor;
  owner: WebhookOwner;
  params: Record<string, string>;
  body: any;
  query: any;
}

/**
 * The same eight operations at two levels: `/v1/webhook-endpoints` (the provider's or the calling
 * reseller's endpoints) and `/v1/tenants/{tenantId}/webhook-endpoints` (one tenant's). Each spec is
 * written once and mounted on both.
 */
const operations: {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  suffix: string;
  write: boolean;
  name: string;
  summary: string;
  body?: typeof WebhookEndpointCreateParams | typeof WebhookEndpointUpdateParams | typeof WebhookSecretRotateParams;
  query?: typeof ListParams | typeof WebhookDeliveryListParams;
  response: { status: number; schema: any; description: string };
  /** The domain's codes besides those of the pipeline (route.ts `errors`). */
  errors?: readonly ErrorCode[];
  handle(call: Call): unknown;
}[] = [
  {
    method: 'POST',
    suffix: '',
    write: true,
    name: 'createWebhookEndpoint',
    summary: 'Create a webhook endpoint; its signing secret is returned this once',
    body: WebhookEndpointCreateParams,
    response: { status: 201, schema: WebhookEndpointWithSecret, description: 'The endpoint and its `whsec_…` secret' },
    errors: ['webhook_url_forbidden'],
    handle: async ({ services, actor, owner, body }) => {
      const { endpoint, secret } = await createWebhookEndpoint(services.domain, actor, owner, body);
      return { ...presentWebhookEndpoint(endpoint), secret };
    },
  },
  {
    method: 'GET',
    suffix: '',
    write: false,
    name: 'listWebhookEndpoints',
    summary: 'List webhook endpoints',
    query: ListParams,
    response: { status: 200, schema: WebhookEndpointList, description: 'One page of endpoints' },
    handle: async ({ services, owner, query }) => presentPage(await listWebhookEndpoints(services.domain, owner, { limit: query.limit, after: query.cursor }), presentWebhookEndpoint),
  },
  {
    method: 'GET',
    suffix: '/{endpointId}',
    write: false,
    name: 'retrieveWebhookEndpoint',
    summary: 'Retrieve a webhook endpoint',
    response: { status: 200, schema: WebhookEndpoint, description: 'The endpoint' },
    handle: async ({ services, owner, params }) => presentWebhookEndpoint(await retrieveWebhookEndpoint(services.domain, owner, params.endpointId!)),
  },
  {
    method: 'PATCH',
    suffix: '/{endpointId}',
    write: true,
    name: 'updateWebhookEndpoint',
    summary: 'Change an endpoint’s URL, events, description or status',
    body: WebhookEndpointUpdateParams,
    response: { status: 200, schema: WebhookEndpoint, description: 'The updated endpoint' },
    errors: ['webhook_url_forbidden'],
    handle: async ({ services, actor, owner, params, body }) => presentWebhookEndpoint(await updateWebhookEndpoint(services.domain, actor, owner, params.endpointId!, body)),
  },
  {
    method: 'DELETE',
    suffix: '/{endpointId}',
    write: true,
    name: 'deleteWebhookEndpoint',
    summary: 'Delete an endpoint and its queued deliveries',
    response: { status: 200, schema: Deleted, description: 'The endpoint is gone' },
    handle: async ({ services, actor, owner, params }) => {
      await deleteWebhookEndpoint(services.domain, actor, owner, params.endpointId!);
      return { id: params.endpointId!, object: 'webhook_endpoint', deleted: true as const };
    },
  },
  {
    method: 'POST',
    suffix: '/{endpointId}/rotate-secret',
    write: true,
    name: 'rotateWebhookEndpointSecret',
    summary: 'Replace the signing secret (returned this once); optionally keep signing with the old one for a grace period',
    body: WebhookSecretRotateParams,
    response: { status: 200, schema: WebhookEndpointWithSecret, description: 'The endpoint and its new secret' },
    handle: async ({ services, actor, owner, params, body }) => {
      const { endpoint, secret } = await rotateWebhookSecret(services.domain, actor, owner, params.endpointId!, body.gracePeriodSeconds);
      return { ...presentWebhookEndpoint(endpoint), secret };
    },
  },
  {
    method: 'GET',
    suffix: '/{endpointId}/deliveries',
    write: false,
    name: 'listWebhookDeliveries',
    summary: 'List an endpoint’s deliveries, each with its attempt log, oldest or (order=desc) newest first',
    query: WebhookDeliveryListParams,
    response: { status: 200, schema: WebhookDeliveryList, description: 'One page of deliveries' },
    handle: async ({ services, owner, params, query }) =>
      presentPage(await listWebhookDeliveries(services.domain, owner, params.endpointId!, { limit: query.limit, after: query.cursor, order: query.order }), presentWebhookDelivery),
  },
  {
    method: 'POST',
    suffix: '/{endpointId}/deliveries/{deliveryId}/redeliver',
    write: true,
    name: 'redeliverWebhook',
    summary: 'Send a delivery’s event again, now, as a new delivery',
    response: { status: 201, schema: WebhookDelivery, description: 'The new delivery' },
    errors: ['invalid_state', 'rate_limited'],
    handle: async ({ services, actor, owner, params }) => presentWebhookDelivery(await redeliverWebhook(services.domain, actor, owner, params.endpointId!, params.deliveryId!)),
  },
];

const platformOwner = (principal: Principal): WebhookOwner => ({ principal });
const tenantOwner = (tenant: TenantAccess): WebhookOwner => ({ tenant });

export const webhookEndpointRoutes: RouteDef[] = [
  ...operations.map((op) =>
    route({
      method: op.method,
      path: `/v1/webhook-endpoints${op.suffix}`,
      scope: 'platform',
      permission: op.write ? 'webhooks:write' : 'webhooks:read',
      operationId: op.name,
      summary: `${op.summary} (provider or reseller level: events of every tenant it sells)`,
      ...(op.body ? { body: op.body } : {}),
      ...(op.query ? { query: op.query } : {}),
      response: op.response,
      ...(op.errors ? { errors: op.errors } : {}),
      handle: ({ services, actor, principal, params, body, query }) => op.handle({ services, actor, owner: platformOwner(principal), params, body, query }),
    }),
  ),
  ...operations.map((op) =>
    tenantRoute({
      method: op.method,
      path: `/v1/tenants/{tenantId}/webhook-endpoints${op.suffix}`,
      permission: op.write ? 'webhooks:write' : 'webhooks:read',
      operationId: `${op.name.replace(/^(\w+?)Webhook/, '$1TenantWebhook')}`,
      summary: `${op.summary} (this tenant’s events only)`,
      ...(op.body ? { body: op.body } : {}),
      ...(op.query ? { query: op.query } : {}),
      response: op.response,
      ...(op.errors ? { errors: op.errors } : {}),
      handle: ({ services, actor, tenant, params, body, query }) => op.handle({ services, actor, owner: tenantOwner(tenant), params, body, query }),
    }),
  ),
];
