import { createHmac } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import type { DomainContext } from './context';
import { NotFound } from './errors';
import { createExtension, deleteExtension, updateExtension } from './extensions';
import { CredentialChanges, type SipCredentialChange } from './credential-changes';
import { createTrunk, updateTrunk } from './trunks';
import { setTenantStatus } from './tenants';
import type { Actor } from './principal';
import { createSipDirectory } from './sip-directory';
import { SipDirectoryCache } from './sip-directory-cache';
import { issueSoftphoneToken, loadPlatformSecret, rotateSigningKey } from './softphone-tokens';
import { signingKeyId } from './edge-credentials';
import { accessTenant, createTenant, type TenantAccess } from './tenants';
import { auditKeyFrom } from './audit-key';
import { setResellerStatus, createReseller } from './resellers';

let ctx: DomainContext;
let secret: Uint8Array;
let acme: TenantAccess;
let clock: number;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null };
const wsUrl = 'ws://127.0.0.1:9/sip';

beforeEach(async () => {
  clock = Date.UTC(2026, 10, 28, 10, 0, 0);
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(clock) };
  secret = await loadPlatformSecret(ctx.store);
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id);
  await createExtension(ctx, provider, acme, { number: '101', displayName: 'A', sipPassword: 'a-long-sip-password' });
});
afterEach(async () => {
  for (const cache of caches.splice(0)) cache.stop();
  await ctx.store.close();
});

const caches: SipDirectoryCache[] = [];
/** The edge's directory over the test's store, loaded as at start and following every change. */
async function directoryOf() {
  const cache = new SipDirectoryCache(ctx.store);
  await cache.start();
  caches.push(cache);
  return createSipDirectory(ctx, secret, cache);
}

