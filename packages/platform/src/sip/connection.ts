import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { SoftphoneTokenClaims } from '../domain/sip-directory-contract';
import { NonceLedger } from './digest';
import { serialize, type SipMessage } from './message';
import type { SipTraffic } from './traffic';
import type { ClientBranch, ServerKey, ServerSide } from './transactions';
import type { TrunkIdentity } from './trunk-auth';

/** What a connection needs of its socket (a `ws` WebSocket; a fake in unit tests). */
export type SipSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'send'>;

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** Key of an AOR (tenant and extension number) in the per-connection maps. */
export function identityKey(tenantId: string, number: string): string {
  return `${tenantId}\n${number}`;
}

/** Registrar key of a trunk: trunk usernames start with `trunk-`, extension numbers never contain `:`. */
export function trunkAor(trunkId: string): string {
  return `trunk:${trunkId}`;
}

/**
 * One SIP-over-WebSocket connection and everything the edge keeps for it, so closing it can
 * release its bindings, transactions and dialogs without scanning anyone else's.
 */
export class SipConnection {
  readonly id = randomToken();
  /**
   * Set when the socket was opened with a valid softphone token, or by a REGISTER's
   * `Authorization: Bearer` token (RFC 8898): the only identity it may use. A later Bearer token
   * for the same extension row replaces it (a refresh); one for anybody else is refused.
   */
  token: SoftphoneTokenClaims | undefined;
  /**
   * AORs (`identityKey`) this connection registered with digest auth, each with the credential
   * generation it proved; the identity, and every binding made under it, holds only while the
   * extension's generation is still this one.
   */
  readonly digestIdentities = new Map<string, string>();
  /** The carrier trunk this connection registered as, if any: then everything on it is the trunk. */
  trunk: TrunkIdentity | undefined;
  /** Tenants this connection has authenticated for in any way: their suspension closes it. */
  readonly tenants = new Set<string>();
  /** Digest nonces issued to this connection (they verify on no other) and their uses. */
  readonly nonces = new NonceLedger();
  /** Requests received on this connection that are under way (retransmissions, CANCEL and ACK match them). */
  readonly serverTransactions = new Map<ServerKey, ServerSide>();
  /** Transactions the edge forwarded on behalf of this connection / to this connection. */
  readonly sentTransactions = new Set<ClientBranch>();
  readonly receivedTransactions = new Set<ClientBranch>();
  readonly dialogs = new Set<string>();
  /**
   * True once the connection has proved an identity (a softphone token, or a request that
   * authenticated). The edge closes sockets that stay anonymous, so idle ones cost nobody memory.
   */
  authenticated: boolean;
  closed = false;
  readonly #socket: SipSocket;
  readonly #traffic: SipTraffic | undefined;
  #corked = false;

  constructor(socket: SipSocket, token: SoftphoneTokenClaims | undefined, traffic?: SipTraffic) {
    this.#socket = socket;
    this.#traffic = traffic;
    this.token = token;
    this.authenticated = token !== undefined;
  }

  /**
   * The credential generation under which this connection speaks for the AOR right now, or
   * undefined when it does not: what the registrar checks before using a binding it made.
   */
  credentialFor(tenantId: string, number: string): string | undefined {
    if (this.closed) return undefined;
    if (this.token) {
      const { token } = this;
      return token.tenantId === tenantId && token.extension === number ? `token:${token.extensionId}` : undefined;
    }
    if (this.trunk && number === trunkAor(this.trunk.trunk.trunkId)) return this.trunk.tenant.id === tenantId ? this.trunk.trunk.credential : undefined;
    return this.digestIdentities.get(identityKey(tenantId, number));
  }

  /**
   * The one extension this connection speaks for (tenant, number and credential generation), or
   * undefined for a trunk or a connection holding none or several: what a dialog of it that
   * survives the socket waits to see proved again (docs/decisions/2026-12-01-edge-tokens-and-dialog-survival.md).
   */
  soleExtension(): { tenantId: string; number: string; credential: string } | undefined {
    if (this.trunk) return undefined;
    if (this.token) return { tenantId: this.token.tenantId, number: this.token.extension, credential: `token:${this.token.extensionId}` };
    if (this.digestIdentities.size !== 1) return undefined;
    const [key, credential] = [...this.digestIdentities][0]!;
    const [tenantId, number] = key.split('\n') as [string, string];
    return { tenantId, number, credential };
  }

  /**
   * Whole seconds the connection's softphone token has left (at least 1 while it has any), or
   * undefined for a connection without a token: nothing it registers may outlive the token.
   */
  tokenSecondsLeft(now = Date.now()): number | undefined {
    if (!this.token) return undefined;
    const left = this.token.expiresAt.getTime() - now;
    return left <= 0 ? 0 : Math.max(1, Math.floor(left / 1000));
  }

  send(message: SipMessage): void {
    if (this.closed || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#coalesce();
    this.#traffic?.count('sent', message);
    this.#socket.send(serialize(message), { binary: false });
  }

  /**
   * Everything sent to this connection while one batch of incoming frames is handled leaves in
   * one write: ws writes (and the kernel is entered) once per frame otherwise, which was the
   * largest single cost of a REGISTER burst. `_socket` is ws's underlying net.Socket; without it
   * frames simply go one by one.
   */
  #coalesce(): void {
    if (this.#corked) return;
    const raw = (this.#socket as unknown as { _socket?: { cork(): void; uncork(): void } | null })._socket;
    if (!raw) return;
    this.#corked = true;
    raw.cork();
    process.nextTick(() => {
      this.#corked = false;
      raw.uncork();
    });
  }

  sendRaw(text: string): void {
    if (!this.closed && this.#socket.readyState === this.#socket.OPEN) this.#socket.send(text);
  }
}
