import { readFileSync } from 'node:fs';
import { isTurnUrl } from './domain/turn-credentials';
import { isWebSocketUrl } from './domain/softphone-edge';
import { parseArgs } from 'node:util';

export const USAGE = `usage: highrise start --port N --data-dir DIR --bootstrap-key KEY [--sip-domain D] [--host H] [--allow-private-webhooks]

  --port N            TCP port for HTTP and SIP over WebSocket; 0 picks a free one (HIGHRISE_PORT, default 8080)
  --data-dir DIR      where the SQLite database lives (HIGHRISE_DATA_DIR, default .highrise)
  --bootstrap-key KEY becomes the provider owner's API key on first start (HIGHRISE_BOOTSTRAP_KEY)
  --sip-domain D      base SIP domain; tenants get <slug>.D (HIGHRISE_SIP_DOMAIN, default sip.localhost)
  --host H            interface to bind (HIGHRISE_HOST, default 127.0.0.1)
  --database-url URL  run on PostgreSQL instead of SQLite (HIGHRISE_DATABASE_URL, postgres://…);
                      migrated at start under a lock. Several nodes on one database serve the same
                      API; webhook deliveries, the porting automation and cleanup are leased, so
                      one node does each piece of work and a dead node's work is taken over once
                      its lease runs out (webhooks: at least once across a crash; receivers dedupe
                      on Highrise-Event-Id). The embedded SIP edge is SINGLE-NODE until the
                      Kamailio edge is wired: each node's edge knows only its own sockets (a call
                      between phones on two nodes is not connected); send all SIP to one node.
                      Porting documents and the audit key file stay under --data-dir, which must
                      then be the same on every node (or HIGHRISE_AUDIT_KEY), and node clocks must
                      agree to within a second (leases are timed by them)
  --allow-private-webhooks
                      let webhook endpoints point at loopback, private and reserved addresses; for a
                      demo or a test receiver on this machine only (HIGHRISE_ALLOW_PRIVATE_WEBHOOKS=1)
  --audit-key-file F  the audit chain's HMAC key, kept apart from the database; created (0600) if
                      missing (HIGHRISE_AUDIT_KEY_FILE, default DIR/audit-chain.key; or the key itself
                      in HIGHRISE_AUDIT_KEY, never as a flag, where ps would show it)
  --porting-carrier C port orders: "simulated" completes every submitted order by itself (demo and
                      tests only); default none: the provider or reseller approves each one
                      (HIGHRISE_PORTING_CARRIER)
  --metrics-token T   serve Prometheus metrics at GET /metrics to \`Authorization: Bearer T\`
                      (HIGHRISE_METRICS_TOKEN; at least 16 characters); without it /metrics is 404
  --tenant-retention-days N
                      how long a deleted tenant's data is kept (and it can be restored) before the
                      purge (HIGHRISE_TENANT_RETENTION_DAYS, default 30; 0 to 3650)
  --turn-url URLS     coturn for phones behind symmetric NAT: comma-separated turn:/turns: URLs put
                      into every softphone token with a credential that expires with the token
                      (HIGHRISE_TURN_URLS); needs coturn's static-auth-secret in the file named by
                      --turn-secret-file (HIGHRISE_TURN_SECRET_FILE) or in HIGHRISE_TURN_SECRET,
                      never as a flag, where ps would show it
  --kamailio-ws-url URL
                      Kamailio is the phones' SIP edge (highrise kamailio-config on the same
                      --database-url): softphone tokens name this ws:// or wss:// URL, with digest
                      credentials Kamailio checks itself (auth_ephemeral). Repeat it for several
                      Kamailio nodes: the widget tries them in order (HIGHRISE_KAMAILIO_WS_URL,
                      comma-separated). Without it tokens name this node's embedded edge

       highrise migrate status | up [--to N] | down --to N [--dry-run]   (see highrise migrate --help)
       highrise kamailio-config --database-url URL --platform-url URL… --listen HOST:PORT --out DIR
                                                          (see highrise kamailio-config --help)

Operator commands (talk to a running platform over HTTP; --base-url / HIGHRISE_BASE_URL and
--api-key / HIGHRISE_API_KEY; --json on each; see highrise <command> --help):
       highrise tenants list | create | suspend TENANT | resume TENANT
       highrise extensions list | import FILE.csv --tenant TENANT
       highrise keys create | rotate KEY_ID
       highrise numbers list | create NUMBER | assign NUMBER | release NUMBER_ID
       highrise port-orders status [PORT_ORDER_ID] --tenant TENANT
`;

