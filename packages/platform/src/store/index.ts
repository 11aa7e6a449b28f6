export type * from './types';
export { openSqliteStore, DATABASE_FILE, type SqliteStoreOptions } from './sqlite';
export { migrations, latestVersion, type Migration } from './migrations/index';
