import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Store } from './types';

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

export type SynchronousStore = Synchronous<Omit<Store, 'transaction'>>;

/** Methods that hand out a scope rather than query: their result is wrapped, not awaited. */
const SCOPE_FACTORIES = new Set(['tenant', 'roles', 'endpoints']);

/** Who holds the one connection: a transaction, or a single statement run between transactions. */
interface Holder {
  readonly id: number;
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

  const run = <T>(statement: () => T): Promise<T> => {
    const inside = context.getStore();
    // Free connection, or our own transaction's: no queueing, no extra tick.
    if (holder === undefined || (inside !== undefined && inside === holder)) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const self: Holder = { id: nextId++ };
    const admitted = acquire(self);
    return (admitted ?? Promise.resolve()).then(() => {
      try {
        return statement();
      } finally {
        release();
      }
    });
  };

  const transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
    const inside = context.getStore();
    if (inside !== undefined && inside === holder) return fn();
    const self: Holder = { id: nextId++ };
    await acquire(self);
    return context.run(self, async () => {
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        release();
        throw error;
      }
      try {
        const result = await fn();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      } finally {
        release();
      }
    });
  };

  const wrapped = new WeakMap<object, object>();
  const wrap = <T extends object>(target: T): T => {
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
            method = SCOPE_FACTORIES.has(String(key))
              ? (...args: unknown[]) => wrap(fn.apply(object, args) as object)
              : (...args: unknown[]) => run(() => fn.apply(object, args));
            methods.set(key, method);
          }
          return method;
        }
        if (value !== null && typeof value === 'object') return wrap(value);
        return value;
      },
    });
    wrapped.set(target, proxy);
    return proxy;
  };

  const store = wrap(sync) as unknown as Store;
  return Object.assign(Object.create(store) as Store, { transaction });
}
