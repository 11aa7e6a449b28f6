/**
 * Carrier trunks at the edge. A carrier speaks as its trunk's digest username (`trunk-…`) in the
 * owning tenant's realm (docs/decisions/2026-11-28-numbers-and-dial-plan.md); once it has
 * REGISTERed, everything on that connection is the trunk, whatever the From says, because a
 * carrier's From carries the PSTN caller's number, not its own name. That holds only while the
 * trunk's credentials are the ones the connection proved: rotated, the connection must prove the
 * new ones; deleted (or the tenant out of service), it is refused.
 */
import { trunkAor, type SipConnection } from './connection';
import type { DigestAuthority } from './digest';
import type { SipDirectory, SipTenant, SipTrunk } from '../domain/sip-directory-contract';
import { parseDigestCredentials, parseNameAddr, parseUri } from './header-values';
import { header, type SipRequest } from './message';

export interface TrunkIdentity {
  tenant: SipTenant;
  trunk: SipTrunk;
}

export type TrunkAuthOutcome =
  /** Not a trunk's request: the extension authenticator decides. */
  | { kind: 'not_trunk' }
  | { kind: 'ok'; identity: TrunkIdentity }
  | { kind: 'challenge'; realm: string; stale: boolean }
  | { kind: 'refused'; status: 400 | 403; problem: string };

export { trunkAor };

export class TrunkAuthenticator {
  constructor(
    private readonly directory: SipDirectory,
    private readonly digest: DigestAuthority,
  ) {}

  /**
   * The trunk bound to this connection by an earlier REGISTER, re-read on each use: a trunk deleted
   * or a tenant suspended since then makes the connection `revoked`, never silently still trusted;
   * a password rotated since then unbinds it (its registration goes with it), so the carrier is
   * challenged for the new one.
   */
  boundTo(connection: SipConnection): TrunkIdentity | 'revoked' | undefined {
    const bound = connection.trunk;
    if (!bound) return undefined;
    const tenant = this.directory.tenantByDomain(bound.tenant.sipDomain);
    const trunk = tenant?.id === bound.tenant.id ? this.directory.trunk?.(tenant.id, bound.trunk.username) : undefined;
    if (!tenant || tenant.status === 'suspended' || trunk?.trunkId !== bound.trunk.trunkId) return 'revoked';
    if (trunk.credential !== bound.trunk.credential) {
      connection.trunk = undefined;
      return undefined;
    }
    return { tenant, trunk };
  }

  bind(connection: SipConnection, identity: TrunkIdentity): void {
    connection.trunk = identity;
  }

  /**
   * REGISTER (To) or INVITE (From) naming a trunk username at a tenant's domain: digest against the
   * trunk's HA1. Token connections are softphones and never trunks.
   */
  authenticate(connection: SipConnection, request: SipRequest): TrunkAuthOutcome {
    if (connection.token || !this.directory.trunk) return { kind: 'not_trunk' };
    const registering = request.method === 'REGISTER';
    const aor = parseNameAddr(header(request, registering ? 'to' : 'from') ?? '')?.uri;
    if (!aor?.user?.startsWith('trunk-')) return { kind: 'not_trunk' };
    const domain = aor.host.toLowerCase();
    if (registering && parseUri(request.uri)?.host.toLowerCase() !== domain) {
      return { kind: 'refused', status: 403, problem: 'register for another domain' };
    }
    const tenant = this.directory.tenantByDomain(domain);
    const trunk = tenant ? this.directory.trunk(tenant.id, aor.user) : undefined;
    const realm = tenant?.sipDomain ?? domain;
    const credentialsHeader = header(request, registering ? 'authorization' : 'proxy-authorization');
    if (credentialsHeader === undefined) return { kind: 'challenge', realm, stale: false };
    const credentials = parseDigestCredentials(credentialsHeader);
    if (!credentials) return { kind: 'refused', status: 400, problem: 'malformed credentials' };
    if (!tenant || !trunk || credentials.username !== trunk.username) return { kind: 'refused', status: 403, problem: 'authentication failed' };
    const verdict = this.digest.verify(credentials, { realm: tenant.sipDomain, method: request.method, ha1: trunk.ha1, requestUri: request.uri }, connection);
    if (verdict === 'stale') return { kind: 'challenge', realm, stale: true };
    if (verdict === 'invalid') return { kind: 'refused', status: 403, problem: 'authentication failed' };
    // Suspension is told only to someone holding the right credentials, with the answer a wrong
    // password gets: before that, a suspended domain looks exactly like an unknown one.
    if (tenant.status !== 'active') return { kind: 'refused', status: 403, problem: 'authentication failed (tenant suspended)' };
    // The edge closes sockets that never authenticate; a carrier's has now.
    connection.authenticated = true;
    connection.tenants.add(tenant.id);
    return { kind: 'ok', identity: { tenant, trunk } };
  }
}
