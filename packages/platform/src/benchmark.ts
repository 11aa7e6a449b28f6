import { join } from 'node:path';
import { resolveApiKey } from './domain/api-keys';
import { DEFAULT_AUDIT_KEY_FILE, loadAuditKeyFile } from './domain/audit-key';
import type { DomainContext } from './domain/context';
import { loadPlatformSecret } from './domain/softphone-tokens';
import { openKyselyStore } from './store/kysely/index';
import { createApp } from './http/app';
import type { AppServices } from './http/route';
import { routeTable } from './http/routes/index';
import type { SipCallEnded } from '@highrise/sdk/schemas';
import { CallRecordWriter } from './domain/call-record-writer';
import { storeCallRecords } from './domain/calls';
import type { SipCallRecord } from './domain/sip-directory-contract';
import { createSipDirectory } from './domain/sip-directory';
import { SipDirectoryCache } from './domain/sip-directory-cache';
import { recordEdgeCall } from './domain/sip-route-decision';

export interface BenchmarkApis {
  /** The API exactly as served: authentication, tenant gate and permission check on every request. */
  guarded(request: Request): Promise<Response>;
  /** The same routes over the same store, acting as the key's principal with those three steps skipped. */
  unguarded(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Two in-process copies of the API over one store (one connection, one statement cache), for
 * measuring what authentication, permission check and tenant scoping cost per request
 * (bench/auth-overhead.mjs). The unguarded copy exists only in the calling process; no server,
 * option or header can produce it.
 */
export async function createBenchmarkApis(options: { dataDir: string; apiKey: string; databaseUrl?: string | undefined }): Promise<BenchmarkApis> {
  // The store the platform runs on: SQLite in dataDir, or PostgreSQL at databaseUrl (a small pool, as served).
  const store = await openKyselyStore(options.databaseUrl === undefined ? { sqlite: { dataDir: options.dataDir } } : { postgres: { url: options.databaseUrl, poolSize: 4 } });
  const auditKey = loadAuditKeyFile(join(options.dataDir, DEFAULT_AUDIT_KEY_FILE), () => {});
  const domain: DomainContext = { store, baseSipDomain: 'sip.localhost', now: () => new Date(), auditKey };
  const outcome = await resolveApiKey(domain, options.apiKey);
  if (!outcome.ok) {
    await store.close();
    throw new Error(`the benchmark key is not valid (${outcome.reason})`);
  }
  const services: AppServices = {
    domain,
    secret: await loadPlatformSecret(store),
    softphoneEdge: async () => ({ wsUrls: ['ws://127.0.0.1:0/sip'] }),
    iceServers: [],
    openapi: () => ({}),
    liveCounters: () => ({ channels: 0, registrations: 0, messages: 0, messagesWindowStartedAt: new Date() }),
  };
  const guarded = createApp({ services, routes: routeTable });
  const unguarded = createApp({ services, routes: routeTable, unguardedPrincipal: outcome.principal });
  // What the Node adapter hands every request in production: the socket, so the source address is read
  // the way it is when served (without it Hono's getConnInfo throws, and the throw would dominate).
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1', remotePort: 40000, remoteFamily: 'IPv4' } } };
  return {
    guarded: async (request) => guarded.fetch(request, env),
    unguarded: async (request) => unguarded.fetch(request, env),
    close: async () => store.close(),
  };
}

export interface CallRecordBenchmark {
  /** What the embedded SIP edge does when calls end: hands their records to the directory (fire and forget). */
  edgeEnded(records: readonly SipCallRecord[]): void;
  /** What `POST /internal/sip/call-record` does for Kamailio, past authentication: resolves once the record is committed. */
  kamailioEnded(event: SipCallEnded): Promise<boolean>;
  /** Resolves once every record handed in so far is committed. */
  flush(): Promise<void>;
  /** The record count of each transaction the writer ran since the last call (so a baseline can use the same). */
  takeBatchSizes(): number[];
  close(): Promise<void>;
}

/**
 * The platform's call record path, in process, for bench/analytics.mjs: the same directory, writer
 * and store the platform makes in start.ts, over the platform's own data dir (or PostgreSQL).
 */
export async function createCallRecordBenchmark(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<CallRecordBenchmark> {
  const store = await openKyselyStore(options.databaseUrl === undefined ? { sqlite: { dataDir: options.dataDir } } : { postgres: { url: options.databaseUrl, poolSize: 4 } });
  const auditKey = loadAuditKeyFile(join(options.dataDir, DEFAULT_AUDIT_KEY_FILE), () => {});
  const domain: DomainContext = { store, baseSipDomain: 'sip.localhost', now: () => new Date(), auditKey };
  const log = (line: string) => console.error(line);
  const cache = new SipDirectoryCache(store);
  await cache.start();
  let sizes: number[] = [];
  const writer = new CallRecordWriter(
    (records) => {
      sizes.push(records.length);
      return storeCallRecords(domain, records);
    },
    { log },
  );
  const directory = createSipDirectory(domain, await loadPlatformSecret(store), cache, log, writer);
  return {
    edgeEnded: (records) => directory.recordCalls(records),
    kamailioEnded: (event) => recordEdgeCall(directory, (records) => writer.write(records), event),
    flush: () => writer.flush(),
    takeBatchSizes: () => {
      const taken = sizes;
      sizes = [];
      return taken;
    },
    close: async () => {
      await writer.close();
      cache.stop();
      await store.close();
    },
  };
}
