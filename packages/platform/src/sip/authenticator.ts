/**
 * Decides who is speaking on a connection, per request. Three ways in, documented in
 * docs/decisions/2026-11-28-sip-parsing.md: a softphone token bound when the socket opened, a
 * digest REGISTER earlier on the same connection (for requests From that AOR), or digest
 * credentials on the request itself. Every failure looks the same to the client (403), whether
 * the domain, the extension or the password was wrong, or the tenant is suspended: a suspended
 * tenant's domain is challenged exactly like an unknown one and refused only after the digest is
 * checked, so its existence is not told to anyone who cannot already authenticate there.
 *
 * Whatever a connection holds is re-checked against the directory on each request it sends under
 * it: a token against the extension row it was issued for, a remembered digest identity against
 * the extension's credential generation (docs/decisions/2026-12-01-sip-credentials-on-open-sockets.md).
 */
import type { DigestAuthority } from './digest';
import type { SipDirectory, SipTenant } from '../domain/sip-directory-contract';
import { identityKey, type SipConnection } from './connection';
import { parseDigestCredentials, parseNameAddr, parseUri } from './header-values';
import { header, type SipRequest } from './message';

export interface SipIdentity {
  tenant: SipTenant;
  number: string;
}

export type AuthOutcome =
  | { ok: true; identity: SipIdentity }
  /** Respond with a challenge: 401 WWW-Authenticate for REGISTER, 407 Proxy-Authenticate otherwise. */
  | { ok: false; challenge: { realm: string; stale: boolean } }
  | { ok: false; status: 400 | 403; problem: string };

export { identityKey };

export class Authenticator {
  constructor(
    private readonly directory: SipDirectory,
    private readonly digest: DigestAuthority,
    /** The edge's clock (a ManualClock in tests), against which token expiry is judged. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * REGISTER authenticates the AOR in To at the domain of the request-URI;
   * other requests authenticate the AOR in From.
   */
  authenticate(connection: SipConnection, request: SipRequest): AuthOutcome {
    const outcome = this.#authenticate(connection, request);
    if (outcome.ok) {
      // Any success counts: the edge stops its timer for sockets that never authenticate.
      connection.authenticated = true;
      connection.tenants.add(outcome.identity.tenant.id);
    }
    return outcome;
  }

  #authenticate(connection: SipConnection, request: SipRequest): AuthOutcome {
    const registering = request.method === 'REGISTER';
    const aor = parseNameAddr(header(request, registering ? 'to' : 'from') ?? '')?.uri;
    if (!aor?.user) return { ok: false, status: 400, problem: 'no user in address of record' };
    const domain = aor.host.toLowerCase();
    if (registering && parseUri(request.uri)?.host.toLowerCase() !== domain) {
      return { ok: false, status: 403, problem: 'register for another domain' };
    }
    const number = aor.user;
    const tenant = this.directory.tenantByDomain(domain);
    const active = tenant?.status === 'active';
    const known = tenant ? this.directory.user(tenant.id, number) : undefined;

    if (connection.token) {
      const claims = connection.token;
      if (!tenant || !known || tenant.id !== claims.tenantId || number !== claims.extension) {
        return { ok: false, status: 403, problem: 'token bound to another identity' };
      }
      // The number deleted and created again since the token was issued is somebody else's now.
      if (known.extensionId !== claims.extensionId) return { ok: false, status: 403, problem: 'token for a deleted extension' };
      // The token's holder already knows its tenant; nothing is revealed by saying it is out of service.
      if (!active) return { ok: false, status: 403, problem: 'tenant suspended' };
      // A socket whose token expired stays open while it has a call up: it may end the call
      // (in-dialog requests are not authenticated here) but starts and registers nothing more.
      if (connection.tokenSecondsLeft(this.now()) === 0) return { ok: false, status: 403, problem: 'token_expired' };
      return { ok: true, identity: { tenant, number } };
    }

    const key = tenant ? identityKey(tenant.id, number) : undefined;
    const remembered = key === undefined ? undefined : connection.digestIdentities.get(key);
    if (remembered !== undefined) {
      if (!registering && active && remembered === known?.credential) return { ok: true, identity: { tenant: tenant!, number } };
      // A new password, or the number given to someone else: what the old credentials proved is void.
      if (remembered !== known?.credential) connection.digestIdentities.delete(key!);
    }

    // Unknown domains are challenged like real ones, so the answer tells nothing about them.
    const realm = tenant?.sipDomain ?? domain;
    const credentialsHeader = header(request, registering ? 'authorization' : 'proxy-authorization');
    if (credentialsHeader === undefined) return { ok: false, challenge: { realm, stale: false } };
    const credentials = parseDigestCredentials(credentialsHeader);
    if (!credentials) return { ok: false, status: 400, problem: 'malformed credentials' };
    if (!tenant || !known || credentials.username !== number) return { ok: false, status: 403, problem: 'authentication failed' };
    const verdict = this.digest.verify(credentials, { realm: tenant.sipDomain, method: request.method, ha1: known.ha1, requestUri: request.uri }, connection);
    if (verdict === 'stale') return { ok: false, challenge: { realm, stale: true } };
    if (verdict === 'invalid') return { ok: false, status: 403, problem: 'authentication failed' };
    // Right credentials for a suspended tenant: refused with the very answer a wrong password gets.
    if (!active) return { ok: false, status: 403, problem: 'authentication failed (tenant suspended)' };
    // Later requests From this AOR on this connection go unchallenged, while this generation lasts.
    if (registering) connection.digestIdentities.set(key!, known.credential);
    return { ok: true, identity: { tenant, number } };
  }
}
