import { describe, expect, it } from 'vitest';
import { bestFailure, ForkMachine } from './forking';

const outcome = (outcomes: number[], timedOut = 0, unregistered = 0) => bestFailure({ outcomes, timedOut, unregistered });

describe('the final response of a ring group nobody answered', () => {
  it('is busy only when every member that answered was busy and nobody rang out', () => {
    expect(outcome([486, 486])).toBe(486);
    expect(outcome([486], 0, 1)).toBe(486);
    expect(outcome([486], 1)).toBe(480);
  });

  it('is 480 when nobody could be rung or someone rang out', () => {
    expect(outcome([])).toBe(480);
    expect(outcome([], 2)).toBe(480);
    expect(outcome([408, 487])).toBe(480);
  });

  it('prefers a global failure, then the lowest class', () => {
    expect(outcome([486, 603])).toBe(603);
    expect(outcome([503, 404])).toBe(404);
    expect(outcome([503, 500])).toBe(503);
  });
});

describe('the ring group machine', () => {
  const sequential = (members = 3, unregistered = 0) =>
    new ForkMachine({ strategy: 'sequential', members, unregistered, timeoutMs: 5_000, noResponseMs: 32_000 });
  const simultaneous = (members = 3, unregistered = 0) =>
    new ForkMachine({ strategy: 'simultaneous', members, unregistered, timeoutMs: 20_000, noResponseMs: 32_000 });

  it('sequential: rings one member for its timeout, cancels it when it rings out, then rings the next', () => {
    const fork = sequential();
    expect(fork.handle({ kind: 'start' })).toEqual([{ kind: 'ring', member: 0, timeoutMs: 5_000 }]);
    expect(fork.handle({ kind: 'ringing', member: 0 })).toEqual([]);
    expect(fork.handle({ kind: 'rang_out', member: 0 })).toEqual([
      { kind: 'cancel', member: 0 },
      { kind: 'branch_over', member: 0, awaitingCancel: true },
      { kind: 'ring', member: 1, timeoutMs: 5_000 },
    ]);
    // The 487 of our CANCEL changes nothing.
    expect(fork.handle({ kind: 'declined', member: 0, status: undefined })).toEqual([{ kind: 'branch_over', member: 0, awaitingCancel: false }]);
    expect(fork.handle({ kind: 'answered', member: 1 })).toEqual([{ kind: 'answer_caller', member: 1 }]);
    expect([fork.done, fork.winner]).toEqual([true, 1]);
  });

  it('sequential: skips a member whose phone is gone before its turn, and fails with 480 after the last', () => {
    const fork = sequential(2);
    fork.handle({ kind: 'start' });
    fork.handle({ kind: 'rang_out', member: 0 });
    expect(fork.handle({ kind: 'unreachable', member: 1 })).toEqual([
      { kind: 'branch_over', member: 1, awaitingCancel: false },
      { kind: 'fail_caller', status: 480 },
    ]);
    expect(fork.unregistered).toBe(1);
  });

  it('simultaneous: rings everyone under one group timer; the first answer cancels the rest', () => {
    const fork = simultaneous();
    expect(fork.handle({ kind: 'start' })).toEqual([
      { kind: 'start_group_timer', ms: 20_000 },
      { kind: 'ring', member: 0, timeoutMs: 32_000 },
      { kind: 'ring', member: 1, timeoutMs: 32_000 },
      { kind: 'ring', member: 2, timeoutMs: 32_000 },
    ]);
    expect(fork.handle({ kind: 'ringing', member: 1 })).toEqual([{ kind: 'stop_member_timer', member: 1 }]);
    expect(fork.handle({ kind: 'answered', member: 2 })).toEqual([
      { kind: 'cancel', member: 0 },
      { kind: 'cancel', member: 1 },
      { kind: 'answer_caller', member: 2 },
    ]);
    // A second answer after the call went elsewhere is hung up.
    expect(fork.handle({ kind: 'answered', member: 0 })).toEqual([{ kind: 'hang_up', member: 0 }]);
  });

  it('simultaneous: busy when everyone is busy; 480 with a member gone; the group timer ends it with 480', () => {
    const busy = simultaneous(2);
    busy.handle({ kind: 'start' });
    busy.handle({ kind: 'declined', member: 0, status: 486 });
    expect(busy.handle({ kind: 'declined', member: 1, status: 486 })).toEqual([
      { kind: 'branch_over', member: 1, awaitingCancel: false },
      { kind: 'fail_caller', status: 486 },
    ]);

    const gone = simultaneous(2);
    gone.handle({ kind: 'start' });
    expect(gone.handle({ kind: 'gone', member: 0 })).toEqual([{ kind: 'branch_over', member: 0, awaitingCancel: false }]);
    expect(gone.handle({ kind: 'declined', member: 1, status: 486 }).at(-1)).toEqual({ kind: 'fail_caller', status: 480 });

    const slow = simultaneous(2);
    slow.handle({ kind: 'start' });
    expect(slow.handle({ kind: 'group_timeout' })).toEqual([
      { kind: 'cancel', member: 0 },
      { kind: 'cancel', member: 1 },
      { kind: 'fail_caller', status: 480 },
    ]);
    expect(slow.timedOut).toBe(2);
  });

  it('the caller giving up cancels every branch with 487, once', () => {
    const fork = simultaneous(2);
    fork.handle({ kind: 'start' });
    expect(fork.handle({ kind: 'caller_cancelled' })).toEqual([
      { kind: 'cancel', member: 0 },
      { kind: 'cancel', member: 1 },
      { kind: 'fail_caller', status: 487 },
    ]);
    expect(fork.cancelled).toBe(true);
    expect(fork.handle({ kind: 'caller_cancelled' })).toEqual([]);
    expect(fork.handle({ kind: 'group_timeout' })).toEqual([]);
  });

  it('a group with nobody registered fails at once with 480', () => {
    expect(sequential(0, 2).handle({ kind: 'start' })).toEqual([{ kind: 'fail_caller', status: 480 }]);
  });
});