export class UsageError extends Error {}

export interface StartCommand {
  port: number;
  dataDir: string;
  bootstrapKey: string | undefined;
  sipDomain: string | undefined;
  host: string;
  /** PostgreSQL instead of the SQLite file under dataDir. */
  databaseUrl: string | undefined;
  allowPrivateWebhooks: boolean;
  audit: { key?: string; keyFile?: string };
  /** `simulated`, or undefined: no carrier, orders are approved by the provider or reseller. */
  portingCarrier: 'simulated' | undefined;
  /** The scraper's token for GET /metrics; undefined: no metrics served. */
  metricsToken?: string | undefined;
  /** Days a deleted tenant is kept before the purge; undefined: the platform's default (30). */
  tenantRetentionDays?: number | undefined;
  /** coturn REST credentials minted into softphone tokens; undefined: none. */
  turn?: { secret: string; urls: string[] } | undefined;
  /** The Kamailio nodes softphone tokens send phones to; undefined: the embedded edge. */
  kamailioWsUrls?: string[] | undefined;
}

/** A boolean environment twin: `1`/`true` or `0`/`false`; anything else is a mistake worth saying. */
function envFlag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === '0' || value.toLowerCase() === 'false') return false;
  if (value === '1' || value.toLowerCase() === 'true') return true;
  throw new UsageError(`${name} must be 1 or 0, not "${value}"`);
}

/** Flags win over their environment twins, which win over defaults. */
export function parseCommand(argv: string[], env: NodeJS.ProcessEnv): StartCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'bootstrap-key': { type: 'string' },
        'sip-domain': { type: 'string' },
        host: { type: 'string' },
        'database-url': { type: 'string' },
        'allow-private-webhooks': { type: 'boolean' },
        'audit-key-file': { type: 'string' },
        'porting-carrier': { type: 'string' },
        'metrics-token': { type: 'string' },
        'tenant-retention-days': { type: 'string' },
        'turn-url': { type: 'string' },
        'turn-secret-file': { type: 'string' },
        'kamailio-ws-url': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1 || positionals[0] !== 'start') throw new UsageError(positionals.length ? `unknown command "${positionals.join(' ')}"` : 'missing command');

  // A URL that is not PostgreSQL's is refused rather than ignored: falling back to SQLite would split a deployment.
  const databaseUrl = values['database-url'] ?? (env.HIGHRISE_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(databaseUrl)) {
    throw new UsageError(`--database-url (HIGHRISE_DATABASE_URL) must be a postgres:// URL, not "${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}"`);
  }

  const portText = values.port ?? env.HIGHRISE_PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${portText}"`);
  const carrierText = values['porting-carrier'] ?? env.HIGHRISE_PORTING_CARRIER ?? '';
  if (carrierText !== '' && carrierText !== 'simulated' && carrierText !== 'none') {
    throw new UsageError(`--porting-carrier (HIGHRISE_PORTING_CARRIER) must be "simulated" or "none", not "${carrierText}"`);
  }
  const metricsToken = values['metrics-token'] ?? env.HIGHRISE_METRICS_TOKEN;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,200}$/.test(metricsToken)) {
    throw new UsageError('--metrics-token (HIGHRISE_METRICS_TOKEN) must be 16 to 200 printable characters without spaces');
  }
  const retentionText = values['tenant-retention-days'] ?? (env.HIGHRISE_TENANT_RETENTION_DAYS || undefined);
  const tenantRetentionDays = retentionText === undefined ? undefined : Number(retentionText);
  if (retentionText !== undefined && (!/^\d+(\.\d+)?$/.test(retentionText) || tenantRetentionDays! > 3650)) {
    throw new UsageError(`--tenant-retention-days (HIGHRISE_TENANT_RETENTION_DAYS) must be a number of days from 0 to 3650, not "${retentionText}"`);
  }
  const kamailioText = values['kamailio-ws-url'] ?? (env.HIGHRISE_KAMAILIO_WS_URL ? env.HIGHRISE_KAMAILIO_WS_URL.split(',').map((url) => url.trim()) : undefined);
  const badKamailio = kamailioText?.find((url) => !isWebSocketUrl(url));
  if (badKamailio !== undefined) throw new UsageError(`--kamailio-ws-url (HIGHRISE_KAMAILIO_WS_URL) takes ws:// or wss:// URLs, not "${badKamailio}"`);
  if (kamailioText !== undefined && databaseUrl === undefined) {
    throw new UsageError('--kamailio-ws-url (HIGHRISE_KAMAILIO_WS_URL) needs --database-url: Kamailio reads the directory from PostgreSQL');
  }
  return {
    port,
    dataDir: values['data-dir'] ?? env.HIGHRISE_DATA_DIR ?? '.highrise',
    bootstrapKey: values['bootstrap-key'] ?? env.HIGHRISE_BOOTSTRAP_KEY,
    sipDomain: values['sip-domain'] ?? env.HIGHRISE_SIP_DOMAIN,
    host: values.host ?? env.HIGHRISE_HOST ?? '127.0.0.1',
    databaseUrl,
    allowPrivateWebhooks: values['allow-private-webhooks'] ?? envFlag(env.HIGHRISE_ALLOW_PRIVATE_WEBHOOKS, 'HIGHRISE_ALLOW_PRIVATE_WEBHOOKS'),
    audit: auditKeySource(values['audit-key-file'], env),
    portingCarrier: carrierText === 'simulated' ? 'simulated' : undefined,
    metricsToken,
    tenantRetentionDays,
    kamailioWsUrls: kamailioText,
    turn: turnOptions(values['turn-url'] ?? env.HIGHRISE_TURN_URLS, values['turn-secret-file'] ?? env.HIGHRISE_TURN_SECRET_FILE, env),
  };
}

