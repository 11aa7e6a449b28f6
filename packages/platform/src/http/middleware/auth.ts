import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { keyScope, type AuthOutcome } from '../../domain/api-keys';
import type { AuthCache } from '../../domain/auth-cache';
import type { AuthFailureLimiter } from '../../domain/auth-failures';
import { recordSecurityEvent, type DomainContext } from '../../domain/context';
import type { Principal } from '../../domain/principal';
import type { ClientAddressResolver } from '../client-address';
import type { HttpContext, HttpEnv } from '../env';
import { HttpError } from '../errors';

/** A key that is not valid, a valid key of a suspended or deleted tenant or a suspended reseller, or too many failures from one address. */
export const authErrors = ['unauthenticated', 'tenant_suspended', 'tenant_deleted', 'reseller_suspended', 'rate_limited'] as const satisfies readonly ErrorCode[];

export interface AuthOptions {
  domain: DomainContext;
  cache: AuthCache;
  failures: AuthFailureLimiter;
  clientAddress: ClientAddressResolver;
  /** Benchmarks only (AppOptions.unguardedPrincipal): every request acts as this principal. */
  unguardedPrincipal?: Principal | undefined;
}

/** The key id a presented secret claims (its public part), so failed attempts on one key can be told apart. */
function claimedKeyId(secret: string | undefined): string {
  const publicPart = secret && /^hr_(?:live|test)_([0-9A-Za-z]{10,40})_/.exec(secret)?.[1];
  return publicPart ? `key_${publicPart}` : 'unknown';
}

export function sourceOf(c: HttpContext, clientAddress: ClientAddressResolver): string | null {
  let peer: string | null;
  try {
    peer = getConnInfo(c).remote.address ?? null;
  } catch {
    peer = null;
  }
  return clientAddress(peer, c.req.header('X-Forwarded-For'));
}

/**
 * Resolves the principal once per request, for every route under /v1 (a public one too: a key that
 * is sent must be valid). No key leaves `principal` unset; whether a route needs one is scope.ts's
 * question. A failed attempt is recorded as a security event and counted per source address; past
 * the limit the address gets 429 without the key being looked at.
 */
export const authenticate = (options: AuthOptions): MiddlewareHandler<HttpEnv> => {
  const { domain, cache, failures, clientAddress, unguardedPrincipal } = options;
  return async (c, next) => {
    const header = c.req.header('Authorization');
    const source = sourceOf(c, clientAddress);
    c.set('sourceAddress', source);
    if (unguardedPrincipal) {
      c.set('principal', unguardedPrincipal);
      return next();
    }
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const outcome: AuthOutcome = match ? await cache.resolve(domain, match[1]!) : { ok: false, reason: 'unknown' };
      if (!outcome.ok) {
        const key = outcome.key;
        await countFailedAuthentication(c, domain, failures, source, {
          scope: key ? keyScope(key) : null,
          action: `auth.failed.${outcome.reason}`,
          targetId: key?.id ?? claimedKeyId(match?.[1]),
        });
        throw new HttpError('unauthenticated', 'the API key is not valid');
      }
      c.set('principal', outcome.principal);
    }
    await next();
  };
};

/**
 * A failed authentication from `source`, whatever the credential (an API key here, the edge secret
 * on /internal/sip/*): counted per address, so both share one allowance; past the limit a 429
 * (nothing recorded, so a flood cannot fill the audit log), otherwise a security event. The
 * caller answers 401 after it.
 */
export async function countFailedAuthentication(
  c: HttpContext,
  domain: DomainContext,
  failures: AuthFailureLimiter,
  source: string | null,
  event: { scope: ReturnType<typeof keyScope>; action: string; targetId: string },
): Promise<void> {
  const retryAfter = await failures.failure(source ?? 'unknown');
  if (retryAfter > 0) {
    c.header('Retry-After', String(retryAfter));
    // Another try cannot help until the window passes: clients (our SDK among them) must not retry.
    c.header('x-should-retry', 'false');
    throw new HttpError('rate_limited', `too many failed authentications from this address; retry in ${retryAfter} s`);
  }
  await domain.store.transaction(() =>
    recordSecurityEvent(domain, { ...event, requestId: c.get('requestId'), actorKeyId: null, sourceAddress: source }),
  );
}
