import { hash } from 'node:crypto';
import type { SipDirectory, SipTenant } from './sip-directory-contract';
import type { TenantRow } from '../store/types';
import { tenantSipDomain, type DomainContext } from './context';
import { recordCall } from './calls';
import { DialPlanCache } from './dial-plan/plan-cache';
import { resolveDial, resolveInboundDid } from './dial-plan/resolve';
import { verifySoftphoneToken } from './softphone-tokens';
import { tenantInService } from './status';

/** The SIP edge's view of tenants and users, read through the store's tenant scopes. */
export function createSipDirectory(ctx: DomainContext, secret: Uint8Array, plans = new DialPlanCache()): SipDirectory {
  const suffix = `.${ctx.baseSipDomain.toLowerCase()}`;
  // A tenant of a suspended reseller is as suspended as a suspended tenant, for phones too.
  const toSipTenant = (t: TenantRow): SipTenant => ({
    id: t.id,
    slug: t.slug,
    sipDomain: tenantSipDomain(ctx, t.slug),
    status: tenantInService(ctx, t) ? 'active' : 'suspended',
  });

  return {
    tenantByDomain(domain) {
      const host = domain.toLowerCase();
      if (!host.endsWith(suffix)) return undefined;
      const slug = host.slice(0, -suffix.length);
      // A slug is one DNS label; anything with a dot is some other domain.
      if (!slug || slug.includes('.')) return undefined;
      const tenant = ctx.store.tenants.getBySlug(slug);
      return tenant && toSipTenant(tenant);
    },
    user(tenantId, number) {
      const ext = ctx.store.tenant(tenantId).extensions.getByNumber(number);
      return ext && { tenantId, extensionId: ext.id, number: ext.number, displayName: ext.displayName, ha1: ext.ha1, credential: credentialOf(ext.id, ext.ha1) };
    },
    verifyToken: (token) => verifySoftphoneToken(ctx, secret, token),
    limits(tenantId) {
      const tenant = ctx.store.tenants.get(tenantId);
      return tenant && { channels: tenant.limits.channels, messagesPerMinute: tenant.limits.messagesPerMinute };
    },
    resolveDial(tenantId, dialled, caller) {
      const scope = ctx.store.tenant(tenantId);
      return resolveDial(scope, dialled, caller, plans.planFor(scope));
    },
    resolveInboundDid: (number, caller) => resolveInboundDid(ctx.store, number, caller),
    trunk(tenantId, username) {
      const row = ctx.store.tenant(tenantId).trunks.getByUsername(username);
      return row && { tenantId, trunkId: row.id, username: row.username, ha1: row.ha1, callerId: row.callerId, credential: credentialOf(row.id, row.ha1) };
    },
    watchCredentials: (listener) => ctx.credentialChanges?.subscribe(listener) ?? (() => {}),
    recordCalls(records) {
      ctx.store.transaction(() => {
        for (const record of records) recordCall(ctx, record);
      });
    },
  };
}

/**
 * The credential generation of an extension or trunk: its id (a number deleted and created again is
 * another row) and a digest of its HA1 (a new password is another HA1). Derived rather than stored,
 * so no column has to be kept in step; a password "changed" to itself is, rightly, no change.
 * The HA1 itself is not handed around the edge's memory for this.
 */
function credentialOf(id: string, ha1: string): string {
  return `${id}:${hash('sha256', ha1).slice(0, 16)}`;
}
