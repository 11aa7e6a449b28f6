import { WEBHOOK_EVENT_TYPES, webhookEventSchemaId } from '@highrise/sdk/schemas';

type JsonObject = Record<string, unknown>;

/** What a receiver gets with every delivery (see domain/webhook-delivery.ts, which sends them). */
export const webhookHeaderParameters: Record<string, JsonObject> = {
  WebhookSignature: {
    name: 'Highrise-Signature',
    in: 'header',
    required: true,
    description:
      '`t=<unix seconds>,v1=<hex>`: HMAC-SHA256 with the endpoint secret over `<t>.<raw body>`; during a secret rotation’s grace period one `v1` per secret. Check it with the SDK’s `verifyWebhook`, which also refuses an old `t`.',
    schema: { type: 'string', pattern: '^t=\\d+(,v1=[0-9a-f]{64})+$' },
  },
  WebhookEventId: {
    name: 'Highrise-Event-Id',
    in: 'header',
    required: true,
    description: 'The event’s id, the same on every attempt and redelivery: deduplicate on it.',
    schema: { type: 'string' },
  },
  WebhookDeliveryId: {
    name: 'Highrise-Delivery-Id',
    in: 'header',
    required: true,
    description: 'This delivery (one event to one endpoint); a manual redelivery is a new delivery.',
    schema: { type: 'string' },
  },
};

/**
 * The top-level `webhooks`: one POST per event type, with that type's body as a component (the
 * SDK's `WebhookEvent` union, one member per type).
 */
export function webhookOperations(componentRef: (id: string) => string, tag: string): Record<string, JsonObject> {
  return Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => {
      const id = webhookEventSchemaId(type);
      return [
        type,
        {
          post: {
            operationId: id.charAt(0).toLowerCase() + id.slice(1),
            summary: `The \`${type}\` event`,
            tags: [tag],
            security: [],
            parameters: Object.keys(webhookHeaderParameters).map((name) => ({ $ref: `#/components/parameters/${name}` })),
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: componentRef(id) } } } },
            responses: {
              '2XX': {
                description:
                  'Any 2xx within 10 s acknowledges the delivery. Anything else (or no answer) is retried with exponential backoff, up to 15 attempts; the delivery log shows each attempt.',
              },
            },
          },
        },
      ];
    }),
  );
}
