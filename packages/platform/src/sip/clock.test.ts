import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';

describe('ManualClock', () => {
  it('runs timers when advanced past them, in order of due time, and never a cancelled one', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.after(300, () => fired.push('b'));
    clock.after(100, () => fired.push('a'));
    const cancelled = clock.after(200, () => fired.push('never'));
    cancelled.cancel();
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(1_100);
    clock.advance(500);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
  });

  it('runs a timer set by a timer when it falls due within the same advance, at its own time', () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    clock.after(10, () => clock.after(10, () => at.push(clock.now())));
    clock.advance(25);
    expect(at).toEqual([20]);
    expect(clock.now()).toBe(25);
  });
});
