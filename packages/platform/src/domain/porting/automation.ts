import { newId } from '../../ids';
import type { PortOrderRow, PortStatus } from '../../store/porting-types';
import type { DomainContext } from '../context';
import type { CarrierOrder, CarrierStatus, PortingCarrier } from './carrier';
import { applyTransition } from './orders';

/*
 * The automation loop: every tick it polls the carrier for each order the carrier holds and moves
 * the order one transition at a time toward what the carrier reports. It keeps nothing in memory
 * between ticks: the state is the database, and each transition is a compare-and-set on the status
 * it read, in one transaction with its effects. A kill -9 at any point leaves either the old or the
 * new status; after a restart the loop reads it and carries on, and completion can happen only once.
 */

export interface PortingAutomationOptions {
  carrier: PortingCarrier;
  /** How often the loop runs. Default 1000 ms. */
  tickMs?: number;
  log?: (line: string) => void;
}

export interface PortingAutomation {
  /** One pass over every open order (the loop calls it; tests and tools may too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

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

/**
 * Completion: the numbers become the tenant's, routed to the order's destination, in the same
 * transaction as the status change. If any number cannot be added (someone put it on the platform
 * meanwhile), nothing is added and the order goes to exception instead.
 */
function complete(ctx: DomainContext, order: PortOrderRow, focDate: string): void {
  const scope = ctx.store.tenant(order.tenantId);
  const numbers = scope.portOrders.numbers(order.id);
  try {
    ctx.store.transaction(() => {
      const at = ctx.now().toISOString();
      const done = applyTransition(ctx, { scope }, order, 'complete', { kind: 'carrier' }, { focDate, completedAt: at });
      if (!done) return;
      scope.portOrders.activateNumbers(numbers.map((number) => ({ id: newId('num'), number })), order.destination, at);
    });
  } catch (error) {
    const taken = ctx.store.porting.numbersOnPlatform(numbers);
    if (taken.length === 0) throw error;
    ctx.store.transaction(() => {
      applyTransition(ctx, { scope }, order, 'raise_exception', { kind: 'carrier' }, { exceptionReason: 'number_not_portable', exceptionMessage: `already on the platform: ${taken.join(', ')}` }, {
        reason: 'number_not_portable',
        message: `already on the platform: ${taken.join(', ')}`,
      });
    });
  }
}

/** One step toward `target`; false when there is nothing (more) to do. */
function step(ctx: DomainContext, order: PortOrderRow, target: CarrierStatus): boolean {
  const scope = ctx.store.tenant(order.tenantId);
  const apply = (action: Parameters<typeof applyTransition>[3], patch = {}, exception?: Parameters<typeof applyTransition>[6]) =>
    ctx.store.transaction(() => applyTransition(ctx, { scope }, order, action, { kind: 'carrier' }, patch, exception)) !== undefined;

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
    complete(ctx, order, 'focDate' in target ? target.focDate : (order.focDate ?? order.requestedFocDate));
    return false;
  }
  return false;
}

async function drive(ctx: DomainContext, carrier: PortingCarrier, ref: { id: string; tenantId: string }): Promise<void> {
  const scope = ctx.store.tenant(ref.tenantId);
  let order = scope.portOrders.get(ref.id);
  if (!order || RANK[order.status] === undefined) return;
  if (order.carrierRef === null) {
    const { carrierRef } = await carrier.submit(carrierOrder(order, scope.portOrders.numbers(order.id)));
    // Stored only if nothing moved meanwhile; otherwise the next tick sees the new state.
    if (!scope.portOrders.updateIfStatus(order.id, order.status, { carrierRef })) return;
    order = scope.portOrders.get(ref.id)!;
  }
  const target = await carrier.poll(carrierOrder(order, scope.portOrders.numbers(order.id)));
  for (let i = 0; i < 4; i++) {
    order = scope.portOrders.get(ref.id);
    if (!order || !step(ctx, order, target)) return;
  }
}

export function startPortingAutomation(ctx: DomainContext, options: PortingAutomationOptions): PortingAutomation {
  const log = options.log ?? (() => {});
  const tickMs = options.tickMs ?? 1000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    for (const ref of ctx.store.porting.carrierOrders(500)) {
      if (stopped) return;
      try {
        await drive(ctx, options.carrier, ref);
      } catch (error) {
        log(`porting: order ${ref.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, tickMs);
    });
  };
  timer = setTimeout(loop, tickMs);

  return {
    tick: async () => {
      await running;
      await tick();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
