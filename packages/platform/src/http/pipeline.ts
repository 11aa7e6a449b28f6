import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { Actor } from '../domain/principal';
import { answerBytes } from './answer-bytes';
import { json, type HttpEnv } from './env';
import { apiVersionErrors } from './middleware/api-version';
import { authErrors } from './middleware/auth';
import { jsonBody, jsonBodyErrors, uploadBody, uploadErrors } from './middleware/body';
import { idempotency, idempotencyErrors, inVersion } from './middleware/idempotency';
import { permissionErrors, requirePermission } from './middleware/permission';
import { requireScope, scopeErrors } from './middleware/scope';
import { deletedTenantErrors, deletedTenantGate, tenantErrors, tenantGate, unguardedTenantGate } from './middleware/tenant';
import { validateBody, validateQuery, validationErrors } from './middleware/validate';
import { checkedResponse } from './response-check';
import type { AppServices, RouteDef } from './route';

export interface PipelineOptions {
  services: AppServices;
  /** Benchmarks only (AppOptions.unguardedPrincipal): no scope or permission check, and a tenant gate that does not ask. */
  unguarded: boolean;
}

/** One step of a route's pipeline: the codes it can answer with, and how to make its middleware. */
interface Stage {
  errors: readonly ErrorCode[];
  /** Undefined: the step is skipped in this app (the unguarded benchmark copy). */
  create(options: PipelineOptions): MiddlewareHandler<HttpEnv> | undefined;
}

/**
 * A route's own steps, in the order they run (after the app-wide request id, metrics, version and
 * authentication). The order is the contract: who you are, then which tenant (a foreign one is a
 * 404 before anything else is said), then whether your role may, then the input; the idempotency
 * claim wraps body validation and the handler so that a refused body frees the key.
 */
function stagesOf(route: RouteDef): Stage[] {
  const stages: Stage[] = [];
  if (route.scope !== 'public') {
    const scope = route.scope;
    stages.push({ errors: scopeErrors(scope), create: ({ unguarded }) => (unguarded ? undefined : requireScope(scope)) });
  }
  if (route.scope === 'tenant') {
    stages.push({ errors: tenantErrors, create: ({ services, unguarded }) => (unguarded ? unguardedTenantGate : tenantGate)(services.domain) });
  }
  const permission = route.permission;
  if (permission) stages.push({ errors: permissionErrors, create: ({ unguarded }) => (unguarded ? undefined : requirePermission(permission)) });
  if (route.scope === 'tenant' && route.method !== 'GET' && !route.allowDeletedTenant) {
    stages.push({ errors: deletedTenantErrors, create: () => deletedTenantGate(route.operationId) });
  }
  const query = route.query;
  if (query) stages.push({ errors: validationErrors, create: () => validateQuery(query) });
  const upload = route.upload;
  if (route.body) stages.push({ errors: jsonBodyErrors, create: () => jsonBody() });
  else if (upload) stages.push({ errors: uploadErrors, create: () => uploadBody(upload.maxBytes) });
  // The claim is per API key: a request without one passes through (idempotency.ts).
  const oneTransaction = route.oneTransaction === true;
  if (route.method === 'POST') stages.push({ errors: idempotencyErrors, create: ({ services }) => idempotency(services.domain, { oneTransaction }) });
  const body = route.body;
  if (body) stages.push({ errors: validationErrors, create: () => validateBody(body) });
  return stages;
}

/** The route's handler as the last step: hands it what the steps before resolved, and sends its answer in the SDK's shape. */
function respond(route: RouteDef, services: AppServices): MiddlewareHandler<HttpEnv> {
  return async (c) => {
    const principal = c.get('principal');
    const actor: Actor | undefined = principal && { principal, requestId: c.get('requestId'), sourceAddress: c.get('sourceAddress') };
    const result = await route.handle({
      services,
      params: c.req.param(),
      query: c.get('query'),
      body: c.get('body'),
      principal,
      actor,
      tenant: c.get('tenant'),
      request: c.get('request') ?? c.req.raw,
      sourceAddress: c.get('sourceAddress'),
      version: c.get('version'),
    });
    // A file download answers with its own bytes and headers, and the ones every answer carries.
    if (result instanceof Response) {
      result.headers.set('Request-Id', c.get('requestId'));
      result.headers.set('Highrise-Version', c.get('version'));
      return result;
    }
    // Responses go out in exactly the SDK's shape; a mismatch is our bug and fails loudly as a 500.
    // Stored (idempotency.ts) in the latest version's shape; answered in the version asked for.
    // Encoded once: the same bytes are sent and stored (a large answer into a kept buffer, answer-bytes.ts).
    const bytes = answerBytes(c, checkedResponse(route.response, result));
    c.set('responseBytes', bytes);
    return json(c, route.response.status, inVersion(c.get('version'), bytes));
  };
}

/** The middlewares and handler to register for one route. */
export function routePipeline(route: RouteDef, options: PipelineOptions): MiddlewareHandler<HttpEnv>[] {
  const steps = stagesOf(route)
    .map((stage) => stage.create(options))
    .filter((step): step is MiddlewareHandler<HttpEnv> => step !== undefined);
  return [...steps, respond(route, options.services)];
}

/**
 * Every code a route can answer with, for its OpenAPI operation: the app-wide steps' (version
 * header; authentication under /v1), its own steps', `not_found` where the path names a resource,
 * the codes the route declares for its domain calls, and `internal_error`.
 */
export function errorCodesOf(route: RouteDef): ErrorCode[] {
  const codes = new Set<ErrorCode>(apiVersionErrors);
  if (route.path.startsWith('/v1/')) for (const code of authErrors) codes.add(code);
  for (const stage of stagesOf(route)) for (const code of stage.errors) codes.add(code);
  if (/\{(?!tenantId\})\w+\}/.test(route.path)) codes.add('not_found');
  for (const code of route.errors ?? []) codes.add(code);
  codes.add('internal_error');
  return [...codes];
}
