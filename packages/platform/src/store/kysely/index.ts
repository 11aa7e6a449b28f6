export { openKyselyStore, type KyselyStoreOptions } from './store';
export type { AsyncStore, AsyncTenantScope, Promisified } from '../async-types';
