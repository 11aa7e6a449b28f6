import { WebhookFailure, type WebhookDelivery, type WebhookEndpoint, type WebhookEventType } from '@highrise/sdk/schemas';
import type { PortOrderView } from '../domain/porting/orders';
import { presentPortOrder } from './present-porting';
import type { ExtensionView } from '../domain/extensions';
import type { TenantView } from '../domain/tenants';
import type { WebhookDeliveryWithAttempts, WebhookEndpointRow } from '../domain/records';
import { presentExtension, presentTenant } from './present';

export const presentWebhookEndpoint = (e: WebhookEndpointRow): WebhookEndpoint => ({
  id: e.id,
  object: 'webhook_endpoint',
  level: e.level,
  resellerId: e.resellerId,
  tenantId: e.tenantId,
  url: e.url,
  description: e.description,
  enabledEvents: e.enabledEvents as WebhookEndpoint['enabledEvents'],
  status: e.status,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

/**
 * Attempts logged before failures were classes hold raw text (`HTTP 500`, `timeout after 2000 ms`,
 * `ECONNREFUSED`); they are shown as the class they belong to, never as the text.
 */
function failureClass(stored: string | null): WebhookFailure | null {
  if (stored === null) return null;
  const known = WebhookFailure.safeParse(stored);
  if (known.success) return known.data;
  if (stored.startsWith('HTTP ')) return 'http_error';
  if (stored.startsWith('timeout')) return 'timeout';
  return 'connection_failed';
}

export const presentWebhookDelivery = (d: WebhookDeliveryWithAttempts): WebhookDelivery => ({
  id: d.id,
  object: 'webhook_delivery',
  endpointId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType as WebhookEventType,
  status: d.status,
  attempts: d.attempts.map((a) => ({ attemptedAt: a.attemptedAt, statusCode: a.statusCode, error: failureClass(a.error), durationMs: a.durationMs })),
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

/**
 * An event's `data`: the resource exactly as the API returns it, so a receiver parses it with the
 * same SDK schema (`Tenant`, `Extension`, …). Installed as `DomainContext.presentEvent` by
 * startPlatform. A type without a presenter here is sent as the domain passed it.
 */
export function presentEventData(type: string, data: object): unknown {
  // A limit crossing is its own small shape (TenantLimitCrossing), not the tenant.
  if (type === 'tenant.limit_warning' || type === 'tenant.limit_reached') return data;
  const resource = type.slice(0, type.indexOf('.'));
  if (resource === 'tenant') return presentTenant(data as TenantView);
  if (resource === 'extension') return presentExtension(data as ExtensionView);
  if (resource === 'port_order') return presentPortOrder(data as PortOrderView);
  return data;
}
