import { sql } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { TableName } from '../db/tables';
import type { StoreContext } from './context';

/** Columns that are not text, by table, for PostgreSQL's typed arrays (a bulk insert names its types). */
const PG_COLUMN_TYPES: Partial<Record<TableName, Record<string, 'integer'>>> = {
  audit_events: { chain_seq: 'integer' },
  webhook_deliveries: { attempt_count: 'integer' },
};

const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function sqliteStatement(db: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = db.prepare(text)));
  return statement;
}

/**
 * Inserts rows (all with the same keys, the table's column names) into `table` in the current
 * transaction, past Kysely's builder: for a batch of a thousand rows of up to fifteen columns, the
 * builder's parsing and compiling of every value cost more than the database's own work. The SQL is
 * the same for every batch of a table:
 * - SQLite: one prepared single-row INSERT run per row on the store's one connection, which the
 *   transaction holds (as fast as better-sqlite3 inserts at all);
 * - PostgreSQL: `INSERT … SELECT * FROM unnest($1::text[], …)`, one statement and one round trip
 *   for the whole batch, whatever its size, with no bound-parameter limit to chunk around.
 * Writes made here are reported to the store's commit hooks like any other (`noteWrite`). Callers
 * are the store's collections; a tenant's goes through TenantDb.insertRows, which adds tenant_id.
 */
export async function insertRows(ctx: StoreContext, table: TableName, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  if (!ctx.inTransaction()) return ctx.transaction(() => insertRows(ctx, table, rows));
  const columns = Object.keys(rows[0]!);
  const { conn } = ctx;
  if (conn.dialect === 'sqlite') {
    const statement = sqliteStatement(conn.sqlite, `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const row of rows) statement.run(columns.map((column) => row[column] ?? null));
  } else {
    const types = PG_COLUMN_TYPES[table] ?? {};
    const arrays = columns.map((column) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(types[column] ?? 'text')}[]`);
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(ctx.db());
  }
  ctx.noteWrite();
}
