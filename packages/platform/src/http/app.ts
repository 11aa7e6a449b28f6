import { Hono, type Context } from 'hono';
import type { AuthOutcome } from '../domain/api-keys';
import { AuthCache } from '../domain/auth-cache';
import { AuthFailureLimiter } from '../domain/auth-failures';
import { recordSecurityEvent } from '../domain/context';
import { getConnInfo } from '@hono/node-server/conninfo';
import { beginIdempotent, completeIdempotent, releaseIdempotent, requestFingerprint } from '../domain/idempotency';
import { isTenantLevel, type Actor, type Principal } from '../domain/principal';
import { accessTenant } from '../domain/tenants';
import { unguardedTenantAccess } from './unguarded';
import { newId } from '../ids';
import { clientAddressResolver } from './client-address';
import { HttpError, toErrorResponse } from './errors';
import type { AppServices, RouteDef } from './route';
import { createSiteHandler, type SiteOptions } from './site';
import { parseJsonBody, validate } from './validation';
import { LATEST_VERSION, renderForVersion, resolveVersion } from './version';
import { TenantIsDeleted } from '../domain/tenant-lifecycle';
import type { OperatorMetrics } from './metrics';
import { SIP_CALL_RECORD_PATH, SIP_ROUTE_PATH, sipCallRecordHandler, sipRouteHandler, type SipRoutingService } from './internal-sip-route';

type Env = { Variables: { requestId: string; principal: Principal | undefined; sourceAddress: string | null; version: string } };

/** Request bodies are small JSON documents; anything bigger is refused before parsing. */
const MAX_BODY_BYTES = 1_000_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface AppOptions {
  services: AppServices;
  routes: readonly RouteDef[];
  site?: SiteOptions | undefined;
  log?: ((line: string) => void) | undefined;
  /** Failed authentications per source; default 20 a minute. */
  authFailures?: AuthFailureLimiter | undefined;
  /** The reverse proxies whose X-Forwarded-For is believed (PlatformOptions.trustProxy; see client-address.ts). */
  trustProxy?: boolean | readonly string[] | undefined;
  /**
   * Benchmarks only (bench/auth-overhead.mjs, through createBenchmarkApis): every request acts as
   * this principal, and authentication, the tenant visibility check and the permission check are
   * skipped. Only code in this process can pass it; no config, flag or header reaches it.
   */
  unguardedPrincipal?: Principal | undefined;
  /** Operator metrics: counts every request and serves `GET /metrics` to its token. Absent: /metrics is 404. */
  metrics?: OperatorMetrics | undefined;
  /** The Kamailio edge's routing and call-record endpoints (internal, edge secret only); absent: 404. */
  sipRouting?: SipRoutingService | undefined;
}

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathPattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);

