import { describe, expect, it } from 'vitest';
import { bestFailure } from './forking';

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
