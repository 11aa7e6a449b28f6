/**
 * The edge's SIP logic, assembled: one of each layer (transactions, dialogs, registrar, auth,
 * relay, ring groups, accounting) on one clock, the routing script for requests, and the reply
 * route for responses. Layer map: docs/decisions/2026-12-01-sip-edge-in-layers.md.
 */
import { Authenticator } from './authenticator';
import { CallTracker } from './calls';
import { ChallengeResponder } from './challenge';
import { systemClock, type SipClock } from './clock';
import { randomToken, type SipConnection } from './connection';
import { DIALOG_GRACE_MS, DialogTable } from './dialogs';
import { DigestAuthority } from './digest';
import type { SipDirectory } from '../domain/sip-directory-contract';
import { parseFrame } from './framing';
import { REASONS, responseTo, type SipResponse } from './message';
import { Registrar } from './registrar';
import { ACK_WAIT_MS, Relay } from './relay';
import { RingGroups } from './ring-groups';
import { RequestRoute } from './routing';
import { SipTraffic } from './traffic';
import { TransactionTable } from './transactions';
import { TrunkAuthenticator } from './trunk-auth';

export interface SipTimers {
  /** How long an answered call waits for its ACK (default 32 s). */
  ackTimeoutMs?: number | undefined;
  /** The clock every SIP timer runs on (default: the system clock); a ManualClock in tests. */
  clock?: SipClock | undefined;
  /** How long a dropped phone's confirmed dialogs wait for it to come back (default 30 s). */
  dialogGraceMs?: number | undefined;
}

export class SipRouter {
  readonly registrar: Registrar<SipConnection>;
  readonly calls: CallTracker;
  /** Messages in and out by method and status (operator metrics). */
  readonly traffic = new SipTraffic();
  readonly #log: (line: string) => void;
  readonly #transactions: TransactionTable;
  readonly #dialogs = new DialogTable();
  readonly #relay: Relay;
  readonly #ringGroups: RingGroups;
  readonly #route: RequestRoute;
  readonly #clock: SipClock;
  readonly #dialogGraceMs: number;

  constructor(directory: SipDirectory, log: (line: string) => void, timers: SipTimers = {}) {
    const clock = timers.clock ?? systemClock;
    this.#clock = clock;
    this.#dialogGraceMs = timers.dialogGraceMs ?? DIALOG_GRACE_MS;
    const ackTimeoutMs = timers.ackTimeoutMs ?? ACK_WAIT_MS;
    this.registrar = new Registrar<SipConnection>(clock);
    this.registrar.onGrow = (tenantId, before, after) => directory.usageCounted?.(tenantId, { kind: 'registrations', before, after });
    const digest = new DigestAuthority({ now: () => clock.now() });
    this.#log = log;
    this.calls = new CallTracker(directory, log, clock);
    this.#transactions = new TransactionTable(clock);
    this.#relay = new Relay(this.#transactions, this.#dialogs, this.calls, ackTimeoutMs);
    this.#ringGroups = new RingGroups(this.#relay, this.#transactions, this.#dialogs, this.calls, clock, ackTimeoutMs);
    this.#route = new RequestRoute({
      directory,
      log,
      transactions: this.#transactions,
      dialogs: this.#dialogs,
      relay: this.#relay,
      ringGroups: this.#ringGroups,
      registrar: this.registrar,
      calls: this.calls,
      auth: new Authenticator(directory, digest, () => clock.now()),
      trunks: new TrunkAuthenticator(directory, digest),
      challenges: new ChallengeResponder(digest, log),
    });
  }

  get edgeHost(): string {
    return this.#relay.edgeHost;
  }

  get recordRoute(): string {
    return this.#relay.recordRoute;
  }

  handleFrame(connection: SipConnection, frame: Buffer): void {
    if (/^[\r\n]+$/.test(frame.toString('latin1'))) {
      // RFC 5626 keep-alive: a double CRLF ping is answered with a single CRLF pong.
      if (frame.length >= 4) connection.sendRaw('\r\n');
      return;
    }
    const parsed = parseFrame(frame);
    if (!parsed.ok) {
      this.#log(`sip: ${parsed.problem} from ${connection.id}`);
      if (parsed.request && parsed.request.method !== 'ACK') {
        const warning = { name: 'warning', value: `399 ${this.edgeHost} "${parsed.problem}"` };
        connection.send(responseTo(parsed.request, parsed.status, REASONS[parsed.status]!, { toTag: randomToken(), headers: [warning] }));
      }
      return;
    }
    this.traffic.count('received', parsed.message);
    if (parsed.message.kind === 'response') this.#onResponse(connection, parsed.message);
    else this.#route.route(connection, parsed.message);
  }

  /** The reply route: a response goes to the transaction it answers, or to its ring group call. */
  #onResponse(connection: SipConnection, response: SipResponse): void {
    const transaction = this.#relay.match(connection, response);
    if (!transaction) return;
    if (transaction.fork) this.#ringGroups.onResponse(transaction, response);
    else this.#relay.onResponse(transaction, response);
  }

  connectionClosed(connection: SipConnection): void {
    // Read before the connection counts as closed (a closed connection speaks for nobody).
    const party = connection.soleExtension();
    connection.closed = true;
    this.registrar.dropConnection(connection);
    for (const transaction of this.#transactions.of(connection, 'received')) {
      // One member of a ring group went away: the group rings on without it.
      if (transaction.fork) {
        this.#ringGroups.memberGone(transaction);
        continue;
      }
      // The callee went away mid-transaction: the caller hears it at once instead of waiting.
      if (transaction.final === undefined) this.#relay.respondUpstream(transaction, transaction.method === 'INVITE' ? 480 : 408);
      this.#relay.forget(transaction);
    }
    for (const transaction of this.#transactions.of(connection, 'sent')) {
      if (transaction.method === 'INVITE' && transaction.final === undefined) {
        if (transaction.fork) this.#ringGroups.callerGone(transaction.fork);
        this.#relay.cancelDownstream(transaction);
        if (transaction.call) this.calls.end(transaction.call, 'cancelled', undefined);
      }
      this.#relay.forget(transaction);
    }
    // A phone's calls wait a while for it to come back; otherwise the other side hears a BYE.
    for (const key of [...connection.dialogs]) this.#relay.holdOrEndDialogOf(connection, key, party, this.#clock, this.#dialogGraceMs);
  }

  close(): void {
    // Calls in progress still get their records before the store closes.
    this.calls.close();
    this.#ringGroups.close();
    this.#transactions.clear();
    this.#dialogs.clear();
    this.registrar.clear();
  }
}
