import type { IceServer } from '@highrise/sdk/schemas';
import type { TurnOptions } from './domain/turn-credentials';
import type { PortingCarrier } from './domain/porting/carrier';
import type { SipClock } from './sip/clock';
import type { WebhookDeliveryOptions } from './domain/webhook-delivery';
import type { WebhookRuleOptions } from './domain/webhooks';

export interface PlatformOptions {
  /** TCP port for HTTP and SIP-over-WebSocket; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Directory for the SQLite database and other state. Default `.highrise`. */
  dataDir?: string;
  /**
   * PostgreSQL instead of the embedded SQLite file (`postgres://user@host:5432/db`): any number of
   * platform nodes may share one database and serve the same API; migrations run at start under a
   * lock. The embedded SIP edge stays per node (it knows only its own sockets) until the Kamailio
   * edge is wired. `dataDir` still holds the audit key file and porting documents by default.
   */
  databaseUrl?: string;
  /** Connections in this node's PostgreSQL pool. Default 10. */
  databasePoolSize?: number;
  /** Becomes the provider owner's API key on first start (ignored once the database exists). */
  bootstrapKey?: string;
  /** Base SIP domain: a tenant's SIP domain is `<slug>.<sipDomain>`. Default `sip.localhost`. */
  sipDomain?: string;
  /** URL the platform is reached at from outside (for `wsUrl` in softphone tokens). Default from host and port. */
  publicUrl?: string;
  /** STUN/TURN servers handed to softphones with their token. Default none. */
  iceServers?: IceServer[];
  /**
   * A coturn server run with `use-auth-secret` and `static-auth-secret=<secret>`: every softphone
   * token then carries a TURN entry in `iceServers` whose credential expires with the token (for
   * phones behind symmetric NAT). Default none. See deploy/kamailio/README.md.
   */
  turn?: TurnOptions;
  /**
   * Static site served at `/` (the examples' reseller page); API and SIP routes take precedence.
   * `mounts` maps URL prefixes to directories (`{ '/softphone/': 'packages/softphone/dist' }`);
   * `files` serves generated content at exact paths (`{ '/demo-config.json': () => json }`).
   */
  site?: { root: string; mounts?: Record<string, string>; files?: Record<string, () => string> };
  /**
   * The operator console (the built `@highrise/console`, a directory holding its index.html),
   * served at `/console/`. Default: that package's `dist` when it is installed beside the platform
   * (as in the repository after `npm ci`); `false` serves no console.
   */
  console?: string | false;
  /**
   * The key of the audit chain (HMAC-SHA256), kept out of the database: `key` (at least 32 bytes; the
   * CLI's HIGHRISE_AUDIT_KEY), or `keyFile`, a file holding it, created with a random key (mode 0600)
   * when missing. Default: `audit-chain.key` in the data directory, which protects the chain from
   * anyone with only database access but not from anyone who can read the data directory; in
   * production name a file elsewhere (or a mounted secret). Losing the key makes the chain
   * unverifiable, not unreadable. See docs/decisions/2026-12-01-keyed-audit-chain.md.
   */
  audit?: { key?: string | Uint8Array; keyFile?: string };
  /** Log lines go here; default is silent in tests and stdout in the CLI. */
  log?: (line: string) => void;
  /**
   * Failed API authentications allowed per source address in a sliding window; past it, further
   * failures from that address get 429 (valid keys keep working). Default 20 per 60 s.
   */
  authFailureLimit?: { maxFailures?: number; windowSeconds?: number };
  /**
   * The reverse proxies in front of the platform, whose X-Forwarded-For is believed: a list of
   * addresses and CIDR ranges (`['10.0.0.0/8', '::1']`), or `true` for a proxy on this machine
   * (loopback). The client address is the rightmost X-Forwarded-For entry that is not a trusted
   * proxy, and only when the connection itself comes from a trusted proxy; entries to its left
   * were written by the client and are never believed. Default false: X-Forwarded-For is ignored.
   */
  trustProxy?: boolean | readonly string[];
  /**
   * The token a Prometheus scraper presents (`Authorization: Bearer <token>`) at GET /metrics. No
   * default: without one, /metrics is 404. It is not an API key and reads no tenant's data.
   */
  metricsToken?: string | undefined;
  /**
   * SIP edge timers. `ackTimeoutMs`: how long an answered call waits for the caller's ACK before
   * the edge ends it and frees its channel (default 32000, RFC 3261 Timer H); shorter in tests.
   * `clock`: what the edge's SIP timers run on (transactions, ring groups, the ACK wait, call
   * record times); default the system clock, a ManualClock in tests that must not wait.
   * `dialogGraceMs`: how long a dropped phone's calls wait for it to reconnect (default 30000).
   */
  sipTimers?: { ackTimeoutMs?: number; clock?: SipClock; dialogGraceMs?: number };
  /**
   * SIP edge connection bounds: `maxConnections` (default 20000) and `maxConnectionsPerAddress`
   * (default 1000) WebSockets at once, beyond which an upgrade gets HTTP 503; a socket that has
   * not authenticated within `authenticationTimeoutMs` (default 30000) is closed with 4408.
   */
  sipLimits?: { maxConnections?: number; maxConnectionsPerAddress?: number; authenticationTimeoutMs?: number };
  /** Milliseconds between flushes of the usage counts (messages, refusals, peaks) to the usage rollups; default 10 s. */
  usageFlushMs?: number | undefined;
  /**
   * The Kamailio edge (PostgreSQL only). `outboxIntervalMs`: how often this node stores the call
   * records Kamailio writes to its outbox table (default 250). `wsUrls`: the
   * Kamailio nodes' WebSocket URLs, which makes Kamailio the phones' edge: softphone tokens name
   * them (`wsUrls`, tried in order) and carry digest credentials that Kamailio's `auth_ephemeral`
   * checks without asking the platform (`sipCredentials`). Without `wsUrls`, tokens name the
   * embedded edge on this node's own port.
   */
  kamailio?: { outboxIntervalMs?: number; wsUrls?: string[] };
  /**
   * Number porting. `carrier`: the carrier's porting API, or `'simulated'` for the built-in
   * SimulatedCarrier that completes every order by itself (demo and tests only). Default none:
   * submitted orders wait in `in_review` until the provider or the tenant's reseller approves,
   * rejects or completes them (docs/decisions/2026-12-01-porting-approval.md). `tickMs`: how often
   * the automation loop runs (default 1000); `stepSeconds`: the simulated carrier's time per step
   * (default 5); `draftExpiryDays`: a draft unchanged this long is cancelled (default 30);
   * `storageLimitBytes`: the storage limit (`limits.storageBytes`) a new tenant gets when its creator
   * sets none (default 100 MiB); each tenant's own limit is then changed with PATCH. `leaseMs`: how
   * long a tick's lease holds unrenewed, so how soon another node carries on after one dies
   * mid-tick (default 60 000; docs/decisions/2026-12-01-leasing.md).
   */
  porting?: { carrier?: PortingCarrier | 'simulated'; tickMs?: number; stepSeconds?: number; draftExpiryDays?: number; storageLimitBytes?: number; leaseMs?: number };
  /**
   * Webhook delivery (see domain/webhook-delivery.ts for the defaults): `retryBaseMs` (first retry
   * delay, doubled per retry; default 60 s), `maxRetryDelayMs` (12 h), `maxAttempts` (15, about
   * 2.7 days of retries), `pollIntervalMs` (1000), `timeoutMs` per attempt (10 000), `leaseMs`: how
   * long a claimed delivery stays this node's before another may send it (`timeoutMs` + 30 000).
   * Shorter in tests.
   * `allowPrivateDestinations`: let endpoints point at loopback, private and reserved addresses
   * (default false; only for a demo or tests with a local receiver). `redeliveryLimit`: redeliveries
   * per owner per window (default 10 per 60 s).
   */
  webhooks?: WebhookDeliveryOptions & WebhookRuleOptions;
  /**
   * Deleted tenants (docs/decisions/2026-12-01-tenant-lifecycle.md): `retentionDays` their data is
   * kept before the purge, during which a restore brings them back (default 30; fractions allowed;
   * 0 purges at the next pass); `purgeIntervalMs`, how often the purge looks (default 1 h).
   */
  tenants?: { retentionDays?: number; purgeIntervalMs?: number };
}

export interface Platform {
  /** `http://host:port` */
  url: string;
  /** `ws://host:port/sip` */
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}
