import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Store } from '../store/types';
import type { TokenCheck } from '../sip/directory';
import { tenantSipDomain, type DomainContext } from './context';
import { NotFound, TenantSuspended } from './errors';
import { sipUri } from './extensions';
import type { TenantAccess } from './tenants';

const ISSUER = 'highrise';
const AUDIENCE = 'softphone';
const SECRET_SETTING = 'platform_secret';

/** The platform's signing secret, generated on first start and kept in the store. */
export function loadPlatformSecret(store: Store): Uint8Array {
  const value = store.settings.getOrInsert(SECRET_SETTING, randomBytes(32).toString('base64url'));
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

export interface SoftphoneTokenIssued {
  token: string;
  expiresAt: Date;
  sipUri: string;
  wsUrl: string;
}

/** Signs a short-lived token that lets one widget register as one extension of one tenant. */
export async function issueSoftphoneToken(
  ctx: DomainContext,
  secret: Uint8Array,
  access: TenantAccess,
  input: { extension: string; ttlSeconds: number; wsUrl: string },
): Promise<SoftphoneTokenIssued> {
  const { tenant, scope } = access;
  if (tenant.status !== 'active') throw new TenantSuspended();
  if (!scope.extensions.getByNumber(input.extension)) throw new NotFound('extension');
  const iat = Math.floor(ctx.now().getTime() / 1000);
  const exp = iat + input.ttlSeconds;
  const aor = sipUri(input.extension, tenant.sipDomain);
  const token = await new SignJWT({ tid: tenant.id, ext: input.extension, ws: input.wsUrl })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(aor)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(secret);
  return { token, expiresAt: new Date(exp * 1000), sipUri: aor, wsUrl: input.wsUrl };
}

/** Checks signature and expiry, then that the tenant is still active and the extension still exists. */
export async function verifySoftphoneToken(ctx: DomainContext, secret: Uint8Array, token: string): Promise<TokenCheck> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      currentDate: ctx.now(),
    }));
  } catch (e) {
    return { ok: false, reason: e instanceof joseErrors.JWTExpired ? 'token_expired' : 'token_invalid' };
  }
  const { tid, ext, sub, exp } = payload;
  if (typeof tid !== 'string' || typeof ext !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'token_invalid' };
  const tenant = ctx.store.tenants.get(tid);
  if (!tenant) return { ok: false, reason: 'token_invalid' };
  // The subject must still be this tenant's AOR; a token cannot move to another domain.
  if (sub !== sipUri(ext, tenantSipDomain(ctx, tenant.slug))) return { ok: false, reason: 'token_invalid' };
  if (tenant.status !== 'active') return { ok: false, reason: 'tenant_suspended' };
  if (!ctx.store.tenant(tenant.id).extensions.getByNumber(ext)) return { ok: false, reason: 'extension_not_found' };
  return { ok: true, claims: { tenantId: tenant.id, extension: ext, expiresAt: new Date(exp * 1000) } };
}
