/**
 * The async store contract, derived from the synchronous one in types.ts: the same collections,
 * names and shapes, every method returning a Promise. Kept as a mapped type so the two cannot drift
 * while both exist; the hand-written async interface (store-async) and this one reconcile into one.
 *
 * Methods that hand out a collection (`tenant(id)`, `roles(owner)`, `webhooks.endpoints(owner)`)
 * stay synchronous and return the async collection: choosing a scope does no I/O.
 */
import type { RoleCollection, Store, TenantData, TenantScope } from './types';
import type { WebhookEndpointCollection, WebhookPlatform } from './webhook-types';

/** Every method of `T` (and of the objects it holds) returning a Promise of what it returned. */
export type Promisified<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K] extends object ? Promisified<T[K]> : T[K];
};

export type AsyncRoleCollection = Promisified<RoleCollection>;
export type AsyncWebhookEndpointCollection = Promisified<WebhookEndpointCollection>;

export type AsyncWebhookPlatform = Promisified<Omit<WebhookPlatform, 'endpoints'>> & {
  endpoints(owner: 'provider' | { resellerId: string }): AsyncWebhookEndpointCollection;
};

export type AsyncTenantScope = Promisified<Omit<TenantData, 'roles' | 'webhookEndpoints'>> & {
  readonly roles: AsyncRoleCollection;
  readonly webhookEndpoints: AsyncWebhookEndpointCollection;
};

export type AsyncStore = Promisified<Omit<Store, 'transaction' | 'tenant' | 'roles' | 'webhooks' | 'onDirectoryChange'>> & {
  /** Runs `fn` in one transaction; calls made inside it (nested `transaction` too) join it. A throw rolls all of it back. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  tenant(scope: TenantScope): AsyncTenantScope;
  roles(owner: 'provider' | { resellerId: string }): AsyncRoleCollection;
  readonly webhooks: AsyncWebhookPlatform;
};

/** One contract: the store interface (types.ts) names the directory changes. */
export type { DirectoryChange } from './types';
import type { DirectoryChange } from './types';

/**
 * What the Kysely store offers beyond today's contract, shaped like the hand-written async
 * interface (store-async) so the two reconcile: directory change notifications for the SIP edge's
 * cache. A listener is told of a committed change before the write (or the transaction around it)
 * resolves; rolled-back changes are never told; other processes' changes arrive through
 * LISTEN/NOTIFY (PostgreSQL) or as `{ kind: 'all' }` when the SQLite file changes under us.
 */
export interface DirectoryChangeSource {
  onDirectoryChange(listener: (changes: readonly DirectoryChange[]) => Promise<void>): () => void;
}
