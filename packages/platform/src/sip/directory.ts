/**
 * What the SIP edge needs to know about tenants and their users. The platform's domain layer
 * implements it over the store; the edge never touches the store itself.
 */
export interface SipTenant {
  id: string;
  slug: string;
  /** `<slug>.<base domain>`: the digest realm and the host part of every AOR of this tenant. */
  sipDomain: string;
  status: 'active' | 'suspended';
}

export interface SipUser {
  tenantId: string;
  extensionId: string;
  number: string;
  displayName: string;
  /** MD5(`number:sipDomain:password`), the RFC 2617 HA1; the password itself is never stored. */
  ha1: string;
}

/** Claims of a verified softphone token: the connection is bound to this tenant and extension. */
export interface SoftphoneTokenClaims {
  tenantId: string;
  extension: string;
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; claims: SoftphoneTokenClaims }
  | { ok: false; reason: 'token_invalid' | 'token_expired' | 'tenant_suspended' | 'extension_not_found' };

export interface SipDirectory {
  /** Looks a tenant up by its SIP domain (case-insensitive); undefined when no tenant has it. */
  tenantByDomain(domain: string): SipTenant | undefined;
  /** Looks an extension up inside one tenant only. */
  user(tenantId: string, number: string): SipUser | undefined;
  /** Verifies a softphone token given as `/sip?token=…` when the WebSocket opens. */
  verifyToken(token: string): Promise<TokenCheck>;
}
