import type { PortOrderRow, PortStatus } from '../../store/porting-types';
import type { DomainContext } from '../context';
import { systemScope } from '../system-scope';
import type { CarrierOrder, CarrierStatus, PortingCarrier } from './carrier';
import { applyTransition, completePortOrder } from './orders';
import { CARRIER_STATES } from './state-machine';
import { newLeaseOwner, runLeased } from '../leases';

/*
 * The automation loop. Every tick it
 * - expires drafts nobody changed for `draftExpiryDays` (they hold no numbers, but count against
 *   the tenant's open-order limit and clutter its list);
 * - with a carrier: polls it for each order it holds and moves the order one transition at a time
 *   toward what the carrier reports;
 * - without one: moves submitted orders to in_review, where they wait for a reviewer (review.ts).
 * It keeps nothing in memory between ticks: the state is the database, and each transition is a
 * compare-and-set on the status it read, in one transaction with its effects. A kill -9 at any point
 * leaves either the old or the new status; after a restart the loop reads it and carries on, and
 * completion can happen only once. Time comes from the domain's clock (`ctx.now`).
 *
 * With several nodes on one database each tick runs under the `porting.automation` job lease: one
 * node does a tick's work, renewing the lease before each order; a node killed mid-tick holds it
 * until `leaseMs` passes, then another node's tick carries on from the database.
 */

export interface PortingAutomationOptions {
  /** The carrier's porting API; undefined: orders are reviewed by the provider or reseller instead. */
  carrier?: PortingCarrier | undefined;
  /** How often the loop runs. Default 1000 ms. */
  tickMs?: number | undefined;
  /** A draft unchanged for this many days is cancelled. Default 30. */
  draftExpiryDays?: number | undefined;
  /** How long a tick's lease holds without renewal (renewed before each order). Default 60 000 ms. */
  leaseMs?: number | undefined;
  log?: (line: string) => void;
}

