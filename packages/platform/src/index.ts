export { startPlatform } from './start';
export type { Platform, PlatformOptions } from './options';
export { routeTable } from './http/routes/index';
export type { RouteDef, Scope, HttpMethod } from './http/route';
export { buildOpenApi } from './http/openapi';
export { openSqliteStore, migrations, latestVersion, DATABASE_FILE } from './store/index';
export type * from './store/types';
export type { SqliteStoreOptions, Migration } from './store/index';
export type { SipDirectory, SipTenant, SipUser, SoftphoneTokenClaims, TokenCheck } from './sip/directory';
