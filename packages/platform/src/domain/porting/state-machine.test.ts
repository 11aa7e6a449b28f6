import { describe, expect, it } from 'vitest';
import type { PortOrderAction, PortOrderStatus } from '@highrise/sdk/schemas';
import { allowedActions, holdsNumbers, PORT_ORDER_ACTIONS, PORT_ORDER_STATUSES, transition } from './state-machine';

// The whole table, written out by hand: every state × every action, '—' where it is refused.
const EXPECTED: Record<PortOrderStatus, Record<PortOrderAction, PortOrderStatus | '—'>> = {
  draft:         { update: 'draft', attach_document: 'draft', submit: 'submitted', cancel: 'cancelled', review: '—', schedule_foc: '—', complete: '—', raise_exception: '—', approve: '—', reject: '—' },
  submitted:     { update: '—', attach_document: '—', submit: '—', cancel: 'cancelled', review: 'in_review', schedule_foc: '—', complete: '—', raise_exception: '—', approve: '—', reject: '—' },
  in_review:     { update: '—', attach_document: '—', submit: '—', cancel: 'cancelled', review: '—', schedule_foc: 'foc_scheduled', complete: '—', raise_exception: 'exception', approve: 'foc_scheduled', reject: 'exception' },
  foc_scheduled: { update: '—', attach_document: '—', submit: '—', cancel: 'cancelled', review: '—', schedule_foc: '—', complete: 'completed', raise_exception: 'exception', approve: '—', reject: 'exception' },
  exception:     { update: 'exception', attach_document: 'exception', submit: 'submitted', cancel: 'cancelled', review: '—', schedule_foc: '—', complete: '—', raise_exception: '—', approve: '—', reject: '—' },
  completed:     { update: '—', attach_document: '—', submit: '—', cancel: '—', review: '—', schedule_foc: '—', complete: '—', raise_exception: '—', approve: '—', reject: '—' },
  cancelled:     { update: '—', attach_document: '—', submit: '—', cancel: '—', review: '—', schedule_foc: '—', complete: '—', raise_exception: '—', approve: '—', reject: '—' },
};

describe('the port order state machine', () => {
  it('covers every status and action of the API contract', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PORT_ORDER_STATUSES].sort());
    for (const row of Object.values(EXPECTED)) expect(Object.keys(row).sort()).toEqual([...PORT_ORDER_ACTIONS].sort());
  });

  for (const status of PORT_ORDER_STATUSES) {
    for (const action of PORT_ORDER_ACTIONS) {
      const expected = EXPECTED[status][action];
      it(`${status} × ${action} → ${expected === '—' ? 'refused' : expected}`, () => {
        const result = transition(status, action);
        if (expected === '—') {
          expect(result.ok).toBe(false);
          // The refusal names exactly what is allowed instead.
          const allowed = PORT_ORDER_ACTIONS.filter((a) => EXPECTED[status][a] !== '—');
          expect(result).toEqual({ ok: false, allowed });
        } else {
          expect(result).toEqual({ ok: true, to: expected });
        }
      });
    }
  }

  it('lists the allowed actions of each status', () => {
    const table = Object.fromEntries(PORT_ORDER_STATUSES.map((s) => [s, allowedActions(s)]));
    expect(table).toEqual({
      draft: ['update', 'attach_document', 'submit', 'cancel'],
      submitted: ['cancel', 'review'],
      in_review: ['cancel', 'schedule_foc', 'raise_exception', 'approve', 'reject'],
      foc_scheduled: ['cancel', 'complete', 'raise_exception', 'reject'],
      exception: ['update', 'attach_document', 'submit', 'cancel'],
      completed: [],
      cancelled: [],
    });
  });

  it('holds numbers from submit until the order completes, stops or is cancelled; never in a draft', () => {
    expect(PORT_ORDER_STATUSES.filter(holdsNumbers)).toEqual(['submitted', 'in_review', 'foc_scheduled']);
  });
});
