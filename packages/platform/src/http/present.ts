import type { Call, TenantUsage } from '@highrise/sdk/schemas';
import type { CallRow } from '../domain/records';
import type { TenantUsageView } from '../domain/usage';
import type { Extension, ExtensionWithPassword, Reseller, Tenant } from '@highrise/sdk/schemas';
import type { ExtensionView } from '../domain/extensions';
import type { TenantView } from '../domain/tenants';
import type { ResellerRow } from '../domain/records';

/** Domain records in the exact shapes of the SDK schemas. */

export const presentTenant = (t: TenantView): Tenant => ({
  id: t.id,
  object: 'tenant',
  name: t.name,
  slug: t.slug,
  status: t.deletedAt ? 'deleted' : t.status,
  sipDomain: t.sipDomain,
  resellerId: t.resellerId,
  limits: {
    extensions: t.limits.extensions,
    channels: t.limits.channels,
    messagesPerMinute: t.limits.messagesPerMinute,
    storageBytes: t.limits.storageBytes,
    dialRules: t.limits.dialRules,
    ringGroups: t.limits.ringGroups,
    trunks: t.limits.trunks,
    openPortOrders: t.limits.openPortOrders,
  },
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
  deletedAt: t.deletedAt ?? null,
  purgeAt: t.purgeAt ?? null,
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

/** On create only: one object per extension, built directly (a batch makes a thousand). */
export const presentExtensionWithPassword = (e: ExtensionView, sipPassword: string): ExtensionWithPassword => ({
  id: e.id,
  object: 'extension',
  tenantId: e.tenantId,
  number: e.number,
  displayName: e.displayName,
  sipUri: e.sipUri,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  sipPassword,
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

export const presentCall = (c: CallRow): Call => ({
  id: c.id,
  object: 'call',
  tenantId: c.tenantId,
  callId: c.callId,
  from: c.from,
  to: c.to,
  direction: c.direction,
  startedAt: c.startedAt,
  answeredAt: c.answeredAt,
  endedAt: c.endedAt,
  durationSeconds: c.durationSeconds,
  disposition: c.disposition,
  sipStatus: c.sipStatus,
});

export const presentUsage = (u: TenantUsageView): TenantUsage => ({
  object: 'tenant_usage',
  tenantId: u.tenantId,
  at: u.at.toISOString(),
  channels: u.channels,
  registrations: u.registrations,
  messages: { used: u.messages.used, limit: u.messages.limit, windowStartedAt: u.messages.windowStartedAt.toISOString(), windowSeconds: u.messages.windowSeconds },
  extensions: u.extensions,
  numbers: u.numbers,
  storage: u.storage,
});
