import { newId } from '../ids';
import type { ApiKeyRow } from '../store/types';
import type { DomainContext } from './context';
import { TenantSuspended } from './errors';
import type { Principal } from './principal';
import { newApiKeySecret, sha256Hex } from './secrets';

/** lastUsedAt is a hint for humans; writing it at most once a minute keeps reads from becoming writes. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Makes `secret` the provider owner's key unless a provider key already exists, so the bootstrap
 * key only counts on first start. Returns whether it was stored.
 */
export function ensureBootstrapKey(ctx: DomainContext, secret: string): boolean {
  return ctx.store.transaction(() => {
    if (ctx.store.apiKeys.countByPrincipal('provider') > 0) return false;
    ctx.store.apiKeys.insert({
      id: newId('key'),
      secretHash: sha256Hex(secret),
      principal: 'provider',
      resellerId: null,
      tenantId: null,
      name: 'provider owner (bootstrap)',
      createdAt: ctx.now().toISOString(),
      lastUsedAt: null,
    });
    return true;
  });
}

/** Mints a tenant-scoped key; call inside the transaction that needs it. */
export function insertTenantKey(ctx: DomainContext, tenantId: string, name: string): { id: string; secret: string } {
  const secret = newApiKeySecret();
  const row: ApiKeyRow = {
    id: newId('key'),
    secretHash: sha256Hex(secret),
    principal: 'tenant',
    resellerId: null,
    tenantId,
    name,
    createdAt: ctx.now().toISOString(),
    lastUsedAt: null,
  };
  ctx.store.apiKeys.insert(row);
  return { id: row.id, secret };
}

/** Resolves an API key secret to its principal; undefined for an unknown key. */
export function authenticate(ctx: DomainContext, secret: string): Principal | undefined {
  const key = ctx.store.apiKeys.getBySecretHash(sha256Hex(secret));
  if (!key) return undefined;
  const now = ctx.now();
  if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > TOUCH_INTERVAL_MS) {
    ctx.store.apiKeys.touch(key.id, now.toISOString());
  }
  switch (key.principal) {
    case 'provider':
      return { kind: 'provider', keyId: key.id };
    case 'reseller':
      return { kind: 'reseller', keyId: key.id, resellerId: key.resellerId! };
    case 'tenant': {
      // A suspended tenant's keys stop working at once.
      const tenant = ctx.store.tenants.get(key.tenantId!);
      if (!tenant) return undefined;
      if (tenant.status === 'suspended') throw new TenantSuspended();
      return { kind: 'tenant', keyId: key.id, tenantId: key.tenantId! };
    }
  }
}
