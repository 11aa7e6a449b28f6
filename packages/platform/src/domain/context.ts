import { appendAuditEvent, appendAuditEvents, diffChanges, roleNameOf, type AuditDetails } from './audit';
import type { Store, TenantScope } from '../store/types';
import type { AuditKey } from './audit-key';
import type { Actor } from './principal';
import type { WebhookRules } from './webhooks';
import type { CredentialChanges } from './credential-changes';
import type { UsageCounter } from './usage-counter';

export interface DomainContext {
  store: Store;
  /** Base SIP domain; a tenant's is `<slug>.<base>`. */
  baseSipDomain: string;
  now(): Date;
  /** Keys the audit chain; held outside the store (see audit-key.ts). */
  auditKey: AuditKey;
  /** Turns an event's domain record into the API's shape of it (installed by the HTTP layer; see events.ts). */
  presentEvent?: ((type: string, data: object) => unknown) | undefined;
  /** Where committed credential changes are told (the SIP edge listens); none in a bare context. */
  credentialChanges?: CredentialChanges | undefined;
  /** A new tenant's storage limit when its creator sets none (PlatformOptions.porting.storageLimitBytes). */
  defaultStorageBytes?: number | undefined;
  /**
   * The operator's webhook rules (PlatformOptions.webhooks). Without them private destinations are
   * refused and redelivery has the default limit.
   */
  webhooks?: WebhookRules | undefined;
  /** Days a deleted tenant's data is kept before the purge (PlatformOptions.tenants.retentionDays); default 30. */
  tenantRetentionDays?: number | undefined;
  /** Counts refusals by limit and storage peaks for the usage rollups (startPlatform's; none in a bare context). */
  usage?: UsageCounter | undefined;
}

export const tenantSipDomain = (ctx: DomainContext, slug: string) => `${slug}.${ctx.baseSipDomain}`;

/**
 * Writes the audit event of a mutation into its tenant's hash chain (the platform chain for null);
 * the tenant is the access check's scope, never a bare id. Call it inside the mutation's transaction. `details` adds the target type and the record before
 * and after, of which only changed keys are kept, secrets redacted.
 */
export async function recordAudit(ctx: DomainContext, actor: Actor, scope: TenantScope | null, action: string, targetId: string, details: AuditDetails = {}): Promise<void> {
  await recordAudits(ctx, actor, scope, action, [{ targetId, details }]);
}

/** `recordAudit` for many targets of one tenant at once (a batch create): one chain append, the actor's role looked up once. */
export async function recordAudits(
  ctx: DomainContext,
  actor: Actor,
  scope: TenantScope | null,
  action: string,
  entries: readonly { targetId: string; details?: AuditDetails }[],
): Promise<void> {
  const actorRole = await roleNameOf(ctx, actor.principal);
  await appendAuditEvents(
    ctx,
    scope,
    entries.map(({ targetId, details = {} }) => ({
      action,
      targetId,
      targetType: details.targetType,
      actorKeyId: actor.principal.keyId,
      actorPrincipal: actor.principal.kind,
      actorRole,
      changes: details.before !== undefined || details.after !== undefined ? diffChanges(details.before, details.after) : null,
      requestId: actor.requestId,
      sourceAddress: actor.sourceAddress ?? null,
    })),
  );
}

/**
 * Writes a security event that has no authenticated actor (a failed authentication): a
 * platform-level event (null scope) when no tenant is known. The scope is the tenant's whose key or
 * credential failed, named by the caller (a system scope: no access check has passed). Call it
 * inside its own transaction.
 */
export async function recordSecurityEvent(
  ctx: DomainContext,
  event: { scope: TenantScope | null; action: string; targetId: string; requestId: string | null; actorKeyId?: string | null; sourceAddress?: string | null },
): Promise<void> {
  await appendAuditEvent(ctx, event.scope, {
    action: event.action,
    targetId: event.targetId,
    actorKeyId: event.actorKeyId ?? null,
    actorPrincipal: null,
    requestId: event.requestId,
    sourceAddress: event.sourceAddress ?? null,
  });
}
