/**
 * The transaction layer (Kamailio's tm, sip.js's core/transactions): which requests are under way,
 * keyed the RFC 3261 way, with their timers on the edge's clock. A request must be admitted here
 * before anything may change for it: no branch, a branch already in flight, or a connection at its
 * cap is refused (or absorbed) while every other table is still untouched.
 */
import type { LiveCall } from './calls';
import type { SipClock, SipTimer } from './clock';
import { randomToken, type SipConnection } from './connection';
import { parseVia } from './header-values';
import { header, type SipHeader, type SipRequest } from './message';
import type { RingGroupCall } from './ring-groups';

declare const serverKeyBrand: unique symbol;
declare const clientBranchBrand: unique symbol;

/** A request received on one connection (RFC 3261 17.2.3: top Via branch and method). Made only by serverKey(). */
export type ServerKey = string & { readonly [serverKeyBrand]: true };
/** The branch the edge put on a request it forwarded: what the next hop's responses are matched by. */
export type ClientBranch = string & { readonly [clientBranchBrand]: true };

export function serverKey(method: string, branch: string): ServerKey {
  return `${method} ${branch}` as ServerKey;
}

export function newClientBranch(): ClientBranch {
  return `z9hG4bK${randomToken()}` as ClientBranch;
}

/** The branch of a request's top Via, if it has one. */
export function topBranch(request: SipRequest): string | undefined {
  const via = header(request, 'via');
  return via === undefined ? undefined : parseVia(via)?.branch;
}

/**
 * Per-connection cap that keeps a misbehaving client from growing the edge's memory. It counts
 * what the connection's requests hold at the edge; a finished transaction that only lingers (to
 * absorb retransmissions and ACKs) gives up its place to a new request rather than have a phone
 * that made many calls refused its next BYE.
 */
export const MAX_TRANSACTIONS_PER_CONNECTION = 128;

/** One request the edge forwarded, and the request it answers for upstream. */
export interface Transaction {
  readonly kind: 'client';
  readonly branch: ClientBranch;
  readonly method: string;
  readonly upstream: SipConnection;
  readonly downstream: SipConnection;
  /** The request as the upstream sent it (responses are built against it). */
  readonly received: SipRequest;
  readonly forwarded: SipRequest;
  /** Its key in upstream's server transactions; undefined for a ring group's branches (the fork holds that key). */
  readonly serverKey: ServerKey | undefined;
  final: number | undefined;
  cancelled: boolean;
  /** Dialog the request was sent in (BYE ends it), or dialogs its responses created. */
  readonly dialogKeys: Set<string>;
  timer: SipTimer | undefined;
  /** The call an out-of-dialog INVITE started; it ends with the transaction's final response. */
  readonly call: LiveCall | undefined;
  /** Which end of the dialog this INVITE creates is a carrier trunk, if either. */
  readonly trunk: 'caller' | 'callee' | undefined;
  /** A branch of a ring group call: its responses go through the fork, not straight upstream. */
  readonly fork: RingGroupCall | undefined;
  readonly member: number | undefined;
  /** The upstream's own headers, put back on responses where the edge rewrote them (caller id). */
  readonly restore: SipHeader[] | undefined;
}

/** What answers a request received on a connection: one forwarded transaction, or a ring group call. */
export type ServerSide = Transaction | RingGroupCall;

export type Admission =
  | { kind: 'new'; key: ServerKey }
  /** The request is already under way: it starts nothing and gets no answer of its own. */
  | { kind: 'retransmission' }
  | { kind: 'refused'; status: 400 | 503; problem: string };

/** What a new client transaction is made of; everything else starts empty. */
export interface TransactionInit {
  branch: ClientBranch;
  serverKey: ServerKey | undefined;
  method: string;
  upstream: SipConnection;
  downstream: SipConnection;
  received: SipRequest;
  forwarded: SipRequest;
  /** The dialog an in-dialog request was sent in. */
  dialogKey?: string | undefined;
  call?: LiveCall | undefined;
  trunk?: 'caller' | 'callee' | undefined;
  fork?: RingGroupCall | undefined;
  member?: number | undefined;
  restore?: SipHeader[] | undefined;
}

export class TransactionTable {
  readonly #clock: SipClock;
  readonly #maxPerConnection: number;
  readonly #byBranch = new Map<ClientBranch, Transaction>();

  constructor(clock: SipClock, maxPerConnection = MAX_TRANSACTIONS_PER_CONNECTION) {
    this.#clock = clock;
    this.#maxPerConnection = maxPerConnection;
  }

