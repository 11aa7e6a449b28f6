import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { SoftphoneTokenClaims } from '../domain/sip-directory-contract';
import { serialize, type SipMessage } from './message';
import type { ClientBranch, ServerKey, ServerSide } from './transactions';

/** What a connection needs of its socket (a `ws` WebSocket; a fake in unit tests). */
export type SipSocket = Pick<WebSocket, 'readyState' | 'OPEN' | 'send'>;

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * One SIP-over-WebSocket connection and everything the edge keeps for it, so closing it can
 * release its bindings, transactions and dialogs without scanning anyone else's.
 */
export class SipConnection {
  readonly id = randomToken();
  /** Set when the socket was opened with a valid softphone token: the only identity it may use. */
  readonly token: SoftphoneTokenClaims | undefined;
  /** `tenantId\nnumber` of AORs this connection registered with digest auth. */
  readonly digestIdentities = new Set<string>();
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
  #corked = false;

  constructor(socket: SipSocket, token: SoftphoneTokenClaims | undefined) {
    this.#socket = socket;
    this.token = token;
    this.authenticated = token !== undefined;
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
