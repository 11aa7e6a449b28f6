export { startPlatform } from './start';
export type { Platform, PlatformOptions } from './options';
export { routeTable } from './http/routes/index';
export type { RouteDef, Scope, HttpMethod } from './http/route';
export { buildOpenApi } from './http/openapi';
export { migrations, latestVersion, DATABASE_FILE, SQLITE_SYNCHRONOUS } from './store/index';
export type * from './store/types';
export type { Migration } from './store/index';
export { openKyselyStore, SchemaTooNewError } from './store/index';
// The migration runner on a bare connection, for `highrise migrate`'s equivalents in code (bench/migrate.mjs).
export { connect, migrationStatus, migrateUp, migrateDown, schemaVersion } from './store/index';
export type { Connection, ConnectOptions, MigrationStatus, MigrationStep } from './store/index';
export type { KyselyStoreOptions, AsyncStore, AsyncTenantScope } from './store/index';
// A tenant's rows are reached with a TenantScope: from the access check, or from a named system scope.
export { systemScope, type SystemScopeReason } from './domain/system-scope';
export type { SipDirectory, SipTenant, SipUser, SoftphoneTokenClaims, TokenCheck } from './domain/sip-directory-contract';
export { mintEdgeCredentials, signingKeyId, type EdgeCredentials } from './domain/edge-credentials';
export { createBenchmarkApis, createCallRecordBenchmark, type BenchmarkApis, type CallRecordBenchmark } from './benchmark';
export { createDialPlanBenchmark, type DialPlanBenchmark } from './domain/dial-plan/benchmark';
export { SIP_METHODS, type SipMethod } from './sip/methods';
export { ManualClock, type SipClock, type SipTimer } from './sip/clock';
export { SimulatedCarrier, type PortingCarrier, type CarrierOrder, type CarrierStatus } from './domain/porting/carrier';
