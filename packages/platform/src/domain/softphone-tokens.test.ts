import { SignJWT, decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite';
import type { DomainContext } from './context';
import { NotFound } from './errors';
import { createExtension, deleteExtension } from './extensions';
import type { Actor } from './principal';
import { createSipDirectory } from './sip-directory';
import { issueSoftphoneToken, loadPlatformSecret } from './softphone-tokens';
import { accessTenant, createTenant, type TenantAccess } from './tenants';
import { auditKeyFrom } from './audit-key';

let ctx: DomainContext;
let secret: Uint8Array;
let acme: TenantAccess;
let clock: number;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000' }, requestId: null };
const wsUrl = 'ws://127.0.0.1:9/sip';

beforeEach(async /*@am*/ () => {
  clock = Date.UTC(2026, 10, 28, 10, 0, 0);
  ctx = { store: openSqliteStore({ filename: ':memory:' }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(clock) };
  secret = await loadPlatformSecret(ctx.store);
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id);
  await createExtension(ctx, provider, acme, { number: '101', displayName: 'A', sipPassword: 'a-long-sip-password' });
});
afterEach(() => ctx.store.close());

describe('softphone tokens', () => {
  it('carry the AOR, tenant, extension, display name and edge URL, and verify', async () => {
    const issued = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, wsUrl });
    expect(issued.sipUri).toBe('sip:101@acme.sip.localhost');
    expect(issued.expiresAt.getTime()).toBe(clock + 600_000);
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ sub: 'sip:101@acme.sip.localhost', tid: acme.tenant.id, ext: '101', ws: wsUrl, name: 'A', iss: 'highrise', aud: 'softphone' });
    expect(claims.jti).toBeTruthy();

    const check = await createSipDirectory(ctx, secret).verifyToken(issued.token);
    expect(check).toEqual({ ok: true, claims: { tenantId: acme.tenant.id, extension: '101', expiresAt: issued.expiresAt } });
  });

  it('are refused once expired', async () => {
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 60, wsUrl });
    clock += 61_000;
    expect(await createSipDirectory(ctx, secret).verifyToken(token)).toEqual({ ok: false, reason: 'token_expired' });
  });

  it('are refused when forged or garbage', async () => {
    const forged = await new SignJWT({ tid: acme.tenant.id, ext: '101' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('sip:101@acme.sip.localhost')
      .setIssuer('highrise')
      .setAudience('softphone')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti('x')
      .sign(new TextEncoder().encode('not-the-platform-secret-at-all!!'));
    const directory = createSipDirectory(ctx, secret);
    expect(await directory.verifyToken(forged)).toEqual({ ok: false, reason: 'token_invalid' });
    expect(await directory.verifyToken('not.a.jwt')).toEqual({ ok: false, reason: 'token_invalid' });
  });

  it('stop working when the extension is deleted or the tenant suspended', async () => {
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, wsUrl });
    const directory = createSipDirectory(ctx, secret);
    await ctx.store.tenants.update(acme.tenant.id, { status: 'suspended' });
    expect(await directory.verifyToken(token)).toEqual({ ok: false, reason: 'tenant_suspended' });
    await ctx.store.tenants.update(acme.tenant.id, { status: 'active' });
    await deleteExtension(ctx, provider, acme, (await acme.scope.extensions.getByNumber('101'))!.id);
    expect(await directory.verifyToken(token)).toEqual({ ok: false, reason: 'extension_not_found' });
  });

  it('are issued only for an extension of the tenant', async () => {
    await expect(issueSoftphoneToken(ctx, secret, acme, { extension: '999', ttlSeconds: 600, wsUrl })).rejects.toBeInstanceOf(NotFound);
  });

  it('are signed with a secret that survives a restart', () => {
    expect(loadPlatformSecret(ctx.store)).toEqual(secret);
    expect(secret.byteLength).toBe(32);
  });
});

describe('SIP directory', () => {
  it('finds a tenant by its SIP domain, case-insensitively, and nothing else', () => {
    const directory = createSipDirectory(ctx, secret);
    expect(directory.tenantByDomain('ACME.sip.localhost')).toEqual({ id: acme.tenant.id, slug: 'acme', sipDomain: 'acme.sip.localhost', status: 'active' });
    expect(directory.tenantByDomain('sip.localhost')).toBeUndefined();
    expect(directory.tenantByDomain('x.acme.sip.localhost')).toBeUndefined();
    expect(directory.tenantByDomain('acme.sip.example.com')).toBeUndefined();
  });

  it('looks users up inside one tenant only', async /*@am*/ () => {
    const globex = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Globex', slug: 'globex' })).tenant.id);
    const directory = createSipDirectory(ctx, secret);
    expect(directory.user(acme.tenant.id, '101')).toMatchObject({ tenantId: acme.tenant.id, number: '101', displayName: 'A' });
    expect(directory.user(globex.tenant.id, '101')).toBeUndefined();
  });
});
