import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { DirectoryChange, Store } from './types';

/**
 * The synchronous twin of an async store contract: what the better-sqlite3 collections implement.
 * Methods returning a Promise return its value; factories (`tenant`, `roles`, `endpoints`) return
 * the synchronous twin of their scope.
 */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R
    : T[K] extends (...args: infer A) => infer R
      ? (...args: A) => Synchronous<R>
      : T[K] extends object
        ? Synchronous<T[K]>
        : T[K];
};

export type SynchronousStore = Synchronous<Omit<Store, 'transaction' | 'onDirectoryChange'>>;

/** Methods that hand out a scope rather than query: their result is wrapped, not awaited. */
const SCOPE_FACTORIES = new Set(['tenant', 'roles', 'endpoints']);

/** Who holds the one connection: a transaction, or a single statement run between transactions. */
interface Holder {
  readonly id: number;
  /** Directory changes written so far, told to listeners once committed. */
  changes: DirectoryChange[];
}

/** How often commits by other connections are looked for (issue 9: a change reaches every node within 100 ms). */
export const OUTSIDE_WRITERS_CHECK_MS = 50;

const WRITES = new Set(['insert', 'update', 'delete', 'assign', 'route', 'release', 'set', 'getOrInsert', 'touch', 'shift', 'activateNumbers']);
/** Tenant-scope collections the SIP edge's directory holds. */
const DIRECTORY_COLLECTIONS = new Set(['extensions', 'dialRules', 'ringGroups', 'trunks', 'numbers', 'signingKey']);

/** Which directory rows a write changes, from where it was called: `path` is the collection, `tenantId` the scope's. */
function directoryChange(path: string, tenantId: string | undefined, method: string, args: unknown[]): DirectoryChange | undefined {
  if (tenantId !== undefined) {
    // An extension alone is reloaded alone: a tenant with thousands is not read again per change.
    if (path === 'extensions' && WRITES.has(method)) {
      return { kind: 'extension', tenantId, extensionId: method === 'insert' ? (args[0] as { id: string }).id : (args[0] as string) };
    }
    if ((DIRECTORY_COLLECTIONS.has(path) && WRITES.has(method)) || (path === 'portOrders' && method === 'activateNumbers')) return { kind: 'tenant', tenantId };
    return undefined;
  }
  if (path === 'tenants' && method === 'insert') return { kind: 'tenant', tenantId: (args[0] as { id: string }).id };
  if (path === 'tenants' && method === 'update') return { kind: 'tenant', tenantId: args[0] as string };
  // A reseller's status decides whether its tenants are in service.
  if (path === 'resellers' && method === 'update') return { kind: 'all' };
  // Only an assignment puts a number in a tenant's hands; deleting one is refused while it is assigned.
  if (path === 'numbers' && method === 'assign') return { kind: 'tenant', tenantId: (args[1] as { tenantId: string }).tenantId };
  return undefined;
}

/**
 * Turns the synchronous SQLite store into the async `Store` on its one connection.
 *
 * better-sqlite3's `db.transaction(fn)` cannot span an `await`, so a transaction here is BEGIN
 * IMMEDIATE … COMMIT/ROLLBACK around an async function, with the connection held by a mutex for
 * its whole length: anything else (another request's statement or transaction) waits its turn, so
 * it neither sees uncommitted rows nor lands inside a transaction that may still roll back. Code
 * inside the transaction is recognised through AsyncLocalStorage: its statements run at once, and
 * a nested `transaction()` joins the outer one. This is what Kysely's SQLite driver does with its
 * single connection too.
 */