function json(c: Context, status: number, text: string, headers: Record<string, string> = {}): Response {
  return c.body(text, status as 200, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

const tooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `request bodies here are limited to ${limit} bytes`);

/**
 * The body's bytes, counted while they arrive: a chunked body (no Content-Length) is refused as soon
 * as it passes the limit instead of being buffered whole first. The unread rest is left to the Node
 * adapter, which drains it briefly after the response and then closes the connection.
 */
async function readBody(c: Context, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** The key id a presented secret claims (its public part), so failed attempts on one key can be told apart. */
function claimedKeyId(secret: string | undefined): string {
  const publicPart = secret && /^hr_(?:live|test)_([0-9A-Za-z]{10,40})_/.exec(secret)?.[1];
  return publicPart ? `key_${publicPart}` : 'unknown';
}

function checkScope(route: RouteDef, principal: Principal | undefined): void {
  if (route.scope === 'public') return;
  if (!principal) throw new HttpError(401, 'unauthenticated', 'send an API key as `Authorization: Bearer <key>`');
  if (route.scope === 'provider' && principal.kind !== 'provider') throw new HttpError(403, 'permission_denied', 'only provider keys may do this');
  if (route.scope === 'platform' && isTenantLevel(principal)) throw new HttpError(403, 'permission_denied', 'tenant keys may not do this');
}

/** Turns one route of the table into a Hono handler: scope, tenant gate, validation, idempotency, response schema. */
function handlerFor(route: RouteDef, services: AppServices, unguarded: boolean) {
  return async (c: Context<Env>) => {
    const principal = c.get('principal');
    if (!unguarded) checkScope(route, principal);
    const params = c.req.param() as Record<string, string>;
    // The tenant gate runs before anything reads the input, so a foreign tenant is a plain 404.
    const tenant =
      route.scope !== 'tenant' ? undefined : unguarded ? await unguardedTenantAccess(services.domain, params.tenantId ?? '') : await accessTenant(services.domain, principal!, params.tenantId ?? '');
    // The one permission check, after the gate: a same-tenant key without it learns only that it lacks it.
    if (!unguarded && route.permission && principal && !principal.permissions.has(route.permission)) {
      throw new HttpError(403, 'permission_denied', `this key's role lacks ${route.permission}`, [{ field: 'permissions', issue: `missing ${route.permission}` }]);
    }
    // A deleted tenant's data is read (and exported) until its purge, but changed only by a restore.
    if (tenant?.tenant.deletedAt && route.method !== 'GET' && !route.allowDeletedTenant) throw new TenantIsDeleted(route.operationId);
    const version = c.get('version');
    const shown = (text: string) => (version === LATEST_VERSION ? text : JSON.stringify(renderForVersion(version, JSON.parse(text))));
    const query = route.query ? validate(route.query, c.req.query(), 'query') : undefined;
    // An upload's bytes are read here too, so that they count in the idempotency fingerprint; the
    // handler reads them again from a request re-made around them.
    const bytes = route.body || route.upload ? await readBody(c, route.upload?.maxBytes) : new Uint8Array(0);
    const raw = route.body ? parseJsonBody(new TextDecoder().decode(bytes)) : undefined;
    const request = route.upload ? new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: bytes }) : c.req.raw;
    const actor: Actor | undefined = principal && { principal, requestId: c.get('requestId'), sourceAddress: c.get('sourceAddress') };

    const idempotencyKey = route.method === 'POST' && principal ? c.req.header('Idempotency-Key') : undefined;
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new HttpError(400, 'validation_error', 'Idempotency-Key must be 1 to 255 printable characters', [
          { field: 'header.Idempotency-Key', issue: 'must be 1 to 255 printable ASCII characters' },
        ]);
      }
      const start = await beginIdempotent(services.domain, principal!.keyId, idempotencyKey, requestFingerprint(route.method, c.req.path, new URL(c.req.url).search, bytes));
      if (start.kind === 'reused') throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      if (start.kind === 'in_use') throw new HttpError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still in progress');
      if (start.kind === 'replay') return json(c, start.status, start.status < 300 ? shown(start.body) : start.body, { 'Idempotent-Replayed': 'true' });
    }

    try {
      const body = route.body ? validate(route.body, raw, 'body') : undefined;
      const result = await route.handle({ services, params, query, body, principal, actor, tenant, request, sourceAddress: c.get('sourceAddress'), version });
      // A file download answers with its own bytes and headers, and the ones every answer carries.
      if (result instanceof Response) {
        result.headers.set('Request-Id', c.get('requestId'));
        result.headers.set('Highrise-Version', version);
        return result;
      }
      // Responses go out in exactly the SDK's shape; a mismatch is our bug and fails loudly as a 500.
      // Stored in the latest version's shape; each answer (a replay too) in the version asked for.
      const text = JSON.stringify(route.response.schema.parse(result));
      if (idempotencyKey !== undefined) await completeIdempotent(services.domain, principal!.keyId, idempotencyKey, route.response.status, text);
      return json(c, route.response.status, shown(text));
    } catch (error) {
      if (idempotencyKey !== undefined) await releaseIdempotent(services.domain, principal!.keyId, idempotencyKey);
      throw error;
    }
  };
}

