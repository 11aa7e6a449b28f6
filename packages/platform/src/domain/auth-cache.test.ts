import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { SQLITE_DATABASE_FILE as DATABASE_FILE } from '../store/db/connect';
import { systemScope } from './system-scope';
import { insertTenantKey, revokeTenantKey } from './api-keys';
import { AuthCache } from './auth-cache';
import { LEVEL_PERMISSIONS } from './permissions';
import type { DomainContext } from './context';
import type { Actor } from './principal';
import { createTenant, setTenantStatus, accessTenant } from './tenants';
import { auditKeyFrom } from './audit-key';

let ctx: DomainContext;
let dir: string;
let now: number;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_1' };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hr-auth-cache-'));
  now = Date.parse('2026-11-28T10:00:00Z');
  ctx = { store: await openKyselyStore({ sqlite: { dataDir: dir } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(now) };
});
afterEach(() => ctx.store.close());

async function tenantKey() {
  const tenantId = (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id;
  return { tenantId, ...await ctx.store.transaction(() => insertTenantKey(ctx, ctx.store.tenant(systemScope('test fixture', tenantId)), 'owner')) };
}

describe('AuthCache', () => {
  it('serves a known key from memory until something is written', async () => {
    const cache = new AuthCache();
    const { secret } = await tenantKey();
    const first = await cache.resolve(ctx, secret);
    expect(first.ok).toBe(true);
    // Same principal object: no reads were needed the second time.
    expect((await cache.resolve(ctx, secret))).toEqual(first);
    expect(((await cache.resolve(ctx, secret)) as { principal: unknown }).principal).toBe((first as { principal: unknown }).principal);
  });

  it('refuses a key revoked by another process within 100 ms', async () => {
    const cache = new AuthCache();
    const { id, secret } = await tenantKey();
    expect((await cache.resolve(ctx, secret)).ok).toBe(true);
    const other = new Database(join(dir, DATABASE_FILE));
    other.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(new Date(now).toISOString(), id);
    other.close();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await cache.resolve(ctx, secret))).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('sees a suspension written through this store at once', async () => {
    const cache = new AuthCache();
    const { tenantId, secret } = await tenantKey();
    expect((await cache.resolve(ctx, secret)).ok).toBe(true);
    await setTenantStatus(ctx, provider, await accessTenant(ctx, provider.principal, tenantId), 'suspended');
    await expect(cache.resolve(ctx, secret)).rejects.toThrow(/suspended/);
  });

  it('does not keep a key revoked by a request that ran while it was being resolved', async () => {
    // With an async store two requests interleave: the revocation may commit between the key's
    // lookup and the read of the change version the entry is cached under.
    const cache = new AuthCache();
    const { tenantId, id, secret } = await tenantKey();
    const access = await accessTenant(ctx, provider.principal, tenantId);
    const owner: Actor = { ...provider, principal: { ...provider.principal, permissions: new Set(LEVEL_PERMISSIONS.provider) } };
    await Promise.all([cache.resolve(ctx, secret), revokeTenantKey(ctx, owner, access, id)]);
    expect(await cache.resolve(ctx, secret)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('does not outlive the key expiry even when nothing is written', async () => {
    const cache = new AuthCache();
    const { id, secret } = await tenantKey();
    const other = new Database(join(dir, DATABASE_FILE));
    other.prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?').run(new Date(now + 5_000).toISOString(), id);
    other.close();
    expect((await cache.resolve(ctx, secret)).ok).toBe(true);
    now += 6_000;
    expect((await cache.resolve(ctx, secret))).toMatchObject({ ok: false, reason: 'expired' });
  });
});