export function asyncSqliteStore(db: Database.Database, sync: SynchronousStore): Store {
  const context = new AsyncLocalStorage<Holder>();
  let holder: Holder | undefined;
  const waiting: { holder: Holder; admit: () => void }[] = [];
  let nextId = 1;
  const listeners = new Set<(changes: readonly DirectoryChange[]) => Promise<void>>();
  // Commits by other connections to the same file (another process, an operator's tool) say
  // nothing of what they changed: PRAGMA data_version moves, and listeners reload everything.
  let outsideVersion: number | undefined;
  let outsideWatch: NodeJS.Timeout | undefined;
  const watchOutside = () => {
    outsideVersion = db.pragma('data_version', { simple: true }) as number;
    outsideWatch = setInterval(() => {
      if (!db.open) return;
      const version = db.pragma('data_version', { simple: true }) as number;
      if (version === outsideVersion) return;
      outsideVersion = version;
      void tell([{ kind: 'all' }]);
    }, OUTSIDE_WRITERS_CHECK_MS);
    outsideWatch.unref();
  };
  const tell = async (changes: readonly DirectoryChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await Promise.allSettled([...listeners].map((listener) => listener(changes)));
  };

  const acquire = (next: Holder): Promise<void> | undefined => {
    if (holder === undefined) {
      holder = next;
      return undefined;
    }
    return new Promise((admit) => waiting.push({ holder: next, admit }));
  };
  // The connection passes straight to the next in line, so no statement can slip in between.
  const release = (): void => {
    const next = waiting.shift();
    holder = next?.holder;
    next?.admit();
  };

  const run = <T>(statement: () => T, change: DirectoryChange | undefined): Promise<T> => {
    const inside = context.getStore();
    if (inside !== undefined && inside === holder) {
      // Inside our own transaction: at once; the change is told when it commits.
      try {
        const result = statement();
        if (change) inside.changes.push(change);
        return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    if (holder === undefined && !change) {
      // A free connection: no queueing, no extra tick.
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const self: Holder = { id: nextId++, changes: [] };
    const admitted = acquire(self);
    return (admitted ?? Promise.resolve()).then(async () => {
      let result: T;
      try {
        result = statement();
      } finally {
        release();
      }
      if (change) await tell([change]);
      return result;
    });
  };

  // Prepared once: db.exec() parses its SQL on every call.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  const transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
    const inside = context.getStore();
    if (inside !== undefined && inside === holder) return fn();
    const self: Holder = { id: nextId++, changes: [] };
    await acquire(self);
    const result = await context.run(self, async () => {
      try {
        begin.run();
      } catch (error) {
        release();
        throw error;
      }
      try {
        const result = await fn();
        commit.run();
        return result;
      } catch (error) {
        if (db.inTransaction) rollback.run();
        throw error;
      } finally {
        release();
      }
    });
    await tell(self.changes);
    return result;
  };

  const wrapped = new WeakMap<object, object>();
  /** `path` is the collection a method belongs to, `tenantId` the scope it came from. */
  const wrap = <T extends object>(target: T, path: string, tenantId: string | undefined): T => {
    const known = wrapped.get(target);
    if (known) return known as T;
    const methods = new Map<PropertyKey, unknown>();
    const proxy = new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key) as unknown;
        if (typeof value === 'function') {
          let method = methods.get(key);
          if (!method) {
            const fn = value as (...args: unknown[]) => unknown;
            const name = String(key);
            method =
              name === 'tenant'
                ? (scope: { tenantId: string }) => wrap(fn.call(object, scope) as object, '', scope.tenantId)
                : SCOPE_FACTORIES.has(name)
                  ? (...args: unknown[]) => wrap(fn.apply(object, args) as object, name, tenantId)
                  : (...args: unknown[]) => run(() => fn.apply(object, args), directoryChange(path, tenantId, name, args));
            methods.set(key, method);
          }
          return method;
        }
        if (value !== null && typeof value === 'object') return wrap(value, path === '' ? String(key) : path, tenantId);
        return value;
      },
    });
    wrapped.set(target, proxy);
    return proxy;
  };

  // A plain object of the wrapped members, so it can be spread and inspected like any other store.
  const top = wrap(sync, '', undefined) as unknown as Record<string, unknown>;
  const members = Object.fromEntries(Object.keys(sync).map((key) => [key, top[key]]));
  return Object.assign(members as unknown as Store, {
    transaction,
    onDirectoryChange(listener: (changes: readonly DirectoryChange[]) => Promise<void>) {
      listeners.add(listener);
      if (!outsideWatch) watchOutside();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          clearInterval(outsideWatch);
          outsideWatch = undefined;
        }
      };
    },
  });
}