  get size(): number {
    return this.#byBranch.size;
  }

  /** The RFC 3261 checks a request that the edge would forward must pass before anything changes for it. */
  admit(connection: SipConnection, request: SipRequest): Admission {
    const branch = topBranch(request);
    if (!branch) return { kind: 'refused', status: 400, problem: 'no branch in via' };
    const key = serverKey(request.method, branch);
    if (connection.serverTransactions.has(key)) return { kind: 'retransmission' };
    if (connection.sentTransactions.size >= this.#maxPerConnection && !this.#oldestFinished(connection)) {
      return { kind: 'refused', status: 503, problem: 'too many transactions' };
    }
    return { kind: 'new', key };
  }

  /** The connection's oldest transaction that has its final response and only lingers. */
  #oldestFinished(connection: SipConnection): Transaction | undefined {
    for (const branch of connection.sentTransactions) {
      const transaction = this.#byBranch.get(branch);
      if (transaction?.final !== undefined) return transaction;
    }
    return undefined;
  }

  /** The INVITE under way that a CANCEL or an ACK on `connection` with `branch` belongs to. */
  inviteOf(connection: SipConnection, branch: string | undefined): ServerSide | undefined {
    return branch === undefined ? undefined : connection.serverTransactions.get(serverKey('INVITE', branch));
  }

  /** The transaction a response with our branch answers. */
  get(branch: string): Transaction | undefined {
    return this.#byBranch.get(branch as ClientBranch);
  }

  open(init: TransactionInit): Transaction {
    if (init.upstream.sentTransactions.size >= this.#maxPerConnection) {
      const finished = this.#oldestFinished(init.upstream);
      if (finished) this.forget(finished);
    }
    const transaction: Transaction = {
      kind: 'client',
      branch: init.branch,
      serverKey: init.serverKey,
      method: init.method,
      upstream: init.upstream,
      downstream: init.downstream,
      received: init.received,
      forwarded: init.forwarded,
      final: undefined,
      cancelled: false,
      timer: undefined,
      dialogKeys: new Set(init.dialogKey ? [init.dialogKey] : []),
      call: init.call,
      trunk: init.trunk,
      fork: init.fork,
      member: init.member,
      restore: init.restore,
    };
    this.#byBranch.set(transaction.branch, transaction);
    if (transaction.serverKey) transaction.upstream.serverTransactions.set(transaction.serverKey, transaction);
    transaction.upstream.sentTransactions.add(transaction.branch);
    transaction.downstream.receivedTransactions.add(transaction.branch);
    return transaction;
  }

  /** A ring group call answers for the caller's INVITE until it is forgotten. */
  holdServer(connection: SipConnection, key: ServerKey, side: RingGroupCall): void {
    connection.serverTransactions.set(key, side);
  }

  releaseServer(connection: SipConnection, key: ServerKey, side: ServerSide): void {
    if (connection.serverTransactions.get(key) === side) connection.serverTransactions.delete(key);
  }

  /** (Re)starts the transaction's one timer. */
  arm(transaction: Transaction, ms: number, onExpiry: () => void): void {
    transaction.timer?.cancel();
    transaction.timer = this.#clock.after(ms, onExpiry);
  }

  disarm(transaction: Transaction): void {
    transaction.timer?.cancel();
    transaction.timer = undefined;
  }

  forget(transaction: Transaction): void {
    this.disarm(transaction);
    if (this.#byBranch.get(transaction.branch) !== transaction) return;
    this.#byBranch.delete(transaction.branch);
    if (transaction.serverKey) this.releaseServer(transaction.upstream, transaction.serverKey, transaction);
    transaction.upstream.sentTransactions.delete(transaction.branch);
    transaction.downstream.receivedTransactions.delete(transaction.branch);
  }

  /** Transactions forwarded on behalf of `connection` (`sent`) or to it (`received`), for when it closes. */
  of(connection: SipConnection, direction: 'sent' | 'received'): Transaction[] {
    const branches = direction === 'sent' ? connection.sentTransactions : connection.receivedTransactions;
    const out: Transaction[] = [];
    for (const branch of branches) {
      const transaction = this.#byBranch.get(branch);
      if (transaction) out.push(transaction);
    }
    return out;
  }

  clear(): void {
    for (const transaction of this.#byBranch.values()) transaction.timer?.cancel();
    this.#byBranch.clear();
  }
}
