import type { Extension, Reseller, Tenant } from '@highrise/sdk/schemas';
import type { ExtensionView } from '../domain/extensions';
import type { TenantView } from '../domain/tenants';
import type { ResellerRow } from '../store/types';

/** Domain records in the exact shapes of the SDK schemas. */

export const presentTenant = (t: TenantView): Tenant => ({
  id: t.id,
  object: 'tenant',
  name: t.name,
  slug: t.slug,
  status: t.status,
  sipDomain: t.sipDomain,
  resellerId: t.resellerId,
  limits: { extensions: t.limits.extensions, channels: t.limits.channels },
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

export const presentExtension = (e: ExtensionView): Extension => ({
  id: e.id,
  object: 'extension',
  tenantId: e.tenantId,
  number: e.number,
  displayName: e.displayName,
  sipUri: e.sipUri,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

export const presentReseller = (r: ResellerRow): Reseller => ({
  id: r.id,
  object: 'reseller',
  name: r.name,
  status: r.status,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const presentPage = <T, U>(page: { items: T[]; next: string | null }, map: (item: T) => U) => ({
  data: page.items.map(map),
  nextCursor: page.next,
});
