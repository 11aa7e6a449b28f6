/**
 * Renders the Kamailio edge's configuration from deploy/kamailio/kamailio.cfg.tmpl (issue 10;
 * docs/decisions/2026-12-01-kamailio-edge.md). Pure: values in, text out; the CLI gathers the values
 * (secrets kept in the platform's settings) and writes the files.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDGE_BASIC_USER, SIP_ROUTE_PATH } from '../http/internal-sip-route';

export interface KamailioSecrets {
  /** Signs digest nonces; shared by every edge node so any node accepts another's challenge. */
  nonce: string;
  /** The edge's credential on its calls to the platform (HTTP Basic, user `kamailio`, through each node's http_client connection). */
  edge: string;
  /** auth_ephemeral's HMAC key; the platform mints softphone tokens' SIP credentials with it. */
  ephemeral: string;
}

export interface KamailioConfigValues {
  /** `postgres://user[:password]@host[:port]/database` */
  databaseUrl: string;
  /**
   * Base URLs of the platform nodes (stateless, any of them answers): node i (1-based) becomes
   * dispatcher.list entry `node=i` and the http_client connection `platform_<i>`.
   */
  platformUrls: string[];
  /** Where the rendered dispatcher.list is (renderDispatcherList writes its text). */
  dispatcherListPath: string;
  listen: { host: string; port: number };
  /** Where Kamailio keeps its runtime files (pid, sockets). */
  runDir: string;
  secrets: KamailioSecrets;
  debug?: number | undefined;
  children?: number | undefined;
  /** Requests per 2 s from one source address before pike drops it. */
  pikeDensity?: number | undefined;
  /**
   * What an INVITE does when the routing endpoint is unreachable: `reject` (the default) answers
   * 503; `location` dials the registered AOR in the caller's own domain, bypassing the dial plan
   * (tests and first bring-up only).
   */
  routingFallback?: 'reject' | 'location' | undefined;
  /**
   * Seconds between the in-dialog OPTIONS each answered call sends its two parties (default 30, the
   * dialog module's minimum).
   */
  dialogKeepaliveSeconds?: number | undefined;
  /** Keepalives a party fails in a row before the call is hung up (default 2; tests use 1). */
  dialogKeepaliveFailures?: number | undefined;
}

/** The routing endpoint's path on the platform (SipRoutingRequest → SipRoutingDecision). */
export const ROUTING_PATH = SIP_ROUTE_PATH;

export class KamailioConfigError extends Error {
  override readonly name = 'KamailioConfigError';
}

