import { describe, expect, it } from 'vitest';
import { CallTracker } from './calls';
import { ManualClock } from './clock';
import { fakeDirectory } from './testing';

describe('accounting', () => {
  it('holds a channel from the INVITE until the answered call’s dialog ends, and records it on the clock', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const directory = fakeDirectory({ channels: 1 });
    const calls = new CallTracker(directory, () => {}, clock);
    const grant = calls.begin('ten_a', 'call-1', '101', '102');
    if (!grant.ok) throw new Error('refused');
    expect(calls.begin('ten_a', 'call-2', '103', '102')).toEqual({ ok: false, limit: 1 });
    clock.advance(2_000);
    calls.answered(grant.call, 'dialog-1', 32_000, () => {});
    calls.acked('dialog-1');
    clock.advance(60_000);
    expect(calls.usage('ten_a').channels).toBe(1);
    calls.endDialog('dialog-1');
    expect(calls.usage('ten_a').channels).toBe(0);
    calls.flush();
    const record = directory.records.find((r) => r.callId === 'call-1')!;
    expect(record).toMatchObject({ disposition: 'answered', sipStatus: 200 });
    expect(record.answeredAt!.getTime() - record.startedAt.getTime()).toBe(2_000);
    expect(record.endedAt.getTime() - record.startedAt.getTime()).toBe(62_000);
  });

  it('runs the unconfirmed handler when the ACK does not come in time, and not when it does', () => {
    const clock = new ManualClock();
    const calls = new CallTracker(fakeDirectory(), () => {}, clock);
    const unconfirmed: string[] = [];
    for (const id of ['acked', 'silent']) {
      const grant = calls.begin('ten_a', id, '101', '102');
      if (grant.ok) calls.answered(grant.call, `dialog-${id}`, 1_000, (call) => unconfirmed.push(call.callId));
    }
    calls.acked('dialog-acked');
    clock.advance(1_000);
    expect(unconfirmed).toEqual(['silent']);
  });

  it('ends a call once, whatever ends it first', () => {
    const calls = new CallTracker(fakeDirectory({ channels: 2 }), () => {}, new ManualClock());
    const grant = calls.begin('ten_a', 'call-1', '101', '102');
    if (!grant.ok) throw new Error('refused');
    calls.answered(grant.call, 'dialog-1', 1_000, () => {});
    calls.end(grant.call, 'failed', 408);
    calls.endDialog('dialog-1');
    expect(calls.usage('ten_a').channels).toBe(0);
    expect(calls.byDialog('dialog-1')).toBeUndefined();
  });
});
