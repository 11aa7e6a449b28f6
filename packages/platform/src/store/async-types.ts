/**
 * Names the Kysely store's modules were written against while a synchronous store still existed.
 * The contract is types.ts; these are its aliases, kept so the query modules need no churn.
 */
import type { DirectoryChange, RoleCollection, Store, TenantData } from './types';
import type { WebhookEndpointCollection, WebhookPlatform } from './webhook-types';

/** Every method of `T` (and of the objects it holds) returning a Promise of what it returned. */
export type Promisified<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K] extends object ? Promisified<T[K]> : T[K];
};

export type AsyncStore = Store;
export type AsyncTenantScope = TenantData;
export type AsyncRoleCollection = RoleCollection;
export type AsyncWebhookEndpointCollection = WebhookEndpointCollection;
export type AsyncWebhookPlatform = WebhookPlatform;
export type { DirectoryChange };

/** The directory change feed, as the SIP edge's cache subscribes to it. */
export type DirectoryChangeSource = Pick<Store, 'onDirectoryChange'>;
