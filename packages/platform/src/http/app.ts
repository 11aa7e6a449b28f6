import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { AuthCache } from '../domain/auth-cache';
import { AuthFailureLimiter } from '../domain/auth-failures';
import type { Principal } from '../domain/principal';
import { newId } from '../ids';
import { clientAddressResolver } from './client-address';
import { json, type HttpContext, type HttpEnv } from './env';
import { HttpError, toErrorResponse } from './errors';
import { SIP_CALL_RECORD_PATH, SIP_ROUTE_PATH, sipCallRecordHandler, sipRouteHandler, type SipRoutingService } from './internal-sip-route';
import type { OperatorMetrics } from './metrics';
import { apiVersion } from './middleware/api-version';
import { authenticate, countFailedAuthentication, sourceOf } from './middleware/auth';
import { observeRequests } from './middleware/metrics';
import { requestId } from './middleware/request-id';
import { routePipeline } from './pipeline';
import type { AppServices, RouteDef } from './route';
import { createSiteHandler, type SiteOptions } from './site';

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

/**
 * The API as Hono middleware: app-wide request id, metrics, version and authentication, then per
 * route the pipeline.ts steps (scope, tenant gate, permission, query, body, idempotency, body
 * validation) and the handler; errors from any step go through the one `onError`.
 */
export function createApp(options: AppOptions): Hono<HttpEnv> {
  const { services, routes } = options;
  const log = options.log ?? (() => {});
  const app = new Hono<HttpEnv>();

  const templates = routes.map((r) => ({ method: r.method, path: r.path, pattern: pathPattern(r.path) }));
  const routeTemplate = (method: string, path: string): string => {
    if (path === '/metrics') return '/metrics';
    if (path === SIP_ROUTE_PATH || path === SIP_CALL_RECORD_PATH) return path;
    const exact = templates.find((t) => t.method === method && t.pattern.test(path)) ?? templates.find((t) => t.pattern.test(path));
    return exact?.path ?? (path.startsWith('/v1/') ? 'unmatched' : 'site');
  };

  app.use('*', requestId());
  if (options.metrics) app.use('*', observeRequests(options.metrics, routeTemplate));
  app.use('*', apiVersion());

  app.get('/metrics', async (c) => {
    const scraped = options.metrics && (await options.metrics.scrape(c.req.header('Authorization')));
    if (!options.metrics) throw new HttpError('route_not_found', 'no route for GET /metrics');
    if (!scraped) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HttpError('unauthenticated', 'send the metrics token as `Authorization: Bearer <token>`');
    }
    return c.body(scraped.body, 200, { 'Content-Type': scraped.contentType });
  });

  // One failed-authentication allowance per address, whichever credential was wrong.
  const failures = options.authFailures ?? new AuthFailureLimiter();
  const clientAddress = clientAddressResolver(options.trustProxy);

  // Outside /v1: the edge authenticates with its own secret (internal-sip-route.ts), not an API key.
  if (options.sipRouting) {
    const failed = (c: HttpContext) =>
      countFailedAuthentication(c, services.domain, failures, sourceOf(c, clientAddress), { scope: null, action: 'auth.failed.edge_secret', targetId: 'sip_edge' });
    app.post(SIP_ROUTE_PATH, sipRouteHandler(options.sipRouting, failed));
    app.post(SIP_CALL_RECORD_PATH, sipCallRecordHandler(options.sipRouting, failed));
  }

  // The principal is resolved once here; each route's pipeline only checks its kind and permissions.
  app.use(
    '/v1/*',
    authenticate({ domain: services.domain, cache: new AuthCache(), failures, clientAddress, unguardedPrincipal: options.unguardedPrincipal }),
  );

  const unguarded = options.unguardedPrincipal !== undefined;
  for (const route of routes) {
    // Hono's overloads are written for a fixed number of handlers; a pipeline's length varies by route.
    const [first, ...rest] = routePipeline(route, { services, unguarded }) as [MiddlewareHandler<HttpEnv>, ...MiddlewareHandler<HttpEnv>[]];
    app.on(route.method, honoPath(route.path), first, ...rest);
  }

  const site = options.site && createSiteHandler(options.site);
  const patterns = routes.map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
  const fallback = async (c: Context<HttpEnv>) => {
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
      throw new HttpError('method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(' or ')}`);
    }
    throw new HttpError('route_not_found', `no route for ${c.req.method} ${c.req.path}`);
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
