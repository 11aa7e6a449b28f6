import type { AuditEvent } from '@highrise/sdk/schemas';
import type { AuditEventRow } from '../domain/records';

/** An audit row in the SDK's shape; `changes` is stored as canonical JSON, already redacted. */
export const presentAuditEvent = (e: AuditEventRow): AuditEvent => ({
  id: e.id,
  object: 'audit_event',
  occurredAt: e.occurredAt,
  tenantId: e.tenantId,
  actor: { keyId: e.actorKeyId, principal: (e.actorPrincipal ?? null) as AuditEvent['actor']['principal'], role: e.actorRole ?? null },
  action: e.action,
  target: { id: e.targetId, type: e.targetType ?? 'unknown' },
  changes: e.changes ? (JSON.parse(e.changes) as AuditEvent['changes']) : null,
  requestId: e.requestId,
  sourceAddress: e.sourceAddress ?? null,
  chain: { seq: e.chainSeq ?? null, prevHash: e.prevHash ?? null, hash: e.hash ?? null },
});
