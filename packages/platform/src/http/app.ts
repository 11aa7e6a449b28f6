import { Hono, type Context } from 'hono';
import { authenticate } from '../domain/api-keys';
import { beginIdempotent, completeIdempotent, releaseIdempotent, requestFingerprint } from '../domain/idempotency';
import type { Actor, Principal } from '../domain/principal';
import { accessTenant } from '../domain/tenants';
import { newId } from '../ids';
import { HttpError, toErrorResponse } from './errors';
import type { AppServices, RouteDef } from './route';
import { createSiteHandler, type SiteOptions } from './site';
import { parseJsonBody, validate } from './validation';
import { resolveVersion } from './version';

type Env = { Variables: { requestId: string; principal: Principal | undefined } };

/** Request bodies are small JSON documents; anything bigger is refused before parsing. */
const MAX_BODY_BYTES = 1_000_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface AppOptions {
  services: AppServices;
  routes: readonly RouteDef[];
  site?: SiteOptions | undefined;
  log?: ((line: string) => void) | undefined;
}

const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathPattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);

function json(c: Context, status: number, text: string, headers: Record<string, string> = {}): Response {
  return c.body(text, status as 200, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

async function readBody(c: Context): Promise<string> {
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  return text;
}

function checkScope(route: RouteDef, principal: Principal | undefined): void {
  if (route.scope === 'public') return;
  if (!principal) throw new HttpError(401, 'unauthenticated', 'send an API key as `Authorization: Bearer <key>`');
  if (route.scope === 'provider' && principal.kind !== 'provider') throw new HttpError(403, 'permission_denied', 'only provider keys may do this');
  if (route.scope === 'platform' && principal.kind === 'tenant') throw new HttpError(403, 'permission_denied', 'tenant keys may not do this');
}

/** Turns one route of the table into a Hono handler: scope, tenant gate, validation, idempotency, response schema. */
function handlerFor(route: RouteDef, services: AppServices) {
  return async (c: Context<Env>) => {
    const principal = c.get('principal');
    checkScope(route, principal);
    const params = c.req.param() as Record<string, string>;
    // The tenant gate runs before anything reads the input, so a foreign tenant is a plain 404.
    const tenant = route.scope === 'tenant' ? accessTenant(services.domain, principal!, params.tenantId ?? '') : undefined;
    const query = route.query ? validate(route.query, c.req.query(), 'query') : undefined;
    const raw = route.body ? parseJsonBody(await readBody(c)) : undefined;
    const actor: Actor | undefined = principal && { principal, requestId: c.get('requestId') };

    const idempotencyKey = route.method === 'POST' && principal ? c.req.header('Idempotency-Key') : undefined;
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new HttpError(400, 'validation_error', 'Idempotency-Key must be 1 to 255 printable characters', [
          { field: 'header.Idempotency-Key', issue: 'must be 1 to 255 printable ASCII characters' },
        ]);
      }
      const start = beginIdempotent(services.domain, principal!.keyId, idempotencyKey, requestFingerprint(route.method, c.req.path, raw));
      if (start.kind === 'reused') throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      if (start.kind === 'in_use') throw new HttpError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still in progress');
      if (start.kind === 'replay') return json(c, start.status, start.body, { 'Idempotent-Replayed': 'true' });
    }

    try {
      const body = route.body ? validate(route.body, raw, 'body') : undefined;
      const result = await route.handle({ services, params, query, body, principal, actor, tenant });
      // Responses go out in exactly the SDK's shape; a mismatch is our bug and fails loudly as a 500.
      const text = JSON.stringify(route.response.schema.parse(result));
      if (idempotencyKey !== undefined) completeIdempotent(services.domain, principal!.keyId, idempotencyKey, route.response.status, text);
      return json(c, route.response.status, text);
    } catch (error) {
      if (idempotencyKey !== undefined) releaseIdempotent(services.domain, principal!.keyId, idempotencyKey);
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
    c.header('Highrise-Version', resolveVersion(c.req.header('Highrise-Version')));
    await next();
  });

  // The principal is resolved once here; routes only check its kind.
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('Authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match ? authenticate(services.domain, match[1]!) : undefined;
      if (!principal) throw new HttpError(401, 'unauthenticated', 'the API key is not valid');
      c.set('principal', principal);
    }
    await next();
  });

  for (const route of routes) app.on(route.method, honoPath(route.path), handlerFor(route, services));

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
    const { status, body } = toErrorResponse(error, requestId);
    if (status >= 500) log(`[${requestId}] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    c.header('Request-Id', requestId);
    return json(c, status, JSON.stringify(body));
  });

  return app;
}