/** TURN is all or nothing: URLs without a secret (or the reverse) is a mistake, not "off". */
function turnOptions(urlsText: string | undefined, secretFile: string | undefined, env: NodeJS.ProcessEnv): StartCommand['turn'] {
  let secret = env.HIGHRISE_TURN_SECRET || undefined;
  if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`--turn-secret-file (HIGHRISE_TURN_SECRET_FILE) cannot be read: ${(error as Error).message}`);
    }
  }
  if (!urlsText && secret === undefined) return undefined;
  if (!urlsText) throw new UsageError('a TURN secret without --turn-url (HIGHRISE_TURN_URLS): say where the TURN server is');
  if (secret === undefined) throw new UsageError('--turn-url (HIGHRISE_TURN_URLS) needs the TURN secret: --turn-secret-file FILE or HIGHRISE_TURN_SECRET');
  const urls = urlsText.split(',').map((u) => u.trim()).filter(Boolean);
  const bad = urls.find((u) => !isTurnUrl(u));
  if (bad !== undefined || urls.length === 0) throw new UsageError(`--turn-url (HIGHRISE_TURN_URLS) takes turn:HOST[:PORT][?transport=udp|tcp] or turns:… URLs, not "${bad ?? urlsText}"`);
  if (secret.length < 16) throw new UsageError('the TURN secret must be at least 16 characters');
  return { secret, urls };
}

/** A key file named on the command line wins over the environment; the key itself only ever comes from the environment. */
function auditKeySource(flag: string | undefined, env: NodeJS.ProcessEnv): StartCommand['audit'] {
  if (flag !== undefined) return { keyFile: flag };
  if (env.HIGHRISE_AUDIT_KEY) return { key: env.HIGHRISE_AUDIT_KEY };
  return env.HIGHRISE_AUDIT_KEY_FILE ? { keyFile: env.HIGHRISE_AUDIT_KEY_FILE } : {};
}