export interface PortingAutomation {
  /** One pass over every open order (the loop calls it; tests and tools may too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_DRAFT_EXPIRY_DAYS = 30;
const BATCH = 500;
const RANK: Partial<Record<PortStatus, number>> = { submitted: 0, in_review: 1, foc_scheduled: 2, completed: 3 };

export function carrierOrder(order: PortOrderRow, numbers: readonly string[]): CarrierOrder {
  return {
    id: order.id,
    tenantId: order.tenantId,
    numbers,
    carrierName: order.carrierName,
    accountNumber: order.accountNumber,
    pin: order.pin,
    authorisedPerson: order.authorisedPerson,
    serviceAddress: order.serviceAddress,
    requestedFocDate: order.requestedFocDate,
    submittedAt: order.submittedAt ?? order.updatedAt,
    carrierRef: order.carrierRef,
  };
}

/** One step toward `target`; false when there is nothing (more) to do. */
async function step(ctx: DomainContext, order: PortOrderRow, target: CarrierStatus): Promise<boolean> {
  const capability = systemScope('port order', order.tenantId);
  const scope = ctx.store.tenant(capability);
  const apply = async (action: Parameters<typeof applyTransition>[3], patch = {}, exception?: Parameters<typeof applyTransition>[6]) =>
    await ctx.store.transaction(() => applyTransition(ctx, { scope, capability }, order, action, { kind: 'carrier' }, patch, exception)) !== undefined;

  if (target.status === 'exception') {
    if (order.status === 'submitted') return apply('review');
    if (order.status === 'in_review' || order.status === 'foc_scheduled') {
      return apply('raise_exception', { exceptionReason: target.reason, exceptionMessage: target.message }, { reason: target.reason, message: target.message });
    }
    return false;
  }
  const current = RANK[order.status];
  const wanted = RANK[target.status];
  if (current === undefined || wanted === undefined || current >= wanted) return false;
  if (order.status === 'submitted') return apply('review');
  if (order.status === 'in_review') return apply('schedule_foc', { focDate: 'focDate' in target ? target.focDate : null });
  if (order.status === 'foc_scheduled') {
    await completePortOrder(ctx, order, { kind: 'carrier' }, 'focDate' in target ? target.focDate : (order.focDate ?? order.requestedFocDate));
    return false;
  }
  return false;
}

async function drive(ctx: DomainContext, carrier: PortingCarrier, ref: { id: string; tenantId: string }): Promise<void> {
  const capability = systemScope('port order', ref.tenantId);
  const scope = ctx.store.tenant(capability);
  let order = await scope.portOrders.get(ref.id);
  if (!order || RANK[order.status] === undefined) return;
  if (order.carrierRef === null) {
    const { carrierRef } = await carrier.submit(carrierOrder(order, await scope.portOrders.numbers(order.id)));
    // Stored only if nothing moved meanwhile; otherwise the next tick sees the new state.
    if (!await scope.portOrders.updateIfStatus(order.id, order.status, { carrierRef })) return;
    order = (await scope.portOrders.get(ref.id))!;
  }
  const target = await carrier.poll(carrierOrder(order, await scope.portOrders.numbers(order.id)));
  for (let i = 0; i < 4; i++) {
    order = await scope.portOrders.get(ref.id);
    if (!order || !await step(ctx, order, target)) return;
  }
}

/** Without a carrier, a submitted order goes to in_review and waits there for the reviewer. */
async function queueForReview(ctx: DomainContext, ref: { id: string; tenantId: string }): Promise<void> {
  const capability = systemScope('port order', ref.tenantId);
  const scope = ctx.store.tenant(capability);
  await ctx.store.transaction(async () => {
    const order = await scope.portOrders.get(ref.id);
    if (order?.status === 'submitted') await applyTransition(ctx, { scope, capability }, order, 'review', { kind: 'system' });
  });
}

/** Cancels one draft unchanged since `before`, unless it changed since it was listed. */
async function expireDraft(ctx: DomainContext, ref: { id: string; tenantId: string }, before: string, days: number): Promise<void> {
  const capability = systemScope('port order', ref.tenantId);
  const scope = ctx.store.tenant(capability);
  await ctx.store.transaction(async () => {
    const order = await scope.portOrders.get(ref.id);
    if (order?.status !== 'draft' || order.updatedAt >= before) return;
    const message = `draft expired: unchanged for ${days} days`;
    await applyTransition(ctx, { scope, capability }, order, 'cancel', { kind: 'system' }, { cancelledAt: ctx.now().toISOString() }, { reason: null, message });
  });
}

export function startPortingAutomation(ctx: DomainContext, options: PortingAutomationOptions): PortingAutomation {
  const log = options.log ?? (() => {});
  const tickMs = options.tickMs ?? 1000;
  const expiryDays = options.draftExpiryDays ?? DEFAULT_DRAFT_EXPIRY_DAYS;
  const { carrier } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const owner = newLeaseOwner();
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const each = async (refs: { id: string; tenantId: string }[], renew: () => Promise<boolean>, work: (ref: { id: string; tenantId: string }) => unknown) => {
    for (const ref of refs) {
      // Renewed before each order, so a long tick keeps it; lost (this node stalled past it and
      // another took the job): stop, the other node carries on.
      if (stopped || !(await renew())) return;
      try {
        await work(ref);
      } catch (error) {
        log(`porting: order ${ref.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const tick = () =>
    runLeased(ctx, 'porting.automation', owner, leaseMs, async (renew) => {
      const before = new Date(ctx.now().getTime() - expiryDays * 86_400_000).toISOString();
      await each(await ctx.store.porting.staleDraftsAcrossTenants(before, BATCH), renew, (ref) => expireDraft(ctx, ref, before, expiryDays));
      if (carrier) await each(await ctx.store.porting.ordersInAcrossTenants(CARRIER_STATES, BATCH), renew, (ref) => drive(ctx, carrier, ref));
      // Only submitted ones: orders waiting in review must not crowd newer submissions out of the batch.
      else await each(await ctx.store.porting.ordersInAcrossTenants(['submitted'], BATCH), renew, (ref) => queueForReview(ctx, ref));
    }).then(() => undefined);
  // One tick at a time: a tick asked for while one runs (the timer's, or a test's) joins it.
  const once = (): Promise<void> =>
    (running ??= tick().finally(() => {
      running = undefined;
    }));
  const loop = () => {
    if (stopped) return;
    void once()
      .catch((error: unknown) => log(`porting: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };
  timer = setTimeout(loop, tickMs);

  return {
    tick: async () => {
      // A tick already under way may have listed its orders before the caller's change: run a fresh one after it.
      await running;
      await once();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
