import { z } from 'zod';
import { listOf, OrderedListParams, prefixedId, Timestamp } from './common';
import { ResellerId } from './resellers';
import { Tenant, TenantId } from './tenants';
import { Extension } from './extensions';
import { PortOrder } from './port-orders';

export const WebhookEndpointId = prefixedId('whe').meta({ id: 'WebhookEndpointId' });
export const WebhookDeliveryId = prefixedId('whd').meta({ id: 'WebhookDeliveryId' });
export const WebhookEventId = prefixedId('evt').meta({ id: 'WebhookEventId' });

/** Every event the platform emits. `data` is the resource as the API presents it at that moment. */
export const WebhookEventType = z
  .enum([
    'tenant.created',
    'tenant.updated',
    'tenant.suspended',
    'tenant.resumed',
    'tenant.deleted',
    'tenant.restored',
    'extension.created',
    'extension.updated',
    'extension.deleted',
    'port_order.updated',
    'port_order.completed',
    'port_order.exception',
    'tenant.limit_warning',
    'tenant.limit_reached',
  ])
  .meta({ id: 'WebhookEventType' });

/** `tenant.limit_warning` (use crossed 80 % of a limit) and `tenant.limit_reached` (100 %): told once per crossing upwards. */
export const TenantLimitCrossing = z
  .object({
    tenantId: TenantId,
    limit: z.enum(['channels', 'extensions', 'messages', 'storage']),
    used: z.number().int().min(0),
    max: z.number().int().min(0),
    threshold: z.number().meta({ description: '0.8 for the warning, 1 for the limit' }),
  })
  .meta({ id: 'TenantLimitCrossing' });
export type TenantLimitCrossing = z.infer<typeof TenantLimitCrossing>;
export type WebhookEventType = z.infer<typeof WebhookEventType>;
export const WEBHOOK_EVENT_TYPES = WebhookEventType.options;

/** An event type, or `*` for every type (including ones added later). */
export const WebhookEventSelector = z.union([WebhookEventType, z.literal('*')]).meta({ id: 'WebhookEventSelector' });
export type WebhookEventSelector = z.infer<typeof WebhookEventSelector>;

const EnabledEvents = z
  .array(WebhookEventSelector)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length + 1)
  .refine((events) => new Set(events).size === events.length, 'event types must be distinct')
  .refine((events) => !events.includes('*') || events.length === 1, '`*` stands alone')
  .meta({ description: 'Event types to receive, or `["*"]` for all', example: ['tenant.created', 'extension.created'] });

/**
 * Where events go. http or https only; user and password in the URL are refused (they would be
 * stored and shown in plain text) — authenticate the sender by its signature instead. Beyond this
 * shape the platform refuses loopback, private, link-local and reserved destinations (and
 * `localhost`) with 400 `webhook_url_forbidden`, unless its operator allowed them.
 */
export const WebhookUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without user or password')
  .meta({ example: 'https://hooks.example.com/highrise' });

export const WebhookEndpointStatus = z.enum(['enabled', 'disabled']).meta({ id: 'WebhookEndpointStatus' });