describe('softphone tokens', () => {
  it('carry the AOR, tenant, extension, display name and edge URL, and verify', async () => {
    const issued = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } });
    expect(issued.sipUri).toBe('sip:101@acme.sip.localhost');
    expect(issued.expiresAt.getTime()).toBe(clock + 600_000);
    const claims = decodeJwt(issued.token);
    const extensionId = (await acme.scope.extensions.getByNumber('101'))!.id;
    expect(claims).toMatchObject({ sub: 'sip:101@acme.sip.localhost', tid: acme.tenant.id, ext: '101', eid: extensionId, ws: wsUrl, name: 'A', iss: 'highrise', aud: 'softphone' });
    expect(claims.jti).toBeTruthy();

    const check = await (await directoryOf()).verifyToken(issued.token);
    expect(check).toEqual({ ok: true, claims: { tenantId: acme.tenant.id, extension: '101', extensionId, expiresAt: issued.expiresAt } });
  });

  it('carry no SIP credentials for the embedded edge, and Kamailio auth_ephemeral credentials that expire with the token for Kamailio', async () => {
    const embedded = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } });
    expect(embedded.sipCredentials).toBeUndefined();
    expect(decodeJwt(embedded.token).sip).toBeUndefined();

    const nodes = ['ws://127.0.0.1:5061/', 'ws://127.0.0.2:5061/'];
    const ephemeralSecret = 'k'.repeat(43);
    const issued = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: nodes, ephemeralSecret, apiOrigin: 'http://127.0.0.1:8080' } });
    const extensionId = (await acme.scope.extensions.getByNumber('101'))!.id;
    const expiry = (clock + 600_000) / 1000;
    expect(issued.wsUrl).toBe(nodes[0]);
    expect(issued.wsUrls).toEqual(nodes);
    // The key id names the seed that signed the token (the generation Kamailio checks).
    const keyId = signingKeyId((await acme.scope.signingKey.get())!);
    expect(issued.sipCredentials?.username).toBe(`${expiry}:101.${extensionId}.${keyId}@acme.sip.localhost`);
    // What auth_ephemeral computes from the username with the shared secret.
    expect(issued.sipCredentials?.password).toBe(createHmac('sha1', ephemeralSecret).update(issued.sipCredentials!.username).digest('base64'));
    expect(issued.sipCredentials?.expiresAt).toEqual(issued.expiresAt);
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ ws: nodes, api: 'http://127.0.0.1:8080', sip: { username: issued.sipCredentials!.username, password: issued.sipCredentials!.password } });
    // The token still opens the embedded edge as before.
    expect((await (await directoryOf()).verifyToken(issued.token)).ok).toBe(true);
  });

  it("name the tenant's signing key in their Kamailio credentials: a rotation gives the next token another, and stops the earlier token at the embedded edge", async () => {
    const edge = { wsUrls: ['ws://127.0.0.1:5061/'], ephemeralSecret: 'k'.repeat(43) };
    const before = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge });
    await rotateSigningKey(ctx, provider, acme);
    const after = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge });
    const keyOf = (username: string) => /\.([0-9a-f]{16})@/.exec(username)?.[1];
    expect(keyOf(after.sipCredentials!.username)).toBe(signingKeyId((await acme.scope.signingKey.get())!));
    expect(keyOf(before.sipCredentials!.username)).not.toBe(keyOf(after.sipCredentials!.username));
    const directory = await directoryOf();
    expect(await directory.verifyToken(before.token)).toEqual({ ok: false, reason: 'token_invalid' });
    expect((await directory.verifyToken(after.token)).ok).toBe(true);
  });

  it('are refused once expired', async () => {
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 60, edge: { wsUrls: [wsUrl] } });
    clock += 61_000;
    expect(await (await directoryOf()).verifyToken(token)).toEqual({ ok: false, reason: 'token_expired' });
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
    const directory = (await directoryOf());
    expect(await directory.verifyToken(forged)).toEqual({ ok: false, reason: 'token_invalid' });
    expect(await directory.verifyToken('not.a.jwt')).toEqual({ ok: false, reason: 'token_invalid' });
  });

  it('stop working when the extension is deleted or the tenant suspended', async () => {
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } });
    const directory = (await directoryOf());
    await ctx.store.tenants.update(acme.tenant.id, { status: 'suspended' });
    expect(await directory.verifyToken(token)).toEqual({ ok: false, reason: 'tenant_suspended' });
    await ctx.store.tenants.update(acme.tenant.id, { status: 'active' });
    await deleteExtension(ctx, provider, acme, (await acme.scope.extensions.getByNumber('101'))!.id);
    expect(await directory.verifyToken(token)).toEqual({ ok: false, reason: 'extension_not_found' });
  });

  it('are refused by an extension deleted and created again with the same number', async () => {
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } });
    await deleteExtension(ctx, provider, acme, (await acme.scope.extensions.getByNumber('101'))!.id);
    await createExtension(ctx, provider, acme, { number: '101', displayName: 'Someone else', sipPassword: 'another-long-password' });
    expect(await (await directoryOf()).verifyToken(token)).toEqual({ ok: false, reason: 'extension_not_found' });
  });

  it('without the extension id claim (issued before it existed) are honoured only by an extension older than the token', async () => {
    clock += 5_000;
    const { token } = await issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } });
    const { eid: _eid, ...claims } = decodeJwt(token);
    const directory = (await directoryOf());
    // Re-signed without `eid` with the tenant's real key (HMAC of the platform secret and the tenant's seed).
    const resign = async () => {
      const seed = (await acme.scope.signingKey.get())!;
      const key = new Uint8Array(createHmac('sha256', secret).update(`${acme.tenant.id}:${seed}`).digest());
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
    };
    expect(await directory.verifyToken(await resign())).toMatchObject({ ok: true });
    await deleteExtension(ctx, provider, acme, (await acme.scope.extensions.getByNumber('101'))!.id);
    await createExtension(ctx, provider, acme, { number: '101', displayName: 'Someone else', sipPassword: 'another-long-password' });
    expect(await directory.verifyToken(await resign())).toEqual({ ok: false, reason: 'extension_not_found' });
  });

  it('issued at the same moment as the tenant\'s first are all valid: one signing key, not one each', async () => {
    const issued = await Promise.all([1, 2, 3].map(() => issueSoftphoneToken(ctx, secret, acme, { extension: '101', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } })));
    const directory = await directoryOf();
    for (const { token } of issued) expect(await directory.verifyToken(token)).toMatchObject({ ok: true });
  });

  it('are issued only for an extension of the tenant', async () => {
    await expect(issueSoftphoneToken(ctx, secret, acme, { extension: '999', ttlSeconds: 600, edge: { wsUrls: [wsUrl] } })).rejects.toBeInstanceOf(NotFound);
  });

  it('are signed with a secret that survives a restart', async () => {
    expect((await loadPlatformSecret(ctx.store))).toEqual(secret);
    expect(secret.byteLength).toBe(32);
  });
});

