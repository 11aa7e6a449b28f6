export { openKyselyStore, type KyselyStore, type KyselyStoreOptions } from './store';
export type { AsyncStore, AsyncTenantScope, DirectoryChange, DirectoryChangeSource, Promisified } from '../async-types';
