/**
 * Ring groups as a pure state machine (Kamailio's serial/parallel forking in tm, as data): one
 * caller's INVITE fanned out to members, each member a numbered branch. The machine takes events
 * (a member rang, answered, declined, rang out, went away; the group timer; the caller's CANCEL)
 * and answers with effects for the edge to carry out (ring, cancel, answer the caller, fail the
 * caller, hang up a late answer). No SIP, no sockets, no clock: `ring-groups.ts` does the I/O.
 */

export type ForkStrategy = 'simultaneous' | 'sequential';

export type ForkEvent =
  | { kind: 'start' }
  /** A provisional response: the member's phone is alive and ringing. */
  | { kind: 'ringing'; member: number }
  | { kind: 'answered'; member: number }
  /** A final failure; `status` undefined when it only answers a CANCEL of our own. */
  | { kind: 'declined'; member: number; status: number | undefined }
  /** The member's own timer ran out (sequential: its turn; simultaneous: it never answered at all). */
  | { kind: 'rang_out'; member: number }
  /** Its connection went away while it rang. */
  | { kind: 'gone'; member: number }
  /** It could not be rung when its turn came (its connection was already gone). */
  | { kind: 'unreachable'; member: number }
  | { kind: 'group_timeout' }
  | { kind: 'caller_cancelled' };

export type ForkEffect =
  | { kind: 'ring'; member: number; timeoutMs: number }
  /** Simultaneous: one timer for the whole group. */
  | { kind: 'start_group_timer'; ms: number }
  /** The member is alive: from now on the group timer alone decides how long it rings. */
  | { kind: 'stop_member_timer'; member: number }
  | { kind: 'cancel'; member: number }
  /** The member's branch is over (forget it, or keep it a while to take the 487 of our CANCEL). */
  | { kind: 'branch_over'; member: number; awaitingCancel: boolean }
  | { kind: 'answer_caller'; member: number }
  | { kind: 'fail_caller'; status: number }
  /** A member answered after the call went elsewhere: ACK and BYE it. */
  | { kind: 'hang_up'; member: number };

/** `cancelling`: given up by us (rang out), its branch still waiting for the 487 of our CANCEL. */
type MemberState = 'waiting' | 'ringing' | 'cancelling' | 'over';

export interface ForkOptions {
  strategy: ForkStrategy;
  /** How many members can be rung (registered), in ring order. */
  members: number;
  /** Group members that could not be rung at all (not registered). */
  unregistered: number;
  /** A member's ring time (sequential), or the whole group's (simultaneous). */
  timeoutMs: number;
  /** Simultaneous: a member that never answers at all is given up after this (Timer B). */
  noResponseMs: number;
}

export class ForkMachine {
  readonly strategy: ForkStrategy;
  readonly #options: ForkOptions;
  readonly #members: MemberState[];
  /** Final statuses the members answered with (not counting CANCELs of our own). */
  readonly outcomes: number[] = [];
  timedOut = 0;
  unregistered: number;
  winner: number | undefined;
  /** The caller has its final response (2xx or the best failure). */
  done = false;
  /** The caller gave up (CANCEL or its socket closed). */
  cancelled = false;

  constructor(options: ForkOptions) {
    this.strategy = options.strategy;
    this.#options = options;
    this.#members = Array.from({ length: options.members }, () => 'waiting');
    this.unregistered = options.unregistered;
  }

  /** Members whose branch is still ringing. */
  get live(): number[] {
    return this.#members.flatMap((state, i) => (state === 'ringing' ? [i] : []));
  }

