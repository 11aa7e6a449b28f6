import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify, errors as joseErrors } from 'jose';
import type { Store } from '../store/types';
import type { TokenCheck } from './sip-directory-contract';
import { recordAudit, tenantSipDomain, type DomainContext } from './context';
import type { Actor } from './principal';
import { tenantInService } from './status';
import { NotFound, TenantSuspended } from './errors';
import { sipUri } from './extensions';
import type { TenantAccess } from './tenants';
import { systemScope } from './system-scope';
import type { SipDirectoryCache } from './sip-directory-cache';
import { mintEdgeCredentials, signingKeyId, type EdgeCredentials } from './edge-credentials';

const ISSUER = 'highrise';
const AUDIENCE = 'softphone';
const SECRET_SETTING = 'platform_secret';

/** The platform's signing secret, generated on first start and kept in the store. */
export async function loadPlatformSecret(store: Store): Promise<Uint8Array> {
  const value = await store.settings.getOrInsert(SECRET_SETTING, randomBytes(32).toString('base64url'));
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

export interface SoftphoneTokenIssued {
  token: string;
  expiresAt: Date;
  sipUri: string;
  /** The first of `wsUrls`. */
  wsUrl: string;
  wsUrls: string[];
  /** Digest credentials for Kamailio (`auth_ephemeral`); only when the edge is Kamailio. */
  sipCredentials?: EdgeCredentials;
}

/**
 * Where the widget registers: the embedded edge (`{ wsUrls: [its URL] }`), or Kamailio's nodes with
 * the `auth_ephemeral` secret, in which case the token carries digest credentials Kamailio checks on
 * its own (docs/decisions/2026-12-02-softphone-tokens-at-kamailio.md).
 */
export interface SoftphoneEdge {
  wsUrls: string[];
  ephemeralSecret?: string | undefined;
  /** The platform's own origin, for what the widget asks the platform over HTTP (branding). */
  apiOrigin?: string | undefined;
}

/** Signs a short-lived token that lets one widget register as one extension of one tenant. */
export async function issueSoftphoneToken(
  ctx: DomainContext,
  secret: Uint8Array,
  access: TenantAccess,
  input: { extension: string; ttlSeconds: number; edge: SoftphoneEdge },
  /** Who asked; when given, the issue is written to the tenant's audit log (never the token). */
  actor?: Actor,
): Promise<SoftphoneTokenIssued> {
  const { tenant, scope } = access;
  if (!await tenantInService(ctx, tenant)) throw new TenantSuspended();
  const ext = await scope.extensions.getByNumber(input.extension);
  // An end user gets tokens for their own extension only; any other number is "not found".
  if (!ext || (access.onlyExtensionId !== undefined && ext.id !== access.onlyExtensionId)) throw new NotFound('extension');
  const seed = await tenantSigningSeed(ctx, tenant.id);
  if (seed === undefined) throw new NotFound('tenant');
  const signingKey = signingKeyOf(secret, tenant.id, seed);
  const iat = Math.floor(ctx.now().getTime() / 1000);
  const exp = iat + input.ttlSeconds;
  const aor = sipUri(input.extension, tenant.sipDomain);
  const { wsUrls, ephemeralSecret, apiOrigin } = input.edge;
  if (wsUrls.length === 0) throw new Error('a softphone edge needs at least one WebSocket URL');
  // Minted into the token itself: the widget is given the token only, and Kamailio needs digest
  // credentials. They name the seed that signs the token, so rotating it stops both at once.
  const sipCredentials = ephemeralSecret === undefined
    ? undefined
    : mintEdgeCredentials(ephemeralSecret, { extension: input.extension, extensionId: ext.id, keyId: signingKeyId(seed), sipDomain: tenant.sipDomain, expiresAt: new Date(exp * 1000) });
  // `name` lets the widget present the extension's display name to the people it calls.
  // `eid` ties the token to this extension row: the number deleted and created again is someone else.
  // `ws` is one URL (as widgets of the first release read it) or, with several Kamailio nodes, the list.
  const claims = {
    tid: tenant.id,
    ext: input.extension,
    eid: ext.id,
    ws: wsUrls.length === 1 ? wsUrls[0] : wsUrls,
    name: ext.displayName,
    ...(sipCredentials ? { sip: { username: sipCredentials.username, password: sipCredentials.password } } : {}),
    ...(apiOrigin ? { api: apiOrigin } : {}),
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(aor)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(signingKey);
  if (actor) {
    const expiresAt = new Date(exp * 1000).toISOString();
    await ctx.store.transaction(() => recordAudit(ctx, actor, access.capability, 'softphone_token.issued', ext.id, { after: { extension: input.extension, expiresAt } }));
  }
  return { token, expiresAt: new Date(exp * 1000), sipUri: aor, wsUrl: wsUrls[0]!, wsUrls: [...wsUrls], ...(sipCredentials ? { sipCredentials } : {}) };
}

/**
 * Checks signature and expiry, then that the tenant is still active and the extension still exists,
 * all against the SIP edge's in-memory directory: the edge checks a token on every REGISTER.
 */
export async function verifySoftphoneToken(ctx: DomainContext, secret: Uint8Array, token: string, directory: SipDirectoryCache): Promise<TokenCheck> {
  let claimedTenant: unknown;
  try {
    claimedTenant = decodeJwt(token).tid;
  } catch {
    return { ok: false, reason: 'token_invalid' };
  }
  // No key (never issued, or the tenant is gone) means no valid token.
  const seed = typeof claimedTenant === 'string' ? directory.tenant(claimedTenant)?.signingSeed : undefined;
  const signingKey = seed === undefined ? undefined : signingKeyOf(secret, claimedTenant as string, seed);
  if (!signingKey) return { ok: false, reason: 'token_invalid' };
  let payload;
  try {
    ({ payload } = await jwtVerify(token, signingKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      currentDate: ctx.now(),
    }));
  } catch (e) {
    return { ok: false, reason: e instanceof joseErrors.JWTExpired ? 'token_expired' : 'token_invalid' };
  }
  const { tid, ext, eid, sub, exp, iat } = payload;
  if (typeof tid !== 'string' || typeof ext !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') return { ok: false, reason: 'token_invalid' };
  if (eid !== undefined && typeof eid !== 'string') return { ok: false, reason: 'token_invalid' };
  const current = directory.tenant(tid);
  if (!current) return { ok: false, reason: 'token_invalid' };
  const { tenant } = current;
  // The subject must still be this tenant's AOR; a token cannot move to another domain.
  if (sub !== sipUri(ext, tenantSipDomain(ctx, tenant.slug))) return { ok: false, reason: 'token_invalid' };
  if (!current.inService) return { ok: false, reason: 'tenant_suspended' };
  const extension = current.extensions.get(ext);
  if (!extension || !issuedFor(extension, eid, iat)) return { ok: false, reason: 'extension_not_found' };
  return { ok: true, claims: { tenantId: tenant.id, extension: ext, extensionId: extension.id, expiresAt: new Date(exp * 1000) } };
}

/**
 * Whether the extension that holds the number now is the one the token was issued for. Tokens
 * signed before the `eid` claim existed (they live a day at most) name no row: they are honoured
 * only by an extension that already existed when they were issued, never by one created since.
 */
function issuedFor(extension: { id: string; createdAt: string }, eid: string | undefined, issuedAtSeconds: number): boolean {
  if (eid !== undefined) return eid === extension.id;
  return Date.parse(extension.createdAt) < issuedAtSeconds * 1000;
}

/**
 * The key that signs one tenant's tokens is HMAC(platform secret, tenant id and a per-tenant seed)
 * (signingKeyOf). The seed lives in the tenant's scope, so replacing it invalidates exactly that
 * tenant's tokens, and the stored seed alone is useless without the platform secret. Made on the
 * tenant's first token; undefined only for a tenant that is gone.
 */
async function tenantSigningSeed(ctx: DomainContext, tenantId: string): Promise<string | undefined> {
  const scope = ctx.store.tenant(systemScope('sip edge', tenantId));
  const seed = await scope.signingKey.get();
  if (seed !== undefined) return seed;
  // Inserted only when absent: two first tokens issued at once (on PostgreSQL, by two connections
  // or nodes, where a read-then-write in a transaction does not serialise them) must not each store
  // a seed, the second voiding the token signed with the first.
  return ctx.store.transaction(async () => {
    const stored = await scope.signingKey.get();
    if (stored !== undefined || !(await ctx.store.tenants.get(tenantId))) return stored;
    return scope.signingKey.getOrInsert(randomBytes(32).toString('base64url'), ctx.now().toISOString());
  });
}

function signingKeyOf(platformSecret: Uint8Array, tenantId: string, seed: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', platformSecret).update(`${tenantId}:${seed}`).digest());
}

/**
 * Replaces the tenant's signing seed: every token issued before stops working at once, at the
 * embedded edge (the JWT) and at Kamailio (its credentials name the old seed's key id; on PostgreSQL,
 * migration 0026's trigger also unbinds the tenant's token phones and closes their sockets).
 */
export async function rotateSigningKey(ctx: DomainContext, actor: Actor, access: TenantAccess): Promise<{ tenantId: string; rotatedAt: string }> {
  const rotatedAt = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    await access.scope.signingKey.set(randomBytes(32).toString('base64url'), rotatedAt);
    await recordAudit(ctx, actor, access.capability, 'softphone_signing_key.rotated', access.tenant.id);
    return { tenantId: access.tenant.id, rotatedAt };
  });
}
