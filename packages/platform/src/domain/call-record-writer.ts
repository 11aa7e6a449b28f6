import { AsyncResource } from 'node:async_hooks';
import type { SipCallRecord } from './sip-directory-contract';

/** A write after `close()`: the platform is stopping and stores no more records. */
export class CallRecordWriterClosed extends Error {
  constructor() {
    super('the call record writer is closed');
    this.name = 'CallRecordWriterClosed';
  }
}

export interface CallRecordWriterOptions {
  /**
   * Records queued at most (waiting for the next transaction). A write that would pass it waits
   * until the running transaction has taken the queue, so a producer faster than the database is
   * slowed to its pace instead of growing the queue without bound.
   */
  maxQueued?: number | undefined;
  /** Records per transaction at most. */
  maxBatch?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

export const DEFAULT_MAX_QUEUED = 20_000;
export const DEFAULT_MAX_BATCH = 2_000;

/** One `write` call: settled once every record of it is stored (or failed). */
interface Ticket {
  left: number;
  error: unknown;
  resolve(): void;
  reject(error: unknown): void;
}

interface Queued {
  record: SipCallRecord;
  ticket: Ticket;
}

function settle(ticket: Ticket, error?: unknown): void {
  if (error !== undefined && ticket.error === undefined) ticket.error = error;
  if (--ticket.left > 0) return;
  if (ticket.error === undefined) ticket.resolve();
  else ticket.reject(ticket.error);
}

/**
 * Group commit for call records: records handed in during one event-loop turn, and every record
 * handed in while a transaction is committing, go into the next transaction together. An idle
 * platform writes a record on the next turn (as the edge always did); a busy one pays one commit
 * (one fsync on SQLite) per batch instead of one per record, so the rate follows the load.
 *
 * `write` resolves once its records are committed (durable as the store's commits are), which is
 * when the Kamailio edge's POST is answered. A failing batch is written again record by record, so
 * one bad record (its tenant deleted meanwhile) fails alone. `flush` writes what is queued now;
 * `close` refuses new writes and writes everything queued or waiting, so a clean stop loses nothing.
 */
export class CallRecordWriter {
  readonly #store: (records: readonly SipCallRecord[]) => Promise<void>;
  readonly #maxQueued: number;
  readonly #maxBatch: number;
  readonly #log: (line: string) => void;
  #queue: Queued[] = [];
  /** Writes waiting for room in the queue, oldest first. */
  readonly #waiting: (() => void)[] = [];
  #draining: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;
  /**
   * Transactions run in the async context the writer was made in, never in the context of the
   * first record's caller: a caller inside a store transaction must not have the batch join it.
   */
  readonly #inOwnContext: <T>(fn: () => T) => T;

  constructor(store: (records: readonly SipCallRecord[]) => Promise<void>, options: CallRecordWriterOptions = {}) {
    this.#store = store;
    this.#maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#log = options.log ?? (() => {});
    const resource = new AsyncResource('CallRecordWriter');
    this.#inOwnContext = (fn) => resource.runInAsyncScope(fn);
  }

  /** Records queued and not yet in a transaction. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Stores `records`; resolves once they are committed, rejects with the first record's failure. */
  write(records: readonly SipCallRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new CallRecordWriterClosed());
    return this.#enqueue(records);
  }

  /** Writes everything queued (or waiting for room) now; resolves when it is committed. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#waiting.length > 0 || this.#draining) {
      await this.#drain();
      // Writes let in by the last batch enqueue in a microtask; give them that turn.
      await Promise.resolve();
    }
  }

  /** Refuses new writes, then writes every queued and waiting record. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #enqueue(records: readonly SipCallRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    // A write bigger than the whole queue goes in alone rather than waiting forever.
    if (this.#queue.length > 0 && this.#queue.length + records.length > this.#maxQueued) {
      return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#enqueue(records));
    }
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { left: records.length, error: undefined, resolve, reject };
      for (const record of records) this.#queue.push({ record, ticket });
      this.#schedule();
    });
  }

  /** The next turn starts a transaction, unless one is running: it takes the queue when it ends. */
  #schedule(): void {
    if (this.#scheduled || this.#draining) return;
    this.#scheduled = true;
    this.#inOwnContext(() =>
      setImmediate(() => {
        this.#scheduled = false;
        void this.#drain();
      }),
    );
  }

  #drain(): Promise<void> {
    this.#draining ??= this.#inOwnContext(async () => {
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.splice(0, this.#maxBatch);
          // Room again: waiting writes join the queue while this batch commits.
          for (const letIn of this.#waiting.splice(0)) letIn();
          await this.#commit(batch);
        }
      } finally {
        this.#draining = undefined;
      }
    });
    return this.#draining;
  }

  async #commit(batch: readonly Queued[]): Promise<void> {
    try {
      await this.#store(batch.map((q) => q.record));
      for (const q of batch) settle(q.ticket);
      return;
    } catch {
      // Below: each record alone, so only the bad ones fail.
    }
    for (const q of batch) {
      try {
        await this.#store([q.record]);
        settle(q.ticket);
      } catch (error) {
        this.#log(`sip: call record ${q.record.callId} of ${q.record.tenantId} not stored: ${error instanceof Error ? error.message : String(error)}`);
        settle(q.ticket, error);
      }
    }
  }
}
