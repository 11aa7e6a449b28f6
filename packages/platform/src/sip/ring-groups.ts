/**
 * Ring group calls at the edge: the SIP side of forking.ts's machine. One caller's INVITE (one
 * server transaction, one call record, one channel) becomes a client transaction per member; the
 * machine decides, this module sends.
 */
import type { CallTracker, LiveCall } from './calls';
import type { SipClock, SipTimer } from './clock';
import type { SipConnection } from './connection';
import type { DialogTable } from './dialogs';
import { ForkMachine, type ForkEffect, type ForkEvent, type ForkStrategy } from './forking';
import { tagOf } from './header-values';
import { header, removeFirstHeader, type SipRequest, type SipResponse } from './message';
import { LINGER_MS, NO_RESPONSE_MS, type Relay } from './relay';
import { reply } from './replies';
import { newClientBranch, type ServerKey, type Transaction, type TransactionTable } from './transactions';

export interface ForkMember {
  number: string;
  connection: SipConnection;
  contact: string;
}

export interface RingGroupCall {
  readonly kind: 'fork';
  readonly upstream: SipConnection;
  readonly received: SipRequest;
  /** The caller's INVITE in upstream's server transactions, until the group call has lingered. */
  readonly key: ServerKey;
  readonly call: LiveCall;
  readonly machine: ForkMachine;
  readonly members: readonly ForkMember[];
  /** Each member's client transaction, once rung. */
  readonly branches: (Transaction | undefined)[];
  /** Set when the caller is a carrier trunk (an inbound DID routed to the group). */
  readonly trunk: 'caller' | undefined;
  groupTimer: SipTimer | undefined;
}

export interface RingGroupPlan {
  strategy: ForkStrategy;
  timeoutMs: number;
  /** Registered members, in ring order. */
  members: ForkMember[];
  /** Members that could not be rung at all (not registered). */
  unregistered: number;
}

export class RingGroups {
  readonly #relay: Relay;
  readonly #transactions: TransactionTable;
  readonly #dialogs: DialogTable;
  readonly #calls: CallTracker;
  readonly #clock: SipClock;
  readonly #ackTimeoutMs: number;
  readonly #active = new Set<RingGroupCall>();

