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
  const toSipTenant = async /*@am*/ (t: TenantRow): Promise<SipTenant> => ({
    id: t.id,
    slug: t.slug,
    sipDomain: tenantSipDomain(ctx, t.slug),
    status: await tenantInService(ctx, t) ? 'active' : 'suspended',
  });

  return {
    async /*@am*/ tenantByDomain(domain) {
      const host = domain.toLowerCase();
      if (!host.endsWith(suffix)) return undefined;
      const slug = host.slice(0, -suffix.length);
      // A slug is one DNS label; anything with a dot is some other domain.
      if (!slug || slug.includes('.')) return undefined;
      const tenant = await ctx.store.tenants.getBySlug(slug);
      return tenant && await toSipTenant(tenant);
    },
    async /*@am*/ user(tenantId, number) {
      const ext = await ctx.store.tenant(tenantId).extensions.getByNumber(number);
      return ext && { tenantId, extensionId: ext.id, number: ext.number, displayName: ext.displayName, ha1: ext.ha1 };
    },
    verifyToken: (token) => verifySoftphoneToken(ctx, secret, token),
    async /*@am*/ limits(tenantId) {
      const tenant = await ctx.store.tenants.get(tenantId);
      return tenant && { channels: tenant.limits.channels, messagesPerMinute: tenant.limits.messagesPerMinute };
    },
    async /*@am*/ resolveDial(tenantId, dialled, caller) {
      const scope = ctx.store.tenant(tenantId);
      return resolveDial(scope, dialled, caller, await plans.planFor(scope));
    },
    resolveInboundDid: (number, caller) => resolveInboundDid(ctx.store, number, caller),
    async /*@am*/ trunk(tenantId, username) {
      const row = await ctx.store.tenant(tenantId).trunks.getByUsername(username);
      return row && { tenantId, trunkId: row.id, username: row.username, ha1: row.ha1, callerId: row.callerId };
    },
    async /*@am*/ recordCalls(records) {
      await ctx.store.transaction(async /*@am*/ () => {
        for (const record of records) await recordCall(ctx, record);
      });
    },
  };
}
