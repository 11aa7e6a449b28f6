import type { PortOrderRow } from '../../store/porting-types';
import type { DomainContext } from '../context';
import { systemScope } from '../system-scope';
import { emitEvent } from '../events';
import { REQUIRED_DOCUMENTS, type PortOrderView } from './orders';

export type PortOrderEventType = 'port_order.updated' | 'port_order.completed' | 'port_order.exception';

/**
 * The one call site of porting webhooks, called inside the transaction of every status change:
 * `emitEvent` queues the deliveries in that same transaction, so a rolled-back change sends nothing.
 * `data` is a PortOrderView with account number and PIN already masked, which the HTTP layer's
 * event presenter turns into the API's `PortOrder`.
 */
export async function emitPortOrderEvent(ctx: DomainContext, type: PortOrderEventType, order: PortOrderRow, numbers: readonly string[]): Promise<void> {
  const scope = systemScope('port order', order.tenantId);
  const kinds = new Set(await ctx.store.tenant(scope).portOrders.documents.kinds(order.id));
  // The secrets are masked before the view leaves the domain; the presenter shows last 4 and pinSet.
  const masked: PortOrderRow = { ...order, accountNumber: order.accountNumber.slice(-4), pin: order.pin === '' ? '' : '*' };
  const data: PortOrderView = { order: masked, numbers: [...numbers], missing: REQUIRED_DOCUMENTS.filter((k) => !kinds.has(k)) };
  await emitEvent(ctx, { type, scope, data });
}
