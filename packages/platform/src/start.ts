import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { ensureBootstrapKey } from './domain/api-keys';
import { rekeyLegacyAuditChains } from './domain/audit';
import { auditKeyFrom, DEFAULT_AUDIT_KEY_FILE, loadAuditKeyFile, type AuditKey } from './domain/audit-key';
import { newApiKeySecret } from './domain/secrets';
import type { DomainContext } from './domain/context';
import { startIdempotencyPurge } from './domain/idempotency';
import { startKamailioOutboxDrain } from './domain/kamailio-outbox';
import { startWebhookDelivery } from './domain/webhook-delivery';
import { startTenantPurge } from './domain/tenant-purge';
import { DEFAULT_RETENTION_DAYS } from './domain/tenant-lifecycle';
import { webhookRules } from './domain/webhooks';
import { presentEventData } from './http/present-webhooks';
import { SimulatedCarrier } from './domain/porting/carrier';
import { startPortingAutomation } from './domain/porting/automation';
import { DEFAULT_STORAGE_LIMIT_BYTES } from './domain/porting/documents';
import type { PortingRuntime } from './domain/porting/runtime';
import { createSipDirectory } from './domain/sip-directory';
import { isTurnUrl } from './domain/turn-credentials';
import { checkKamailioEdgeOptions, ensureEphemeralSecret, softphoneEdgeSource } from './domain/softphone-edge';
import { decideSipRoute, edgeSecretReader, recordEdgeCall } from './domain/sip-route-decision';
import { CallRecordWriter } from './domain/call-record-writer';
import { UsageCounter } from './domain/usage-counter';
import { storeCallRecords } from './domain/calls';
import { SipDirectoryCache } from './domain/sip-directory-cache';
import { CredentialChanges } from './domain/credential-changes';
import { loadPlatformSecret } from './domain/softphone-tokens';
import { AuthFailureLimiter } from './domain/auth-failures';
import { createApp } from './http/app';
import { withSipRouteFastPath, type SipRoutingService } from './http/internal-sip-route';
import { locateConsole, withConsole } from './console-assets';
import { trustedProxies } from './http/client-address';
import { buildOpenApi } from './http/openapi';
import { routeTable } from './http/routes/index';
import { LATEST_VERSION } from './http/version';
import type { Platform, PlatformOptions } from './options';
import { attachSipEdge, type SipEdge } from './sip/edge';
import { openKyselyStore } from './store/kysely/index';
import type { Store } from './store/types';
import { createOperatorMetrics } from './http/metrics';
import { portOrdersByStatus, webhookAttempts, webhookDeliveriesByStatus } from './domain/operator-figures';

const SIP_PATH = '/sip';

/** Where clients reach a server bound to `host`: a wildcard bind is reached through loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function resolveAuditKey(options: PlatformOptions, log: (line: string) => void): AuditKey {
  if (options.audit?.key !== undefined) return auditKeyFrom(options.audit.key);
  return loadAuditKeyFile(options.audit?.keyFile ?? join(options.dataDir ?? '.highrise', DEFAULT_AUDIT_KEY_FILE), log);
}

/**
 * PostgreSQL (several nodes may share it) through the Kysely store, migrated under the migration lock
 * and refused when migrated past the versions this release knows (SchemaTooNewError); otherwise the
 * embedded SQLite file under the data dir.
 */
async function openStore(options: PlatformOptions): Promise<Store> {
  if (options.databaseUrl === undefined) return openKyselyStore({ sqlite: { dataDir: options.dataDir ?? '.highrise' } });
  return openKyselyStore({ postgres: { url: options.databaseUrl, poolSize: options.databasePoolSize } });
}

/**
 * Kamailio's views (migration 0012) build each tenant's SIP domain from the `sip_base_domain`
 * setting, so it must be the domain the platform hands out. Written when absent; a database whose
 * tenants already register under another base domain is refused, not silently re-homed (nodes on one
 * database started with different --sip-domain would otherwise disagree about every tenant's domain).
 */
export const SIP_BASE_DOMAIN_SETTING = 'sip_base_domain';

async function recordSipBaseDomain(store: Store, baseSipDomain: string): Promise<void> {
  const stored = await store.settings.getOrInsert(SIP_BASE_DOMAIN_SETTING, baseSipDomain);
  if (stored !== baseSipDomain) {
    throw new Error(`this database's tenants register under <slug>.${stored}, not <slug>.${baseSipDomain}; start with --sip-domain ${stored}`);
  }
}

/** The retention of deleted tenants, checked before anything starts (0 purges at the next tick). */
function retentionDays(options: PlatformOptions): number {
  const days = options.tenants?.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isFinite(days) || days < 0 || days > 3650) throw new Error('the tenant retention must be between 0 and 3650 days');
  return days;
}

