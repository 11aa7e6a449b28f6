import type { SipDirectory, SipTenant } from '../sip/directory';
import type { TenantRow } from '../store/types';
import { tenantSipDomain, type DomainContext } from './context';
import { verifySoftphoneToken } from './softphone-tokens';

/** The SIP edge's view of tenants and users, read through the store's tenant scopes. */
export function createSipDirectory(ctx: DomainContext, secret: Uint8Array): SipDirectory {
  const suffix = `.${ctx.baseSipDomain.toLowerCase()}`;
  const toSipTenant = (t: TenantRow): SipTenant => ({ id: t.id, slug: t.slug, sipDomain: tenantSipDomain(ctx, t.slug), status: t.status });

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
      return ext && { tenantId, extensionId: ext.id, number: ext.number, displayName: ext.displayName, ha1: ext.ha1 };
    },
    verifyToken: (token) => verifySoftphoneToken(ctx, secret, token),
  };
}
