import type { Context } from 'hono';
import type { Principal } from '../domain/principal';
import type { TenantAccess } from '../domain/tenants';

/**
 * What the middlewares hand on to each other through the Hono context. Each variable is set by one
 * middleware (named beside it) and read only by those after it in the route's pipeline.
 */
export type HttpEnv = {
  Variables: {
    /** request-id.ts */
    requestId: string;
    /** api-version.ts: the API version the request is served in. */
    version: string;
    /** auth.ts: the client's address with the proxy rules applied. */
    sourceAddress: string | null;
    /** auth.ts: undefined when no key was sent (only public routes let that through). */
    principal: Principal | undefined;
    /** tenant.ts, on tenant routes. */
    tenant: TenantAccess;
    /** body.ts: the bytes as received, counted in the idempotency fingerprint. */
    bytes: Uint8Array;
    /** body.ts: the parsed, not yet validated JSON body. */
    json: unknown;
    /** body.ts, on uploads: a request re-made around the bytes already read. */
    request: Request;
    /** validate.ts */
    query: unknown;
    /** validate.ts */
    body: unknown;
    /** The handler's JSON response bytes (UTF-8) in the latest version's shape, for idempotency.ts to store. */
    responseBytes: Uint8Array;
  };
};

export type HttpContext = Context<HttpEnv>;

/** A JSON answer; bytes go out as they are (no second encoding of a large body). */
export function json(c: Context, status: number, body: string | Uint8Array, headers: Record<string, string> = {}): Response {
  return c.body(body as string, status as 200, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}
