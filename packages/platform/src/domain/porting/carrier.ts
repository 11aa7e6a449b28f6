import type { PortAddress, PortExceptionCode, PortPerson } from '../../store/porting-types';

/** What the platform hands a carrier: the order with its secrets, as the losing carrier needs them. */
export interface CarrierOrder {
  id: string;
  tenantId: string;
  numbers: readonly string[];
  carrierName: string;
  accountNumber: string;
  pin: string;
  authorisedPerson: PortPerson;
  serviceAddress: PortAddress;
  requestedFocDate: string;
  /** When the current submission was made (a resubmission after an exception gets a new one). */
  submittedAt: string;
  /** What `submit` returned, once it has. */
  carrierRef: string | null;
}

/** Where the carrier says the order is. */
export type CarrierStatus =
  | { status: 'submitted' | 'in_review' }
  | { status: 'foc_scheduled' | 'completed'; focDate: string }
  | { status: 'exception'; reason: PortExceptionCode; message: string };

/**
 * A carrier's porting API, plugged in through `PlatformOptions.porting.carrier`.
 *
 * The automation loop calls `submit` once per submission (the same order may be submitted again
 * after a crash between the call and the database write, so `submit` must be idempotent on
 * `order.id` + `order.submittedAt`), then `poll` on every tick until the order completes or stops,
 * and `cancel` when a caller cancels an order the carrier holds. Any of them may throw; the loop
 * logs it and tries again on the next tick.
 */
export interface PortingCarrier {
  submit(order: CarrierOrder): Promise<{ carrierRef: string }>;
  poll(order: CarrierOrder): Promise<CarrierStatus>;
  cancel(order: CarrierOrder): Promise<void>;
}

export interface SimulatedCarrierOptions {
  /** Seconds between two steps of an order (submitted → in_review → foc_scheduled → completed). */
  stepSeconds?: number;
  now?: () => Date;
}

/**
 * The built-in carrier for the demo and the tests. It keeps no state of its own: where an order
 * is follows from how long ago it was submitted, so it answers the same after a restart.
 *
 * - after 1 step: in_review;
 * - after 2 steps: foc_scheduled, the FOC date being the requested one (today if that has passed),
 *   unless a rule rejects the order, which then goes to exception:
 *   - a number ending in 0000 → `number_not_portable`;
 *   - PIN `0000` → `pin_invalid`;
 * - after 3 steps, once the FOC date has come (UTC): completed. An order for a date in the future
 *   waits in foc_scheduled until that day, as a real port does.
 */
export class SimulatedCarrier implements PortingCarrier {
  readonly stepMs: number;
  readonly #now: () => Date;

  constructor(options: SimulatedCarrierOptions = {}) {
    this.stepMs = Math.max(1, Math.round((options.stepSeconds ?? 5) * 1000));
    this.#now = options.now ?? (() => new Date());
  }

  async submit(order: CarrierOrder): Promise<{ carrierRef: string }> {
    return { carrierRef: `sim_${order.id}_${Date.parse(order.submittedAt)}` };
  }

  async poll(order: CarrierOrder): Promise<CarrierStatus> {
    const steps = Math.floor((this.#now().getTime() - Date.parse(order.submittedAt)) / this.stepMs);
    if (steps < 1) return { status: 'submitted' };
    if (steps < 2) return { status: 'in_review' };
    const unportable = order.numbers.filter((n) => n.endsWith('0000'));
    if (unportable.length > 0) return { status: 'exception', reason: 'number_not_portable', message: `not portable: ${unportable.join(', ')}` };
    if (order.pin === '0000') return { status: 'exception', reason: 'pin_invalid', message: 'the losing carrier refused the PIN' };
    const today = this.#now().toISOString().slice(0, 10);
    const focDate = order.requestedFocDate > today ? order.requestedFocDate : today;
    return steps < 3 || focDate > today ? { status: 'foc_scheduled', focDate } : { status: 'completed', focDate };
  }

  async cancel(): Promise<void> {}
}