export function createApp(options: AppOptions): Hono<Env> {
  const { services, routes } = options;
  const log = options.log ?? (() => {});
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const requestId = newId('req');
    c.set('requestId', requestId);
    c.header('Request-Id', requestId);
    const version = resolveVersion(c.req.header('Highrise-Version'));
    c.set('version', version);
    c.header('Highrise-Version', version);
    await next();
    // Labelled by the route template, never the concrete path: the label set stays bounded.
    options.metrics?.observe(routeTemplate(c.req.method, c.req.path), c.req.method, c.res.status);
  });

  const templates = routes.map((r) => ({ method: r.method, path: r.path, pattern: pathPattern(r.path) }));
  const routeTemplate = (method: string, path: string): string => {
    if (path === '/metrics') return '/metrics';
    if (path === SIP_ROUTE_PATH || path === SIP_CALL_RECORD_PATH) return path;
    const exact = templates.find((t) => t.method === method && t.pattern.test(path)) ?? templates.find((t) => t.pattern.test(path));
    return exact?.path ?? (path.startsWith('/v1/') ? 'unmatched' : 'site');
  };

  app.get('/metrics', async (c) => {
    const scraped = options.metrics && (await options.metrics.scrape(c.req.header('Authorization')));
    if (!options.metrics) throw new HttpError(404, 'route_not_found', 'no route for GET /metrics');
    if (!scraped) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HttpError(401, 'unauthenticated', 'send the metrics token as `Authorization: Bearer <token>`');
    }
    return c.body(scraped.body, 200, { 'Content-Type': scraped.contentType });
  });

  if (options.sipRouting) {
    app.post(SIP_ROUTE_PATH, sipRouteHandler(options.sipRouting));
    app.post(SIP_CALL_RECORD_PATH, sipCallRecordHandler(options.sipRouting));
  }

  const authFailures = options.authFailures ?? new AuthFailureLimiter();
  const clientAddress = clientAddressResolver(options.trustProxy);
  const sourceOf = (c: Context<Env>): string | null => {
    let peer: string | null;
    try {
      peer = getConnInfo(c).remote.address ?? null;
    } catch {
      peer = null;
    }
    return clientAddress(peer, c.req.header('X-Forwarded-For'));
  };

  const authCache = new AuthCache();
  // The principal is resolved once here; routes only check its kind and permissions.
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('Authorization');
    const source = sourceOf(c);
    c.set('sourceAddress', source);
    if (options.unguardedPrincipal) {
      c.set('principal', options.unguardedPrincipal);
      return next();
    }
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const outcome: AuthOutcome = match ? await authCache.resolve(services.domain, match[1]!) : { ok: false, reason: 'unknown' };
      if (!outcome.ok) {
        const sourceKey = source ?? 'unknown';
        const retryAfter = await authFailures.failure(sourceKey);
        if (retryAfter > 0) {
          c.header('Retry-After', String(retryAfter));
          // Another try cannot help until the window passes: clients (our SDK among them) must not retry.
          c.header('x-should-retry', 'false');
          throw new HttpError(429, 'rate_limited', `too many failed authentications from this address; retry in ${retryAfter} s`);
        }
        const key = outcome.key;
        await services.domain.store.transaction(() =>
          recordSecurityEvent(services.domain, {
            tenantId: key?.tenantId ?? null,
            action: `auth.failed.${outcome.reason}`,
            targetId: key?.id ?? claimedKeyId(match?.[1]),
            requestId: c.get('requestId'),
            actorKeyId: null,
            sourceAddress: source,
          }),
        );
        throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
      }
      c.set('principal', outcome.principal);
    }
    await next();
  });

  for (const route of routes) app.on(route.method, honoPath(route.path), handlerFor(route, services, options.unguardedPrincipal !== undefined));

  const site = options.site && createSiteHandler(options.site);
  const patterns = routes.map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
  const fallback = async (c: Context<Env>) => {
    if (site && (c.req.method === 'GET' || c.req.method === 'HEAD') && !c.req.path.startsWith('/v1/')) {
      const response = await site(c.req.path);
      if (response) {
        response.headers.set('Request-Id', c.get('requestId'));
        return response;
      }
    }
    const allowed = patterns.filter((p) => p.pattern.test(c.req.path)).map((p) => p.method);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      throw new HttpError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(' or ')}`);
    }
    throw new HttpError(404, 'route_not_found', `no route for ${c.req.method} ${c.req.path}`);
  };
  app.all('*', fallback);
  app.notFound(fallback);

  app.onError((error, c) => {
    const requestId = c.get('requestId') ?? newId('req');
    const { status, body, headers } = toErrorResponse(error, requestId);
    if (status >= 500) log(`[${requestId}] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    c.header('Request-Id', requestId);
    return json(c, status, JSON.stringify(body), headers);
  });

  return app;
}