export const WebhookEndpoint = z
  .object({
    id: WebhookEndpointId,
    object: z.literal('webhook_endpoint'),
    level: z.enum(['provider', 'reseller', 'tenant']).meta({ description: 'provider: events of every tenant; reseller: of its tenants; tenant: its own' }),
    resellerId: ResellerId.nullable(),
    tenantId: TenantId.nullable(),
    url: z.string(),
    description: z.string(),
    enabledEvents: z.array(WebhookEventSelector),
    status: WebhookEndpointStatus,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** Returned on create and on rotate-secret only: the signing secret is never shown again. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().regex(/^whsec_/).meta({ description: 'Signing secret for verifyWebhook; shown this once' }),
}).meta({ id: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

export const WebhookEndpointCreateParams = z
  .strictObject({
    url: WebhookUrl,
    enabledEvents: EnabledEvents,
    description: z.string().trim().max(500).default(''),
    status: WebhookEndpointStatus.default('enabled'),
  })
  .meta({ id: 'WebhookEndpointCreateParams' });
export type WebhookEndpointCreateParams = z.input<typeof WebhookEndpointCreateParams>;

export const WebhookEndpointUpdateParams = z
  .strictObject({
    url: WebhookUrl.optional(),
    enabledEvents: EnabledEvents.optional(),
    description: z.string().trim().max(500).optional(),
    status: WebhookEndpointStatus.optional(),
  })
  .meta({ id: 'WebhookEndpointUpdateParams' });
export type WebhookEndpointUpdateParams = z.input<typeof WebhookEndpointUpdateParams>;

export const WebhookSecretRotateParams = z
  .strictObject({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86400)
      .default(0)
      .meta({ description: 'How long deliveries are also signed with the old secret (a second v1 value); default 0' }),
  })
  .meta({ id: 'WebhookSecretRotateParams' });
export type WebhookSecretRotateParams = z.input<typeof WebhookSecretRotateParams>;

export const WebhookEndpointList = listOf(WebhookEndpoint).meta({ id: 'WebhookEndpointList' });

/**
 * Why an attempt got no 2xx, as a class and nothing finer: `http_error` (the receiver answered with
 * another status, see `statusCode`; redirects are not followed), `timeout`, `connection_failed`
 * (no answer: name not found, connection refused or reset, TLS failure) and
 * `destination_forbidden` (the URL or the address it resolved to is loopback, private or reserved,
 * which the platform refuses unless its operator allowed private destinations). Raw socket errors
 * stay in the operator's log: per-port detail would make the log a scanner of the platform's network.
 */
export const WebhookFailure = z.enum(['http_error', 'timeout', 'connection_failed', 'destination_forbidden']).meta({ id: 'WebhookFailure' });
export type WebhookFailure = z.infer<typeof WebhookFailure>;

export const WebhookAttempt = z
  .object({
    attemptedAt: Timestamp,
    statusCode: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when no response came" }),
    error: WebhookFailure.nullable().meta({ description: 'Why no 2xx came; null for a delivered attempt' }),
    durationMs: z.number().int().min(0),
  })
  .meta({ id: 'WebhookAttempt' });
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDelivery = z
  .object({
    id: WebhookDeliveryId,
    object: z.literal('webhook_delivery'),
    endpointId: WebhookEndpointId,
    eventId: WebhookEventId,
    eventType: WebhookEventType,
    status: z.enum(['pending', 'delivered', 'failed']).meta({ description: 'failed: every retry was used up; redeliver to try again' }),
    attempts: z.array(WebhookAttempt),
    nextAttemptAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = listOf(WebhookDelivery).meta({ id: 'WebhookDeliveryList' });

/** An endpoint's deliveries, oldest first or (`order=desc`) newest first: the recent ones tell its health. */
export const WebhookDeliveryListParams = OrderedListParams.meta({ id: 'WebhookDeliveryListParams' });
export type WebhookDeliveryListParams = OrderedListParams;

/** `tenant.limit_warning` → `TenantLimitWarningEvent`: the component name of one type's body. */
export const webhookEventSchemaId = (type: WebhookEventType) =>
  `${type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Event`;

/**
 * One event type's body: the common envelope with `type` fixed and `data` typed. Each is a
 * component of its own, so the OpenAPI document's `webhooks` section can name it.
 */
const eventOf = <Type extends WebhookEventType, Data extends z.ZodType>(type: Type, data: Data) =>
  z
    .object({
      id: WebhookEventId,
      type: z.literal(type),
      createdAt: Timestamp,
      tenantId: TenantId.nullable(),
      data,
    })
    .meta({ id: webhookEventSchemaId(type), description: `The body of a \`${type}\` delivery` });

/**
 * The JSON body of every delivery, and what verifyWebhook returns: a union on `type`, so
 * `switch (event.type)` types `event.data` (a Tenant for `tenant.*`, an Extension for
 * `extension.*`, a PortOrder for `port_order.*`). `data` is the resource as the API presents it
 * at that moment; `extension.deleted` carries the extension as it was.
 */
export const WebhookEvent = z
  .discriminatedUnion('type', [
    eventOf('tenant.created', Tenant),
    eventOf('tenant.updated', Tenant),
    eventOf('tenant.suspended', Tenant),
    eventOf('tenant.resumed', Tenant),
    eventOf('tenant.deleted', Tenant),
    eventOf('tenant.restored', Tenant),
    eventOf('extension.created', Extension),
    eventOf('extension.updated', Extension),
    eventOf('extension.deleted', Extension),
    eventOf('port_order.updated', PortOrder),
    eventOf('port_order.completed', PortOrder),
    eventOf('port_order.exception', PortOrder),
    eventOf('tenant.limit_warning', TenantLimitCrossing),
    eventOf('tenant.limit_reached', TenantLimitCrossing),
  ])
  .meta({ id: 'WebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;