/**
 * Starts the whole platform in this process: store (migrated), HTTP API, static site and SIP edge,
 * all on one port. `close()` stops them in reverse order.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  // A mistyped proxy list is refused before anything starts.
  trustedProxies(options.trustProxy);
  const baseSipDomain = (options.sipDomain ?? 'sip.localhost').toLowerCase();
  if (options.turn) {
    // coturn accepts any secret; a short one would let credentials be guessed.
    if (options.turn.secret.length < 16) throw new Error('turn.secret must be at least 16 characters');
    if (options.turn.urls.length === 0 || !options.turn.urls.every(isTurnUrl)) throw new Error(`turn.urls must be turn: or turns: URLs, not ${JSON.stringify(options.turn.urls)}`);
  }
  checkKamailioEdgeOptions(options.kamailio, options.databaseUrl);
  const store = await openStore(options);
  const shared = options.databaseUrl !== undefined;
  try {
    if (options.databaseUrl !== undefined) {
      await recordSipBaseDomain(store, baseSipDomain);
      if (options.kamailio?.wsUrls) await ensureEphemeralSecret(store);
      // Several nodes may share this database; the API and background work are shared, the SIP edge is not.
      log(
        'on PostgreSQL: other nodes may share this database. The HTTP API, webhooks, porting and cleanup are shared (leased); ' +
          'the embedded SIP edge is single-node until the Kamailio edge: each node knows only its own SIP sockets, so send all SIP (/sip) to one node',
      );
    }
    const domain: DomainContext = {
      store,
      baseSipDomain,
      now: () => new Date(),
      auditKey: resolveAuditKey(options, log),
      presentEvent: presentEventData,
      // The SIP edge hears of revoked credentials and suspended tenants through this (attached below).
      credentialChanges: new CredentialChanges(),
      // Only the default for tenants created from now on; each tenant's own limit is `limits.storageBytes`.
      defaultStorageBytes: options.porting?.storageLimitBytes ?? DEFAULT_STORAGE_LIMIT_BYTES,
      // Several nodes may share PostgreSQL: their rate windows are counted there, not per process.
      webhooks: webhookRules(options.webhooks, shared ? store.leases.rates : undefined),
      tenantRetentionDays: retentionDays(options),
    };
    if (options.webhooks?.allowPrivateDestinations) log('webhooks may be sent to loopback and private addresses (--allow-private-webhooks): not for a shared deployment');
    // Before anything appends: the first keyed event would mark the database as re-keyed.
    const rekeyed = await rekeyLegacyAuditChains(domain);
    if (rekeyed > 0) log(`re-keyed ${rekeyed} audit events written before the chain was keyed (key ${domain.auditKey.id})`);
    if (options.bootstrapKey !== undefined) {
      if (!/^\S{8,}$/.test(options.bootstrapKey)) throw new Error('the bootstrap key must be at least 8 characters without spaces');
      if (await ensureBootstrapKey(domain, options.bootstrapKey)) log('stored the bootstrap key as the provider owner key');
    } else {
      // Without any provider key nobody could ever create a tenant; make one and say it once.
      const generated = newApiKeySecret();
      if (await ensureBootstrapKey(domain, generated)) log(`no bootstrap key given; the provider owner key is ${generated} (shown this once)`);
    }
    const secret = await loadPlatformSecret(store);
    // The edge answers REGISTER and INVITE from memory; the cache follows every committed change.
    const directoryCache = new SipDirectoryCache(store);
    await directoryCache.start();
    // Stored first responses hold (sealed) one-time secrets; keep none past their 24 h retention.
    const stopIdempotencyPurge = startIdempotencyPurge(domain);
    // Call records a Kamailio edge writes to its outbox table, drained every 250 ms (the table is PostgreSQL's only).
    const held = (tenantId: string) => {
      const tenant = directoryCache.tenant(tenantId)?.tenant;
      return tenant !== undefined && !tenant.deletedAt;
    };
    const stopKamailioOutbox = shared ? startKamailioOutboxDrain(domain, log, options.kamailio?.outboxIntervalMs, held) : () => {};
    // No carrier unless one is configured: the simulated one would port any number to anyone.
    const configured = options.porting?.carrier;
    const portingCarrier = configured === 'simulated' ? new SimulatedCarrier({ stepSeconds: options.porting?.stepSeconds }) : configured;
    if (configured === 'simulated') log('porting: the simulated carrier completes every submitted order by itself; for demos and tests only');
    const porting: PortingRuntime = {
      dataDir: options.dataDir ?? '.highrise',
      carrier: portingCarrier,
      log,
    };
    const portingAutomation = startPortingAutomation(domain, {
      carrier: portingCarrier,
      tickMs: options.porting?.tickMs,
      draftExpiryDays: options.porting?.draftExpiryDays,
      leaseMs: options.porting?.leaseMs,
      log,
    });
    // Queued webhook deliveries (including ones cut off by a crash) resume as soon as the store is open.
    const webhookDelivery = startWebhookDelivery(domain, options.webhooks, log);
    // Deleted tenants whose retention ended lose their data (and their porting documents' files).
    const tenantPurge = startTenantPurge(domain, { dataDir: porting.dataDir, intervalMs: options.tenants?.purgeIntervalMs, log });

    let wsUrl = '';
    // Known once the server listens, before any request can ask for the document.
    let publicUrl = '';
    let edge: SipEdge | undefined;
    let openapi: unknown;
    const metrics =
      options.metricsToken === undefined
        ? undefined
        : createOperatorMetrics(options.metricsToken, {
            sip: () => edge?.stats() ?? { connections: 0, registrations: 0, activeCalls: 0 },
            sipTraffic: () => edge?.traffic() ?? [],
            portOrdersByStatus: () => portOrdersByStatus(domain),
            webhookDeliveriesByStatus: () => webhookDeliveriesByStatus(domain),
            webhookAttempts: () => webhookAttempts(domain),
          });
    const consoleDir = options.console === false ? undefined : (options.console ?? locateConsole());
    // Every call record, from the embedded edge and from Kamailio's POSTs, goes through one group-commit writer.
    const callRecords = new CallRecordWriter((records) => storeCallRecords(domain, records), { log });
    // Messages, refusals and peaks for the usage rollups: counted in memory, flushed every few seconds and on close.
    const usage = new UsageCounter((rows) => store.usageRollups.add(rows), {
      intervalMs: options.usageFlushMs,
      liveRegistrations: () => edge?.registrationsByTenant() ?? [],
      storedBytes: () => store.analytics.storedBytesByTenant(),
      log,
    });
    domain.usage = usage;
    usage.start();
    const directory = createSipDirectory(domain, secret, directoryCache, log, callRecords);
    const softphoneEdge = softphoneEdgeSource(store, options.kamailio, { wsUrl: () => wsUrl, apiOrigin: () => publicUrl });
    // The Kamailio edge's dial plan: the same directory and resolver the embedded edge uses.
    const sipRouting: SipRoutingService = {
      edgeSecret: edgeSecretReader(store.settings),
      decide: (request) => decideSipRoute(directory, request, log),
      recordCall: (event) => recordEdgeCall(directory, (records) => callRecords.write(records), event),
    };
    const app = createApp({
      metrics,
      sipRouting,
      routes: routeTable,
      authFailures: new AuthFailureLimiter({ ...options.authFailureLimit, shared: shared ? store.leases.rates : undefined }),
      trustProxy: options.trustProxy,
      site: withConsole(options.site, consoleDir),
      log,
      services: {
        domain,
        secret,
        softphoneEdge,
        iceServers: options.iceServers ?? [],
        turn: options.turn,
        porting,
        openapi: () => (openapi ??= buildOpenApi(routeTable, { version: LATEST_VERSION, servers: [{ url: publicUrl, description: 'This platform' }] })),
        // The edge is attached below, once the server exists; until then nothing is live.
        liveCounters: (tenantId) => edge?.tenantCounters(tenantId) ?? { channels: 0, registrations: 0, messages: 0, messagesWindowStartedAt: new Date() },
      },
    });
    // Kamailio's routing requests are answered before the app (internal-sip-route.ts); the rest is Hono's.
    const server = createServer(withSipRouteFastPath(sipRouting, getRequestListener(app.fetch), { observe: metrics && ((route, method, status) => metrics.observe(route, method, status)), log }));
    // Idle keep-alive connections stay open longer than a load balancer's (commonly 60 s) and than a
    // client pauses between calls: with Node's 5 s a client that reused a connection just as the
    // server closed it got ECONNRESET (seen in the suites on a loaded machine).
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const sipEdge = attachSipEdge(server, { directory, path: SIP_PATH, log, timers: options.sipTimers, limits: options.sipLimits });
    edge = sipEdge;
    const port = await listen(server, options.port ?? 8080, host).catch(async (error: unknown) => {
      stopIdempotencyPurge();
      stopKamailioOutbox();
      await portingAutomation.stop();
      await webhookDelivery.stop();
      await tenantPurge.stop();
      await sipEdge.close();
      await callRecords.close();
      await usage.close();
      directoryCache.stop();
      throw error;
    });

    const url = (options.publicUrl ?? `http://${reachableHost(host)}:${port}`).replace(/\/+$/, '');
    publicUrl = url;
    wsUrl = `${url.replace(/^http/, 'ws')}${SIP_PATH}`;
    log(`highrise listening on ${url} (SIP over WebSocket at ${wsUrl})`);
    if (consoleDir !== undefined) log(`operator console at ${url}/console/`);

    let closing: Promise<void> | undefined;
    return {
      url,
      wsUrl,
      port,
      close: () =>
        (closing ??= (async () => {
          stopIdempotencyPurge();
          stopKamailioOutbox();
          await portingAutomation.stop();
          await webhookDelivery.stop();
          await tenantPurge.stop();
          await sipEdge.close();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          // The edge queued the records of the calls it ended; no request can add more now.
          await callRecords.close();
          await usage.close();
          directoryCache.stop();
          await store.close();
        })()),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
