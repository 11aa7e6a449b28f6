/**
 * The contract between the domain and the SIP edge. It lives in the domain so the edge depends on
 * the domain (never the other way round), as DESIGN.md's layering asks.
 *
 * What the SIP edge needs to know about tenants and their users. The platform's domain layer
 * implements it over the store; the edge never touches the store itself.
 */
import type { DialCaller, DialResolution, InboundDidResolution } from './dial-plan/resolve';

export type { DialCaller, DialResolution, InboundDidResolution };

/** A tenant's carrier trunk, as the edge needs it to authenticate the carrier (digest, realm = tenant SIP domain). */
export interface SipTrunk {
  tenantId: string;
  trunkId: string;
  /** Digest username (`trunk-…`); never an extension number, so it cannot collide with `user()`. */
  username: string;
  /** MD5(`username:sipDomain:password`). */
  ha1: string;
  /** The trunk's default outbound caller id, if any (the resolver has already checked ownership per call). */
  callerId: string | null;
  /** Changes whenever the trunk's credentials do (a rotated password): see SipUser.credential. */
  credential: string;
}

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
  /**
   * Opaque, and different whenever the credentials that authenticate this user change: a new
   * password, or the number deleted and created again (for someone else). The edge remembers it
   * with every identity and registration it grants, and honours them only while it is unchanged.
   */
  credential: string;
}

/** Claims of a verified softphone token: the connection is bound to this tenant and extension. */
export interface SoftphoneTokenClaims {
  tenantId: string;
  extension: string;
  /** The extension the token was issued for: the same number deleted and created again is another one. */
  extensionId: string;
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; claims: SoftphoneTokenClaims }
  | { ok: false; reason: 'token_invalid' | 'token_expired' | 'tenant_suspended' | 'extension_not_found' };

/** Limits the edge enforces; read per call so a change applies to the next call without a restart. */
export interface SipTenantLimits {
  channels: number;
  messagesPerMinute: number;
}

export type SipCallDisposition = 'answered' | 'no_answer' | 'busy' | 'failed' | 'cancelled' | 'limit' | 'rejected';

/** Final status → disposition, for calls the caller did not give up on (both edges record by it). */
export function dispositionFor(status: number): SipCallDisposition {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no_answer';
  if (status === 403 || status === 603) return 'rejected';
  return 'failed';
}

/** What the edge knows of a finished call; the directory stores it in the tenant's scope. */
export interface SipCallRecord {
  tenantId: string;
  /** SIP Call-ID of the INVITE. */
  callId: string;
  from: string;
  to: string;
  direction: 'internal' | 'inbound' | 'outbound';
  startedAt: Date;
  answeredAt: Date | undefined;
  endedAt: Date;
  disposition: SipCallDisposition;
  /** Final status the caller received, when there was one. */
  sipStatus: number | undefined;
}

/**
 * A change that voids what open SIP sockets hold, told to the edge as it is committed, so it can
 * drop it at once instead of at the next use (docs/decisions/2026-12-01-sip-credentials-on-open-sockets.md).
 */
export type SipCredentialChange =
  /** The extension's password was replaced, or the extension deleted. */
  | { kind: 'extension'; tenantId: string; extensionId: string; number: string; deleted: boolean }
  /** The trunk's password was rotated, or the trunk deleted. */
  | { kind: 'trunk'; tenantId: string; trunkId: string; deleted: boolean }
  /** The tenant left service (suspended, or its reseller suspended): its sockets close and its calls end. */
  | { kind: 'tenant'; tenantId: string };

export type SipUsageEvent = { kind: 'message' } | { kind: 'message_refused' } | { kind: 'registrations'; before: number; after: number };

export interface SipDirectory {
  /** Looks a tenant up by its SIP domain (case-insensitive); undefined when no tenant has it. */
  tenantByDomain(domain: string): SipTenant | undefined;
  /** Looks an extension up inside one tenant only. */
  user(tenantId: string, number: string): SipUser | undefined;
  /** Verifies a softphone token given as `/sip?token=…` when the WebSocket opens. */
  verifyToken(token: string): Promise<TokenCheck>;
  /** The tenant's current limits, read from the source of truth each time (no cache outlives a change). */
  limits(tenantId: string): SipTenantLimits | undefined;
  /**
   * Stores finished calls in their tenants' scopes, all or nothing; may throw (the edge then
   * retries them one by one, logs what still fails, and the calls themselves are unaffected).
   */
  recordCalls(records: readonly SipCallRecord[]): void;
  /**
   * The edge took one more of a tenant's channels, or counted one more message in its minute:
   * `before` and `after` are the use around that step, `max` the limit. Fire and forget; the
   * platform tells webhooks when the step crosses 80 % or 100 % (issue 12). Optional for stand-in directories.
   */
  usageStepped?(tenantId: string, limit: 'channels' | 'messages', before: number, after: number, max: number): void;
  /**
   * Usage the edge saw, for the hourly usage rollups (issue 12): a MESSAGE relayed to a phone, a
   * MESSAGE refused at the message limit, or the tenant's registrations on this edge growing from
   * `before` to `after`. Fire and forget, counted in memory. Optional for stand-in directories.
   */
  usageCounted?(tenantId: string, event: SipUsageEvent): void;

  /*
   * Dial plan hooks (numbers, dial rules, ring groups, trunks). Optional so a stand-in directory
   * may omit them; the platform's directory (domain/sip-directory.ts) implements all three, and
   * each answers from the store as it is now, so an API change applies to the next call without a
   * restart (the dial rules come compiled from a per-tenant cache that every change invalidates).
   */

  /**
   * Where `dialled` (the request-URI user of an INVITE or MESSAGE from inside `tenantId`) goes:
   * the tenant's dial rules (first match by position), then its extensions, then its ring groups,
   * then its own DIDs. Never another tenant's. The edge maps the answer:
   * `extension` → proxy to that AOR; `ring_group` → fork to `members` (simultaneous: all at once,
   * first 200 wins, CANCEL the rest; sequential: one by one, `timeout` seconds each);
   * `trunk` → send to the trunk's registered contact with request-URI user `dialString` and From
   * user `callerId`; `reject` → final response `status` with `reason` (e.g. in a Reason header);
   * `not_found` → 404. `caller.callerId` is what the caller asked to present (From user or
   * P-Asserted-Identity); one the tenant does not hold yields `reject` 403, never a rewrite.
   */
  resolveDial?(tenantId: string, dialled: string, caller: DialCaller): DialResolution;
  /**
   * An INVITE for a DID arriving from a carrier trunk: the owning tenant and its route for the
   * number, or undefined when no tenant holds it (answer 404). The edge should also check that the
   * trunk the INVITE came in on belongs to `tenantId` and refuse (404) otherwise.
   */
  resolveInboundDid?(number: string, caller?: DialCaller): InboundDidResolution | undefined;
  /** A trunk of one tenant by digest username, for authenticating the carrier's REGISTER/INVITE. */
  trunk?(tenantId: string, username: string): SipTrunk | undefined;
  /** A trunk of one tenant by id (a dial plan's `trunk` answer names it so). */
  trunkById?(tenantId: string, trunkId: string): SipTrunk | undefined;
  /**
   * Calls `listener` after each committed change in SipCredentialChange; returns the unsubscribe.
   * Optional: without it the edge still refuses revoked credentials on their next use.
   */
  watchCredentials?(listener: (change: SipCredentialChange) => void): () => void;
}
