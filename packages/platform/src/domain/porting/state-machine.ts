import type { PortOrderAction, PortOrderStatus } from '@highrise/sdk/schemas';

/*
 * The port order life cycle, as data. Tenants act with update, attach_document, submit and cancel;
 * the carrier (through the automation loop) with review, schedule_foc, complete and raise_exception;
 * the reviewer (a provider key or the tenant's reseller, when no carrier drives the order) with
 * approve, reject and complete. Without a carrier the platform itself moves a submitted order to
 * in_review (review), where it waits for the reviewer.
 *
 *   draft ─submit→ submitted ─review→ in_review ─schedule_foc|approve→ foc_scheduled ─complete→ completed
 *                      ↑                  └──raise_exception|reject──┐      │
 *                      └────submit──── exception ←───────────────────┴──────┘
 *   cancel: from every state before completed (and not twice).
 *
 * The order holds (reserves) its numbers exactly while it is submitted, in_review or foc_scheduled:
 * a draft or an exception claims nothing, so nobody can squat a number with a draft.
 *
 * Pure: no store, no clock. The domain applies a transition with a compare-and-set on the status it
 * read, so two racing actors (an API call and the carrier loop, or two processes) cannot both win.
 */

export const PORT_ORDER_STATUSES: readonly PortOrderStatus[] = ['draft', 'submitted', 'in_review', 'foc_scheduled', 'exception', 'completed', 'cancelled'];
export const PORT_ORDER_ACTIONS: readonly PortOrderAction[] = ['update', 'attach_document', 'submit', 'cancel', 'review', 'schedule_foc', 'complete', 'raise_exception', 'approve', 'reject'];

const TRANSITIONS: Record<PortOrderStatus, Partial<Record<PortOrderAction, PortOrderStatus>>> = {
  draft: { update: 'draft', attach_document: 'draft', submit: 'submitted', cancel: 'cancelled' },
  submitted: { review: 'in_review', cancel: 'cancelled' },
  in_review: { schedule_foc: 'foc_scheduled', approve: 'foc_scheduled', raise_exception: 'exception', reject: 'exception', cancel: 'cancelled' },
  foc_scheduled: { complete: 'completed', raise_exception: 'exception', reject: 'exception', cancel: 'cancelled' },
  exception: { update: 'exception', attach_document: 'exception', submit: 'submitted', cancel: 'cancelled' },
  completed: {},
  cancelled: {},
};

export type Transition = { ok: true; to: PortOrderStatus } | { ok: false; allowed: PortOrderAction[] };

/** The actions allowed from `status`, in the fixed order of PORT_ORDER_ACTIONS. */
export function allowedActions(status: PortOrderStatus): PortOrderAction[] {
  return PORT_ORDER_ACTIONS.filter((a) => TRANSITIONS[status][a] !== undefined);
}

export function transition(status: PortOrderStatus, action: PortOrderAction): Transition {
  const to = TRANSITIONS[status][action];
  return to === undefined ? { ok: false, allowed: allowedActions(status) } : { ok: true, to };
}

/** An order that is neither completed nor cancelled: what `limits.openPortOrders` counts. */
export const isOpen = (status: PortOrderStatus) => status !== 'completed' && status !== 'cancelled';

/** The states the carrier (or the reviewer) is working on; the automation loop polls these. */
export const CARRIER_STATES: readonly PortOrderStatus[] = ['submitted', 'in_review', 'foc_scheduled'];

/** Whether an order in `status` holds its numbers: from submit until it completes, stops or is cancelled. */
export const holdsNumbers = (status: PortOrderStatus) => CARRIER_STATES.includes(status);

/** The actions only a reviewer (provider or the tenant's reseller) may take through the API. */
export const REVIEWER_ACTIONS: readonly PortOrderAction[] = ['approve', 'reject', 'complete'];
