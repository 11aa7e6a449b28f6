export type * from './types';
export { migrations, latestVersion, type Migration } from './migrations/index';
export { openKyselyStore, type KyselyStoreOptions } from './kysely/index';
export type { AsyncStore, AsyncTenantScope, AsyncRoleCollection, AsyncWebhookEndpointCollection, AsyncWebhookPlatform, Promisified } from './async-types';
export { migrationStatus, migrateUp, migrateDown, schemaVersion, SchemaTooNewError, type MigrationStatus, type MigrationStep } from './db/migrate';
export { connect, SQLITE_DATABASE_FILE, SQLITE_DATABASE_FILE as DATABASE_FILE, SQLITE_SYNCHRONOUS, type Connection, type ConnectOptions } from './db/connect';