/** Kamailio's URL parser takes `postgres://user:pass@host:port/db`, nothing after the database name. */
export function kamailioDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KamailioConfigError('--database-url is not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new KamailioConfigError('Kamailio reads the platform from PostgreSQL: --database-url starts with postgres://');
  if (parsed.search || parsed.hash) throw new KamailioConfigError("Kamailio's database URL takes no query parameters");
  const database = parsed.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new KamailioConfigError('--database-url must name a database');
  const auth = parsed.username ? `${decodeURIComponent(parsed.username)}${parsed.password ? `:${decodeURIComponent(parsed.password)}` : ''}@` : '';
  const out = `postgres://${auth}${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}/${database}`;
  // The URL lands inside double-quoted cfg strings.
  if (/["\\\s]/.test(out)) throw new KamailioConfigError('--database-url may not contain quotes, backslashes or spaces');
  return out;
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new KamailioConfigError(`--listen is HOST:PORT, not "${text}"`);
  return { host: match[1]!, port };
}

const EDGE_HTTP_USER = EDGE_BASIC_USER;

/** A platform node's origin (scheme, host, port), checked before it lands in a quoted cfg string. */
function platformOrigin(platformUrl: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(platformUrl);
  } catch {
    throw new KamailioConfigError(`--platform-url ${JSON.stringify(platformUrl)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new KamailioConfigError('--platform-url is http:// or https://');
  if (parsed.username || parsed.password) throw new KamailioConfigError('--platform-url carries no credentials (the edge secret is added)');
  const origin = new URL(parsed.origin);
  if (/["\\\s;]/.test(origin.toString())) throw new KamailioConfigError('--platform-url may not contain quotes, backslashes, semicolons or spaces');
  return origin;
}

function platformOrigins(platformUrls: string[]): URL[] {
  if (platformUrls.length === 0) throw new KamailioConfigError('at least one --platform-url is required');
  if (platformUrls.length > 16) throw new KamailioConfigError('at most 16 platform nodes');
  const origins = platformUrls.map(platformOrigin);
  const seen = new Set(origins.map((o) => o.toString()));
  if (seen.size !== origins.length) throw new KamailioConfigError('each --platform-url names a different node');
  return origins;
}

/**
 * dispatcher.list: set 1 is the platform nodes, in the order given. Dispatcher wants SIP URIs, so a
 * node is written as `sip:<host>:<port>` (which dispatcher resolves when Kamailio starts) and named by
 * its `node=<i>` attribute: the script posts through http_client connection `platform_<i>`.
 */
export function renderDispatcherList(platformUrls: string[]): string {
  const lines = platformOrigins(platformUrls).map((origin, index) => {
    const port = origin.port || (origin.protocol === 'https:' ? '443' : '80');
    return `1 sip:${origin.hostname}:${port} 0 0 node=${index + 1}`;
  });
  return [
    '# Highrise platform nodes, rendered by `highrise kamailio-config` (one per --platform-url).',
    '# setid destination flags priority attrs; node=<i> is http_client connection platform_<i> in kamailio.cfg.',
    ...lines,
    '',
  ].join('\n');
}

/** One http_client connection per platform node, authenticated with the edge secret (HTTP Basic). */
function platformConnections(platformUrls: string[], edgeSecret: string): string {
  return platformOrigins(platformUrls)
    .map((origin, index) => `modparam("http_client", "httpcon", "platform_${index + 1}=>${origin.protocol}//${EDGE_HTTP_USER}:${edgeSecret}@${origin.host}")`)
    .join('\n');
}

/** route[PLATFORM_HTTP]'s cases: http_connect takes the connection's name as written, not from a variable. */
function platformHttpCalls(platformUrls: string[]): string {
  return platformOrigins(platformUrls)
    .map((_origin, index) =>
      [
        `\t\tcase ${index + 1}:`,
        `\t\t\thttp_connect("platform_${index + 1}", "$var(post_path)", "application/json", "$var(post_body)", "$var(post_result)");`,
        '\t\t\t$var(pn_code) = $rc;',
        '\t\t\tbreak;',
      ].join('\n'),
    )
    .join('\n');
}

const SECRET = /^[A-Za-z0-9_-]{16,}$/;

export function renderKamailioConfig(template: string, values: KamailioConfigValues): string {
  for (const [name, secret] of Object.entries(values.secrets)) {
    if (!SECRET.test(secret)) throw new KamailioConfigError(`the ${name} secret must be 16+ base64url characters`);
  }
  if (/["\\\s]/.test(values.runDir)) throw new KamailioConfigError('the run directory may not contain quotes, backslashes or spaces');
  if (/["\\\s]/.test(values.dispatcherListPath)) throw new KamailioConfigError('the dispatcher list path may not contain quotes, backslashes or spaces');
  const keepalive = values.dialogKeepaliveSeconds ?? 30;
  // Kamailio 5.6's dialog module refuses to start with an interval under 30 s.
  if (!Number.isInteger(keepalive) || keepalive < 30 || keepalive > 3600) throw new KamailioConfigError('the dialog keepalive is a whole number of seconds from 30 to 3600');
  const failures = values.dialogKeepaliveFailures ?? 2;
  if (!Number.isInteger(failures) || failures < 1 || failures > 10) throw new KamailioConfigError('the dialog keepalive failures are a whole number from 1 to 10');
  const substitutions: Record<string, string> = {
    DB_URL: kamailioDatabaseUrl(values.databaseUrl),
    PLATFORM_ROUTE_PATH: SIP_ROUTE_PATH,
    PLATFORM_CONNECTIONS: platformConnections(values.platformUrls, values.secrets.edge),
    PLATFORM_HTTP_CALLS: platformHttpCalls(values.platformUrls),
    DISPATCHER_LIST: values.dispatcherListPath,
    LISTEN: `${values.listen.host}:${values.listen.port}`,
    RUN_DIR: values.runDir,
    NONCE_SECRET: values.secrets.nonce,
    // Marks requests between edge nodes (in the Path each node writes): derived, so the routing
    // endpoint's credential never lands in the location table.
    NODE_TOKEN: createHmac('sha256', values.secrets.edge).update('highrise-kamailio-node').digest('base64url'),
    EPHEMERAL_SECRET: values.secrets.ephemeral,
    DEBUG: String(values.debug ?? 2),
    CHILDREN: String(values.children ?? 4),
    PIKE_DENSITY: String(values.pikeDensity ?? 200),
    KA_INTERVAL: String(keepalive),
    KA_FAILED_LIMIT: String(failures),
    ROUTING_FALLBACK: values.routingFallback === 'location' ? '#!define ROUTING_FALLBACK_LOCATION' : '# routing fallback: 503 when the routing endpoint is unreachable',
  };
  const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new KamailioConfigError(`the template names an unknown value ${whole}`);
    return value;
  });
  return rendered;
}

/** deploy/kamailio/kamailio.cfg.tmpl, found from this module whether it runs from src/ or a bundle in dist/. */
export function defaultTemplatePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'deploy', 'kamailio', 'kamailio.cfg.tmpl');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new KamailioConfigError('deploy/kamailio/kamailio.cfg.tmpl not found; pass its path');
}

export const readTemplate = (path = defaultTemplatePath()) => readFileSync(path, 'utf8');