  constructor(relay: Relay, transactions: TransactionTable, dialogs: DialogTable, calls: CallTracker, clock: SipClock, ackTimeoutMs: number) {
    this.#relay = relay;
    this.#transactions = transactions;
    this.#dialogs = dialogs;
    this.#calls = calls;
    this.#clock = clock;
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  start(upstream: SipConnection, request: SipRequest, key: ServerKey, call: LiveCall, plan: RingGroupPlan, trunk: 'caller' | undefined): void {
    if (plan.members.length === 0) {
      this.#calls.finish(call, 480);
      return reply(upstream, request, 480);
    }
    const fork: RingGroupCall = {
      kind: 'fork',
      upstream,
      received: request,
      key,
      call,
      machine: new ForkMachine({ strategy: plan.strategy, members: plan.members.length, unregistered: plan.unregistered, timeoutMs: plan.timeoutMs, noResponseMs: NO_RESPONSE_MS }),
      members: plan.members,
      branches: [],
      trunk,
      groupTimer: undefined,
    };
    this.#transactions.holdServer(upstream, key, fork);
    this.#active.add(fork);
    reply(upstream, request, 100);
    this.#dispatch(fork, { kind: 'start' });
  }

  /** A member's response to its branch. */
  onResponse(transaction: Transaction, response: SipResponse): void {
    const fork = transaction.fork!;
    const member = transaction.member!;
    const status = response.status;
    if (status < 200) this.#dispatch(fork, { kind: 'ringing', member });
    if (status === 100) return;
    removeFirstHeader(response, 'via');
    if (status < 200) {
      if (fork.machine.done || transaction.final !== undefined) return;
      if (tagOf(header(response, 'to')) && transaction.dialogKeys.size < 8) {
        const key = this.#relay.openDialog(transaction, response);
        if (key) transaction.dialogKeys.add(key);
      }
      return fork.upstream.send(response);
    }
    if (status < 300) {
      if (fork.machine.winner === member) return fork.upstream.send(response); // a retransmission
      return this.#dispatch(fork, { kind: 'answered', member }, response);
    }
    if (transaction.final !== undefined) return;
    this.#relay.ackDownstream(transaction, response);
    transaction.final = status;
    // Our own CANCELs (timeout, another member won, caller gave up) say nothing about the member.
    this.#dispatch(fork, { kind: 'declined', member, status: transaction.cancelled ? undefined : status });
  }

  /** The caller's CANCEL. */
  cancel(fork: RingGroupCall, connection: SipConnection, request: SipRequest): void {
    reply(connection, request, 200);
    this.callerGone(fork);
  }

  /** The caller gave up (CANCEL, or its socket closed). */
  callerGone(fork: RingGroupCall): void {
    if (fork.machine.done) return;
    fork.call.cancelled = true;
    this.#dispatch(fork, { kind: 'caller_cancelled' });
  }

  /** A member's socket closed while its branch was open: the group rings on without it. */
  memberGone(transaction: Transaction): void {
    if (transaction.final === undefined) this.#dispatch(transaction.fork!, { kind: 'gone', member: transaction.member! });
    this.#transactions.forget(transaction);
  }

  close(): void {
    for (const fork of this.#active) fork.groupTimer?.cancel();
    this.#active.clear();
  }

  #dispatch(fork: RingGroupCall, event: ForkEvent, response?: SipResponse): void {
    for (const effect of fork.machine.handle(event)) this.#apply(fork, effect, response);
  }

  #apply(fork: RingGroupCall, effect: ForkEffect, response: SipResponse | undefined): void {
    const branch = 'member' in effect ? fork.branches[effect.member] : undefined;
    switch (effect.kind) {
      case 'ring':
        return this.#ring(fork, effect.member, effect.timeoutMs);
      case 'start_group_timer':
        fork.groupTimer = this.#clock.after(effect.ms, () => this.#dispatch(fork, { kind: 'group_timeout' }));
        return;
      case 'stop_member_timer':
        if (branch) this.#transactions.disarm(branch);
        return;
      case 'cancel':
        if (branch) this.#relay.cancelDownstream(branch);
        return;
      case 'branch_over':
        if (!branch) return;
        for (const key of branch.dialogKeys) this.#dialogs.end(key);
        // A branch we CANCELled stays to receive (and ACK) its 487, for a while.
        if (effect.awaitingCancel) this.#transactions.arm(branch, NO_RESPONSE_MS, () => this.#transactions.forget(branch));
        else this.#transactions.forget(branch);
        return;
      case 'answer_caller':
        return this.#answer(fork, branch!, response!);
      case 'fail_caller':
        fork.groupTimer?.cancel();
        this.#calls.finish(fork.call, effect.status);
        reply(fork.upstream, fork.received, effect.status);
        return this.#linger(fork);
      case 'hang_up':
        // Another member answered first, or the caller gave up: this member's call ends at once.
        this.#relay.ackAndBye(branch!, response!);
        branch!.final = response!.status;
        return this.#relay.linger(branch!);
    }
  }

  #ring(fork: RingGroupCall, member: number, timeoutMs: number): void {
    const target = fork.members[member]!;
    // A sequential member whose phone went away before its turn: on to the one after.
    if (target.connection.closed) return this.#dispatch(fork, { kind: 'unreachable', member });
    const branch = newClientBranch();
    const transaction = this.#transactions.open({
      branch,
      serverKey: undefined,
      method: 'INVITE',
      upstream: fork.upstream,
      downstream: target.connection,
      received: fork.received,
      forwarded: this.#relay.copyForNextHop(fork.received, target.contact, branch, true),
      call: fork.call,
      trunk: fork.trunk,
      fork,
      member,
    });
    fork.branches[member] = transaction;
    this.#transactions.arm(transaction, timeoutMs, () => this.#dispatch(fork, { kind: 'rang_out', member }));
    target.connection.send(transaction.forwarded);
  }

  #answer(fork: RingGroupCall, transaction: Transaction, response: SipResponse): void {
    fork.groupTimer?.cancel();
    transaction.final = response.status;
    const key = this.#relay.openDialog(transaction, response);
    const call = fork.call;
    if (key) {
      transaction.dialogKeys.add(key);
      if (!call.ended) {
        // The group call's record names the member who took it.
        call.to = fork.members[transaction.member!]!.number;
        this.#calls.answered(call, key, this.#ackTimeoutMs, (c) => this.#relay.unconfirmed(c));
      }
    }
    this.#relay.linger(transaction);
    this.#linger(fork);
    fork.upstream.send(response);
  }

  /** The group call stays known a while, so a retransmitted INVITE starts nothing new. */
  #linger(fork: RingGroupCall): void {
    this.#clock.after(LINGER_MS, () => {
      this.#active.delete(fork);
      this.#transactions.releaseServer(fork.upstream, fork.key, fork);
    });
  }
}
