import { sql, type KyselyPlugin, type DeleteQueryBuilder, type DeleteResult, type InsertQueryBuilder, type InsertResult, type Kysely, type SelectQueryBuilder, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { DirectoryChange } from '../async-types';
import type { Database, NewRow, TableName, TenantTable } from '../db/tables';
import type { StoreContext } from './context';
import { TenantScope } from '../tenant-scope';
import { insertRows } from './bulk-insert';
import type { ExtensionRow } from '../types';

/** Tables without a `tenant_id`: platform rows, and rows reached only through a tenant-owned parent. */
export type SharedTable = Exclude<TableName, TenantTable>;
export type SharedDatabase = Pick<Database, SharedTable>;

/** A tenant-owned row as the tenant writes it: `tenant_id` is the helper's to fill in. */
export type TenantNewRow<T extends TenantTable> = Omit<NewRow<T>, 'tenant_id'>;

/**
 * The one way a tenant scope reaches tenant-owned tables. Every query it starts already carries
 * `<table>.tenant_id = <this tenant>` (an insert carries the tenant id), and the collections of a
 * tenant scope are handed this object, not a Kysely: a query on a tenant-owned table without the
 * predicate does not type-check there. The platform-wide collections, which do cross tenants (the
 * carrier loop, the provider's audit log), use the full Kysely, by name (`system`).
 */
export interface TenantDb {
  readonly tenantId: string;
  selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Database, T, {}>;
  updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Database, T, T, UpdateResult>;
  deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Database, T, DeleteResult>;
  /** One extension's row (`WHERE id = extensionId` already applied): reported as that extension's change, not the tenant's. */
  updateExtension(extensionId: string): UpdateQueryBuilder<Database, 'extensions', 'extensions', UpdateResult>;
  deleteExtension(extensionId: string): DeleteQueryBuilder<Database, 'extensions', DeleteResult>;
  insertInto<T extends TenantTable>(table: T, rows: TenantNewRow<T> | readonly TenantNewRow<T>[]): InsertQueryBuilder<Database, T, InsertResult>;
  /** Many rows at once in the current transaction, past Kysely's builder (bulk-insert.ts); tenant_id is added here too. */
  insertRows<T extends TenantTable>(table: T, rows: readonly TenantNewRow<T>[]): Promise<void>;
  /** The tenant's own row (its dial plan revision lives there). */
  selectOwnTenant(): SelectQueryBuilder<Database, 'tenants', {}>;
  updateOwnTenant(): UpdateQueryBuilder<Database, 'tenants', 'tenants', UpdateResult>;
  /** Tables without a tenant column (webhook deliveries and attempts), reached after an ownership check. */
  shared(): Kysely<SharedDatabase>;
}

/**
 * Tenant tables the SIP edge's directory holds (with the tenant row itself): a write to them
 * through the helper is a directory change of this tenant, which reloads the tenant's whole
 * directory entry.
 */
const DIRECTORY_TABLES: ReadonlySet<TableName> = new Set(['extensions', 'dial_rules', 'ring_groups', 'trunks', 'numbers', 'tenant_signing_keys', 'tenants']);

/**
 * Up to this many extensions written at once are reported one by one (each reloads one row);
 * more, and the tenant reloads once. A tenant's reload reads all its extensions, so reporting every
 * single-extension write as the tenant's made provisioning n extensions cost n² row reads.
 */
const EXTENSION_CHANGES_MAX = 50;

/** Tells the store, once a write has run, what it changed in the directory. */
function directoryWrites(ctx: StoreContext, changes: () => readonly DirectoryChange[]): KyselyPlugin {
  return {
    transformQuery: (args) => args.node,
    async transformResult(args) {
      for (const change of changes()) await ctx.directoryChanged(change);
      return args.result;
    },
  };
}

/** An extension row as written by this scope, for the directory (the scope's tenant id, not the row's). */
const extensionRowOf = (tenantId: string, r: TenantNewRow<'extensions'>): ExtensionRow => ({
  id: r.id,
  tenantId,
  number: r.number,
  displayName: r.display_name,
  ha1: r.ha1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The tenant id of a real scope; anything else (a string, a look-alike object) is refused. */
export function scopedTenantId(scope: TenantScope): string {
  if (!TenantScope.isScope(scope)) throw new TypeError('the store takes a TenantScope from the access check or a system scope, not a tenant id');
  return scope.tenantId;
}

/**
 * The query helper of one scope. The scope is checked at run time too (a JavaScript caller, or an
 * `as any`, could hand anything in): a forged one is refused before any query is built.
 */
export function tenantDb(ctx: StoreContext, scope: TenantScope): TenantDb {
  const tenantId = scopedTenantId(scope);
  const owned = (table: TenantTable) => sql.ref(`${table}.tenant_id`);
  const tenantChange = [{ kind: 'tenant', tenantId }] as const;
  const directoryPlugin = directoryWrites(ctx, () => tenantChange);
  /** The connection to write `table` with: one that reports directory changes where they are. */
  const writer = (table: TableName) => (DIRECTORY_TABLES.has(table) ? ctx.db().withPlugin(directoryPlugin) : ctx.db());
  const extensionWriter = (ids: readonly string[]) =>
    ids.length > EXTENSION_CHANGES_MAX ? writer('extensions') : ctx.db().withPlugin(directoryWrites(ctx, () => ids.map((extensionId) => ({ kind: 'extension', tenantId, extensionId }))));
  // The casts below only restore the table parameter Kysely widens for a generic table name; the
  // predicate itself is built here, once.
  return {
    tenantId,
    selectFrom<T extends TenantTable>(table: T) {
      return ctx.db().selectFrom(table as TenantTable).where(owned(table), '=', tenantId) as unknown as SelectQueryBuilder<Database, T, {}>;
    },
    updateTable<T extends TenantTable>(table: T) {
      return writer(table).updateTable(table as TenantTable).where(owned(table), '=', tenantId) as unknown as UpdateQueryBuilder<Database, T, T, UpdateResult>;
    },
    deleteFrom<T extends TenantTable>(table: T) {
      return writer(table).deleteFrom(table as TenantTable).where(owned(table), '=', tenantId) as unknown as DeleteQueryBuilder<Database, T, DeleteResult>;
    },
    insertInto<T extends TenantTable>(table: T, rows: TenantNewRow<T> | readonly TenantNewRow<T>[]) {
      const list = (Array.isArray(rows) ? rows : [rows]) as readonly TenantNewRow<T>[];
      const values = list.map((row) => ({ ...row, tenant_id: tenantId }));
      const db = table === 'extensions' ? extensionWriter(list.map((row) => (row as TenantNewRow<'extensions'>).id)) : writer(table);
      return db.insertInto(table).values(values as never) as unknown as InsertQueryBuilder<Database, T, InsertResult>;
    },
    updateExtension: (extensionId) => extensionWriter([extensionId]).updateTable('extensions').where('extensions.tenant_id', '=', tenantId).where('extensions.id', '=', extensionId),
    deleteExtension: (extensionId) => extensionWriter([extensionId]).deleteFrom('extensions').where('extensions.tenant_id', '=', tenantId).where('extensions.id', '=', extensionId),
    async insertRows<T extends TenantTable>(table: T, rows: readonly TenantNewRow<T>[]) {
      if (rows.length === 0) return;
      // The rows and the news of them commit together (the caller's transaction, or one of their own).
      await ctx.transaction(async () => {
        // tenant_id is this scope's, for every row, whatever a row says.
        await insertRows(ctx, table, rows as readonly Record<string, unknown>[], { tenant_id: tenantId });
        if (table === 'extensions') await ctx.directoryChanged({ kind: 'extensions', tenantId, rows: (rows as readonly TenantNewRow<'extensions'>[]).map((row) => extensionRowOf(tenantId, row)) });
        else if (DIRECTORY_TABLES.has(table)) await ctx.directoryChanged({ kind: 'tenant', tenantId });
      });
    },
    selectOwnTenant: () => ctx.db().selectFrom('tenants').where('tenants.id', '=', tenantId),
    updateOwnTenant: () => writer('tenants').updateTable('tenants').where('tenants.id', '=', tenantId),
    shared: () => sharedDb(ctx),
  };
}

/** The same connection, typed down to the tables without a tenant column. */
export const sharedDb = (ctx: StoreContext): Kysely<SharedDatabase> => ctx.db() as unknown as Kysely<SharedDatabase>;
