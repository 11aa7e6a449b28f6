import type { DomainContext } from './context';

/** Platform-wide counts for the operator's metrics: by state only, never by tenant. */
export const portOrdersByStatus = (ctx: DomainContext) => ctx.store.analytics.portOrdersByStatus();
export const webhookDeliveriesByStatus = (ctx: DomainContext) => ctx.store.analytics.webhookDeliveriesByStatus();
export const webhookAttempts = (ctx: DomainContext) => ctx.store.analytics.webhookAttempts();
