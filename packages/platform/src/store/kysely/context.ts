import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DeleteQueryNode,
  InsertQueryNode,
  sql,
  UpdateQueryNode,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { DirectoryChange } from '../async-types';
import type { Connection } from '../db/connect';
import type { Database } from '../db/tables';

/** What every collection runs its queries through. */
export interface StoreContext {
  readonly conn: Connection;
  /** The current transaction when inside `transaction`, else the connection. */
  db(): Kysely<Database>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  inTransaction(): boolean;
  /**
   * Records that a write changed directory rows: told to listeners once committed (at once for a
   * write outside a transaction, which resolves only after they heard it).
   */
  directoryChanged(change: DirectoryChange): Promise<void>;
  /**
   * Runs `fn` so that a failing statement in it undoes only `fn`'s work and the surrounding
   * transaction goes on (PostgreSQL otherwise aborts the whole transaction on any error).
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /** Counts a write made past Kysely's builder (bulk-insert.ts), so the commit hooks fire for it. */
  noteWrite(): void;
}

interface Frame {
  tx: Kysely<Database>;
  /** Whether anything was written: a commit then tells the other nodes. */
  wrote: boolean;
  savepoints: number;
  changes: DirectoryChange[];
}

/**
 * Transactions over AsyncLocalStorage: `transaction(fn)` opens one Kysely transaction and every
 * store call made while `fn` runs (however deep) uses it; a nested `transaction` joins it.
 * `onCommit` is called after every committed write, whether in a transaction or on its own; inside a
 * transaction `beforeCommit` runs last, in it (PostgreSQL's NOTIFY is delivered only on commit).
 */
export function createContext(
  conn: Connection,
  hooks: {
    onCommit(how: 'transaction' | 'statement'): void;
    beforeCommit?: ((tx: Kysely<Database>, changes: readonly DirectoryChange[]) => Promise<void>) | undefined;
    /** Committed directory changes of this store; awaited before the write resolves. */
    directoryCommitted(changes: readonly DirectoryChange[], how: 'transaction' | 'statement'): Promise<void>;
  },
): StoreContext {
  const frames = new AsyncLocalStorage<Frame>();
  const writes = new WeakSet<object>();
  const tracker: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node;
      if (InsertQueryNode.is(node) || UpdateQueryNode.is(node) || DeleteQueryNode.is(node)) writes.add(args.queryId);
      return node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (writes.has(args.queryId)) {
        const frame = frames.getStore();
        if (frame) frame.wrote = true;
        else hooks.onCommit('statement');
      }
      return args.result;
    },
  };
  const root = conn.db.withPlugin(tracker);

  const db = () => frames.getStore()?.tx ?? root;

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (frames.getStore()) return fn();
    let committed: Frame | undefined;
    const result = await root.transaction().execute(async (tx) => {
      const frame: Frame = { tx, wrote: false, savepoints: 0, changes: [] };
      const value = await frames.run(frame, fn);
      if (frame.wrote && hooks.beforeCommit) await hooks.beforeCommit(tx, distinct(frame.changes));
      committed = frame;
      return value;
    });
    if (committed?.wrote) hooks.onCommit('transaction');
    if (committed && committed.changes.length > 0) await hooks.directoryCommitted(distinct(committed.changes), 'transaction');
    return result;
  }

  async function savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const frame = frames.getStore();
    if (!frame) return transaction(fn);
    const name = sql.id(`sp_${++frame.savepoints}`);
    await sql`SAVEPOINT ${name}`.execute(frame.tx);
    try {
      const value = await fn();
      await sql`RELEASE SAVEPOINT ${name}`.execute(frame.tx);
      return value;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(frame.tx);
      await sql`RELEASE SAVEPOINT ${name}`.execute(frame.tx);
      throw error;
    }
  }

  async function directoryChanged(change: DirectoryChange): Promise<void> {
    const frame = frames.getStore();
    if (frame) frame.changes.push(change);
    else await hooks.directoryCommitted([change], 'statement');
  }

  function noteWrite(): void {
    const frame = frames.getStore();
    if (frame) frame.wrote = true;
    else hooks.onCommit('statement');
  }

  return { conn, db, transaction, savepoint, inTransaction: () => frames.getStore() !== undefined, directoryChanged, noteWrite };
}

/**
 * Each change once; `all` covers every other, and a tenant's change covers its extensions'. New
 * extensions of one tenant told in several parts come out as one change with all their rows.
 */
function distinct(changes: readonly DirectoryChange[]): DirectoryChange[] {
  const kept = new Map<string, DirectoryChange>();
  for (const c of changes) {
    if (c.kind === 'all') return [c];
    if (c.kind === 'extensions') {
      const earlier = kept.get(`x ${c.tenantId}`);
      kept.set(`x ${c.tenantId}`, earlier?.kind === 'extensions' ? { ...c, rows: [...earlier.rows, ...c.rows] } : c);
    } else kept.set(c.kind === 'tenant' ? `t ${c.tenantId}` : `e ${c.tenantId} ${c.extensionId}`, c);
  }
  const tenants = new Set([...kept.values()].flatMap((c) => (c.kind === 'tenant' ? [c.tenantId] : [])));
  return [...kept.values()].filter((c) => (c.kind !== 'extension' && c.kind !== 'extensions') || !tenants.has(c.tenantId));
}

/** A unique-key violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
