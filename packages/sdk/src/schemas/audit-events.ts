import { z } from 'zod';
import { listOf, OrderedListParams, prefixedId, Timestamp } from './common';
import { ApiKeyId } from './api-keys';
import { TenantId } from './tenants';

export const AuditEventId = prefixedId('evt').meta({ id: 'AuditEventId', example: 'evt_01JD8X3E5Q7R2T4V6W8Y0Z1A2B' });

export const AuditFieldChange = z
  .object({ before: z.unknown(), after: z.unknown() })
  .meta({ id: 'AuditFieldChange', description: 'One changed field; secrets (passwords, tokens, PINs…) read "[redacted]"' });

export const AuditEvent = z
  .object({
    id: AuditEventId,
    object: z.literal('audit_event'),
    occurredAt: Timestamp,
    tenantId: TenantId.nullable().meta({ description: 'null for platform-level events (resellers, failed logins with no known tenant)' }),
    actor: z
      .object({
        keyId: z.string().nullable().meta({ description: 'The API key that acted; null for a failed authentication' }),
        principal: z.enum(['provider', 'reseller', 'tenant', 'user']).nullable(),
        role: z.string().nullable().meta({ description: "The role's name when the event was written", example: 'owner' }),
      })
      .meta({ id: 'AuditActor' }),
    action: z.string().meta({ example: 'extension.updated' }),
    target: z.object({ id: z.string(), type: z.string().meta({ example: 'extension' }) }).meta({ id: 'AuditTarget' }),
    changes: z.record(z.string(), AuditFieldChange).nullable().meta({ description: 'Changed fields only' }),
    requestId: z.string().nullable(),
    sourceAddress: z
      .string()
      .nullable()
      .meta({ description: 'The client address of the request; "[redacted]" when the actor is a provider or reseller operator above the reader', example: '127.0.0.1' }),
    chain: z
      .object({
        seq: z.number().int().nullable(),
        prevHash: z.string().nullable(),
        hash: z
          .string()
          .nullable()
          .meta({ description: 'HMAC-SHA256 under the platform\'s audit key over the event and prevHash, as `hmac-sha256:<keyId>:<hex>`; null for events older than the chain' }),
      })
      .meta({ id: 'AuditChainLink' }),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditEventListParams = OrderedListParams.extend({
  actorKeyId: ApiKeyId.optional().meta({ description: 'Events by this key' }),
  action: z.string().min(1).max(100).optional().meta({ example: 'extension.deleted' }),
  targetId: z.string().min(1).max(100).optional(),
  from: Timestamp.optional().meta({ description: 'Events at or after this time' }),
  to: Timestamp.optional().meta({ description: 'Events before this time' }),
}).meta({ id: 'AuditEventListParams' });
/** `limit`, `cursor` and `order` (newest first with `desc`) as for every ordered list, plus the filters. */
export type AuditEventListParams = Omit<z.input<typeof AuditEventListParams>, 'limit'> & { limit?: number };

export const AuditEventList = listOf(AuditEvent).meta({ id: 'AuditEventList' });
export type AuditEventList = z.infer<typeof AuditEventList>;

export const AuditVerification = z
  .object({
    object: z.literal('audit_verification'),
    ok: z.boolean(),
    checked: z.number().int().min(0).meta({ description: 'Events verified before the first broken one (all of them when ok)' }),
    keyId: z.string().meta({ description: 'The audit key the chain was verified with (its id, not the key)' }),
    firstBrokenEventId: AuditEventId.optional(),
    reason: z
      .enum(['hash_mismatch', 'previous_event_missing', 'chain_link_mismatch', 'unknown_key'])
      .optional()
      .meta({
        description:
          '`hash_mismatch`: the event was altered (or re-hashed without the key); `previous_event_missing`: an event before it was deleted; `chain_link_mismatch`: it no longer follows its predecessor; `unknown_key`: its hash was made with another audit key than the platform holds',
      }),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerification = z.infer<typeof AuditVerification>;
