/**
 * A second connection to a running platform's database through the platform's source modules, for
 * tests that call domain functions directly (as another node would). The store must come from the
 * same modules as the domain: a TenantScope is a class, and the built package's store refuses a
 * scope made by the source modules' access check, as it would any scope not its own.
 */
import { openKyselyStore } from '../../packages/platform/src/store/kysely/index';
import type { Store } from '../../packages/platform/src/store/types';
import type { Principal } from '../../packages/platform/src/domain/principal';
import type { TestStore } from './platform';

export function openSourceStore(running: { dataDir: string; store: TestStore }): Promise<Store> {
  return openKyselyStore(running.store.databaseUrl === undefined ? { sqlite: { dataDir: running.dataDir } } : { postgres: { url: running.store.databaseUrl, poolSize: 2 } });
}

/** The provider, as the access check sees it: it may reach every tenant. */
export const PROVIDER: Principal = { kind: 'provider', keyId: 'key_test_provider', roleId: 'rol_providerOwner', permissions: new Set() };
