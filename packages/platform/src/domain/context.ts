import { newId } from '../ids';
import type { Store } from '../store/types';
import type { Actor } from './principal';

export interface DomainContext {
  store: Store;
  /** Base SIP domain; a tenant's is `<slug>.<base>`. */
  baseSipDomain: string;
  now(): Date;
}

export const tenantSipDomain = (ctx: DomainContext, slug: string) => `${slug}.${ctx.baseSipDomain}`;

/** Writes the audit event of a mutation; call it inside the mutation's transaction. */
export function recordAudit(ctx: DomainContext, actor: Actor, tenantId: string | null, action: string, targetId: string): void {
  ctx.store.audit.record({
    id: newId('evt'),
    occurredAt: ctx.now().toISOString(),
    actorKeyId: actor.principal.keyId,
    tenantId,
    action,
    targetId,
    requestId: actor.requestId,
  });
}