  handle(event: ForkEvent): ForkEffect[] {
    const effects: ForkEffect[] = [];
    switch (event.kind) {
      case 'start':
        if (this.#members.length === 0) return this.#fail(effects, 480);
        if (this.strategy === 'sequential') return this.#ringNext(effects);
        effects.push({ kind: 'start_group_timer', ms: this.#options.timeoutMs });
        for (let i = 0; i < this.#members.length; i++) this.#ring(effects, i);
        return effects;
      case 'ringing':
        if (this.strategy === 'simultaneous' && this.#members[event.member] === 'ringing') effects.push({ kind: 'stop_member_timer', member: event.member });
        return effects;
      case 'answered': {
        // A member we were cancelling may still answer first; it takes the call if nobody has.
        const state = this.#members[event.member];
        if (state !== 'ringing' && state !== 'cancelling') return effects;
        this.#members[event.member] = 'over';
        if (this.done) {
          effects.push({ kind: 'hang_up', member: event.member });
          return effects;
        }
        this.done = true;
        this.winner = event.member;
        for (const other of this.live) effects.push({ kind: 'cancel', member: other });
        effects.push({ kind: 'answer_caller', member: event.member });
        return effects;
      }
      case 'declined':
      case 'gone':
        if (this.#members[event.member] === 'cancelling') {
          // The answer to our own CANCEL, or the phone gone meanwhile: it says nothing about the member.
          this.#members[event.member] = 'over';
          effects.push({ kind: 'branch_over', member: event.member, awaitingCancel: false });
          return effects;
        }
        return this.#branchEnded(effects, event.member, event.kind === 'gone' ? 480 : event.status, 'over');
      case 'rang_out':
        if (this.#members[event.member] !== 'ringing') return effects;
        this.timedOut++;
        effects.push({ kind: 'cancel', member: event.member });
        return this.#branchEnded(effects, event.member, undefined, 'cancelling');
      case 'unreachable':
        if (this.#members[event.member] !== 'ringing') return effects;
        this.#members[event.member] = 'over';
        this.unregistered++;
        effects.push({ kind: 'branch_over', member: event.member, awaitingCancel: false });
        return this.#afterBranch(effects);
      case 'group_timeout':
        if (this.done) return effects;
        this.timedOut += this.live.length;
        return this.#fail(effects, bestFailure(this));
      case 'caller_cancelled':
        if (this.done) return effects;
        this.cancelled = true;
        return this.#fail(effects, 487);
    }
  }

  #ring(effects: ForkEffect[], member: number): void {
    this.#members[member] = 'ringing';
    const timeoutMs = this.strategy === 'sequential' ? this.#options.timeoutMs : this.#options.noResponseMs;
    effects.push({ kind: 'ring', member, timeoutMs });
  }

  #ringNext(effects: ForkEffect[]): ForkEffect[] {
    const next = this.#members.indexOf('waiting');
    if (next < 0) return this.#fail(effects, bestFailure(this));
    this.#ring(effects, next);
    return effects;
  }

  #branchEnded(effects: ForkEffect[], member: number, status: number | undefined, next: 'over' | 'cancelling'): ForkEffect[] {
    if (this.#members[member] !== 'ringing') return effects;
    this.#members[member] = next;
    if (status !== undefined) this.outcomes.push(status);
    effects.push({ kind: 'branch_over', member, awaitingCancel: next === 'cancelling' });
    return this.#afterBranch(effects);
  }

  #afterBranch(effects: ForkEffect[]): ForkEffect[] {
    if (this.done || this.live.length > 0) return effects;
    if (this.strategy === 'sequential') return this.#ringNext(effects);
    return this.#fail(effects, bestFailure(this));
  }

  /** The caller's final failure: every branch still ringing is cancelled. */
  #fail(effects: ForkEffect[], status: number): ForkEffect[] {
    if (this.done) return effects;
    this.done = true;
    for (const member of this.live) effects.push({ kind: 'cancel', member });
    effects.push({ kind: 'fail_caller', status });
    return effects;
  }
}

/**
 * The failure the caller hears when no member answered: a global failure (6xx) wins, then busy
 * when every member that answered was busy, then "no answer" (480) when someone rang out, then the
 * lowest remaining class; 480 when nobody could be rung (RFC 3261 16.7 picks the "best" likewise).
 */
export function bestFailure(fork: { outcomes: readonly number[]; timedOut: number; unregistered: number }): number {
  const global = fork.outcomes.find((s) => s >= 600);
  if (global !== undefined) return global;
  if (fork.outcomes.length > 0 && fork.timedOut === 0 && fork.outcomes.every((s) => s === 486 || s === 600)) return 486;
  if (fork.timedOut > 0 || fork.outcomes.length === 0) return 480;
  const meaningful = fork.outcomes.filter((s) => s !== 487 && s !== 408);
  if (meaningful.length === 0) return 480;
  return meaningful.reduce((best, s) => (Math.floor(s / 100) < Math.floor(best / 100) ? s : best));
}