describe('SIP directory', () => {
  it('finds a tenant by its SIP domain, case-insensitively, and nothing else', async () => {
    const directory = (await directoryOf());
    expect(directory.tenantByDomain('ACME.sip.localhost')).toEqual({ id: acme.tenant.id, slug: 'acme', sipDomain: 'acme.sip.localhost', status: 'active' });
    expect(directory.tenantByDomain('sip.localhost')).toBeUndefined();
    expect(directory.tenantByDomain('x.acme.sip.localhost')).toBeUndefined();
    expect(directory.tenantByDomain('acme.sip.example.com')).toBeUndefined();
  });

  it('looks users up inside one tenant only', async () => {
    const globex = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Globex', slug: 'globex' })).tenant.id);
    const directory = (await directoryOf());
    expect(directory.user(acme.tenant.id, '101')).toMatchObject({ tenantId: acme.tenant.id, number: '101', displayName: 'A' });
    expect(directory.user(globex.tenant.id, '101')).toBeUndefined();
  });

  it("gives an extension's and a trunk's credentials a generation that changes with the password and with re-creation only", async () => {
    const directory = (await directoryOf());
    const first = directory.user(acme.tenant.id, '101')!.credential;
    const id = (await acme.scope.extensions.getByNumber('101'))!.id;
    await updateExtension(ctx, provider, acme, id, { displayName: 'Renamed' });
    expect(directory.user(acme.tenant.id, '101')!.credential).toBe(first);
    await updateExtension(ctx, provider, acme, id, { sipPassword: 'a-new-long-sip-password' });
    const second = directory.user(acme.tenant.id, '101')!.credential;
    expect(second).not.toBe(first);
    await deleteExtension(ctx, provider, acme, id);
    await createExtension(ctx, provider, acme, { number: '101', displayName: 'B', sipPassword: 'a-new-long-sip-password' });
    expect(directory.user(acme.tenant.id, '101')!.credential).not.toBe(second);
    expect(directory.user(acme.tenant.id, '101')!.credential).not.toContain((await acme.scope.extensions.getByNumber('101'))!.ha1);

    const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier' });
    const before = directory.trunk!(acme.tenant.id, trunk.username)!.credential;
    await updateTrunk(ctx, provider, acme, trunk.id, { rotatePassword: true });
    expect(directory.trunk!(acme.tenant.id, trunk.username)!.credential).not.toBe(before);
  });

  it('tells watchers of password changes, deletions and tenants leaving service, after they are committed', async () => {
    ctx.credentialChanges = new CredentialChanges();
    const seen: SipCredentialChange[] = [];
    const stop = (await directoryOf()).watchCredentials!((change) => seen.push(change));
    const id = (await acme.scope.extensions.getByNumber('101'))!.id;
    await updateExtension(ctx, provider, acme, id, { displayName: 'Only a name' });
    expect(seen).toEqual([]);
    await updateExtension(ctx, provider, acme, id, { sipPassword: 'a-new-long-sip-password' });
    await deleteExtension(ctx, provider, acme, id);
    const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier' });
    await updateTrunk(ctx, provider, acme, trunk.id, { rotatePassword: true });
    await setTenantStatus(ctx, provider, acme, 'suspended');
    await setTenantStatus(ctx, provider, acme, 'active');
    expect(seen).toEqual([
      { kind: 'extension', tenantId: acme.tenant.id, extensionId: id, number: '101', deleted: false },
      { kind: 'extension', tenantId: acme.tenant.id, extensionId: id, number: '101', deleted: true },
      { kind: 'trunk', tenantId: acme.tenant.id, trunkId: trunk.id, deleted: false },
      { kind: 'tenant', tenantId: acme.tenant.id },
    ]);

    const reseller = await createReseller(ctx, provider, { name: 'Reseller' });
    const sold = (await createTenant(ctx, provider, { name: 'Sold', slug: 'sold', resellerId: reseller.id })).tenant.id;
    seen.length = 0;
    await setResellerStatus(ctx, provider, reseller.id, 'suspended');
    expect(seen).toEqual([{ kind: 'tenant', tenantId: sold }]);

    // A change that fails (rolled back) is never told.
    seen.length = 0;
    await expect(updateExtension(ctx, provider, acme, 'ext_missing', { sipPassword: 'whatever-long-password' })).rejects.toThrow(NotFound);
    stop();
    await setTenantStatus(ctx, provider, acme, 'suspended');
    expect(seen).toEqual([]);
  });
});
