/**
 * `POST /internal/sip/route`: the Kamailio edge asks where an initial INVITE goes; `POST
 * /internal/sip/call-record`: it says how a routed call ended (issue 10,
 * docs/decisions/2026-12-01-kamailio-edge.md). Not /v1 routes and not in the OpenAPI document: the
 * only credential it takes is the edge secret (`kamailio.edge_secret`, which `highrise
 * kamailio-config` renders into kamailio.cfg), as `Bearer <secret>` or as HTTP Basic with user
 * `kamailio` (Kamailio's named http_client connections, one per platform node, can send only that),
 * compared in constant time; an API key of any kind,
 * provider keys included, is just a wrong secret here. The secret is checked before the body is read.
 * A wrong secret counts against the address's failed-authentication allowance, shared with API keys
 * (429 past it), and is audited as `auth.failed.edge_secret`: guessing here is no cheaper than on /v1.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpContext } from './env';
import type { z } from 'zod';
import { SipCallEnded, SipRoutingDecision, SipRoutingRequest } from '@highrise/sdk/schemas';
import { newId } from '../ids';
import { HttpError, toErrorResponse } from './errors';
import { readBytes, readIncoming } from './middleware/body';
import { parseJsonBody, validate } from './validation';

export const SIP_ROUTE_PATH = '/internal/sip/route';
export const SIP_CALL_RECORD_PATH = '/internal/sip/call-record';

/** A routing request is a few hundred bytes; anything much bigger is not from our edge. */
const MAX_BODY_BYTES = 4096;

export interface SipRoutingService {
  /** The edge secret, or undefined when no Kamailio edge was ever configured (then every call is 401). */
  edgeSecret(): Promise<string | undefined>;
  decide(request: SipRoutingRequest): SipRoutingDecision;
  /** Stores how a routed call ended, resolving once it is committed; false when its tenant is unknown. */
  recordCall(event: SipCallEnded): Promise<boolean>;
}

const UTF8 = new TextDecoder();

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The user name of the edge's HTTP Basic credential (its password is the edge secret). */
export const EDGE_BASIC_USER = 'kamailio';

/** The digests of both accepted forms of the current secret, made once per secret (not per request). */
let expected: { secret: string; bearer: Buffer; basic: Buffer } | undefined;

function edgeCredentialMatches(presented: Buffer, secret: string): boolean {
  if (expected?.secret !== secret) {
    expected = { secret, bearer: digest(`Bearer ${secret}`), basic: digest(`Basic ${Buffer.from(`${EDGE_BASIC_USER}:${secret}`).toString('base64')}`) };
  }
  const bearer = timingSafeEqual(presented, expected.bearer);
  const basic = timingSafeEqual(presented, expected.basic);
  return bearer || basic;
}

/** Counts a failed attempt from this request's address: throws 429 past the allowance, else returns (then 401). */
export type EdgeAuthFailure = (c: HttpContext) => Promise<void>;

async function unauthenticated(c: HttpContext, failed: EdgeAuthFailure): Promise<never> {
  await failed(c);
  c.header('WWW-Authenticate', 'Bearer realm="sip-edge"');
  throw new HttpError('unauthenticated', 'send the edge secret as `Authorization: Bearer <secret>`');
}

/** The edge secret, or a 401; then a small JSON body validated against `schema`. */
async function edgeRequest<S extends z.ZodType>(c: HttpContext, service: SipRoutingService, failed: EdgeAuthFailure, schema: S): Promise<z.output<S>> {
  const secret = await service.edgeSecret();
  const presented = c.req.header('Authorization')?.trim();
  // Equal-length digests: the comparison takes the same time whatever was sent (both forms are compared).
  if (secret === undefined || presented === undefined || !edgeCredentialMatches(digest(presented), secret)) await unauthenticated(c, failed);
  if (Number(c.req.header('Content-Length') ?? MAX_BODY_BYTES + 1) > MAX_BODY_BYTES) {
    throw new HttpError('payload_too_large', `edge requests carry a Content-Length of at most ${MAX_BODY_BYTES} bytes`);
  }
  // From Node's stream where the app is served by @hono/node-server (no web Request and stream built
  // around a few hundred bytes: that cost more than the decision).
  const bytes = await readBytes(c, MAX_BODY_BYTES);
  return validate(schema, parseJsonBody(UTF8.decode(bytes)), 'body');
}

/** The decision for a routing request's body (already authenticated): the one step both paths below share. */
function routingAnswer(service: SipRoutingService, request: SipRoutingRequest): SipRoutingDecision {
  return SipRoutingDecision.parse(service.decide(request));
}

export function sipRouteHandler(service: SipRoutingService, failed: EdgeAuthFailure) {
  return async (c: HttpContext) => c.json(routingAnswer(service, await edgeRequest(c, service, failed, SipRoutingRequest)), 200);
}

/** A Node request listener, as @hono/node-server serves the app. */
export type NodeListener = (request: IncomingMessage, response: ServerResponse) => unknown;

export interface SipRouteFastPathOptions {
  /** Operator metrics' request counter (what the app's middleware counts for every other answer). */
  observe?: ((route: string, method: string, status: number) => void) | undefined;
  log?: ((line: string) => void) | undefined;
}

/**
 * Kamailio asks `POST /internal/sip/route` for every INVITE. Through Hono and its Node adapter
 * (a web Request, Headers and URL built per request, the app-wide middlewares) an answer cost the
 * platform twice the CPU of Node's own HTTP handling, and on a loaded machine every call waits for
 * that CPU (docs/decisions/2026-12-02-kamailio-policy-cost.md). So a routing request that carries
 * the edge secret and a Content-Length within the limit is answered here, on Node's own objects,
 * with the same checks and the same decision (`routingAnswer`), error bodies included. Anything
 * else goes on to `app` unread, which answers it as before: a wrong or missing secret is a 401
 * there, counted against the address's allowance; no or a large Content-Length, a 413.
 */
export function withSipRouteFastPath(service: SipRoutingService, app: NodeListener, options: SipRouteFastPathOptions = {}): NodeListener {
  return (request, response) => {
    if (request.method !== 'POST' || request.url !== SIP_ROUTE_PATH) return app(request, response);
    // Node does not look at a listener's promise: nothing may reject from here (an unhandled rejection ends the process).
    return answerRouting(service, app, options, request, response).catch((error: unknown) => {
      options.log?.(`POST ${SIP_ROUTE_PATH} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      response.destroy();
    });
  };
}

async function answerRouting(service: SipRoutingService, app: NodeListener, options: SipRouteFastPathOptions, request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  // A secret that cannot be read is the app's to report (a 500 there, as before).
  const secret = await service.edgeSecret().catch(() => undefined);
  const presented = request.headers.authorization?.trim();
  const declared = Number(request.headers['content-length'] ?? MAX_BODY_BYTES + 1);
  if (secret === undefined || presented === undefined || !edgeCredentialMatches(digest(presented), secret) || !(declared <= MAX_BODY_BYTES)) {
    return app(request, response);
  }
  const requestId = newId('req');
  let status = 200;
  let body: string;
  let headers: Record<string, string> = {};
  try {
    const bytes = await readIncoming(request, MAX_BODY_BYTES);
    body = JSON.stringify(routingAnswer(service, validate(SipRoutingRequest, parseJsonBody(UTF8.decode(bytes)), 'body')));
  } catch (error) {
    const answer = toErrorResponse(error, requestId);
    if (answer.status >= 500) options.log?.(`[${requestId}] POST ${SIP_ROUTE_PATH} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    ({ status } = answer);
    body = JSON.stringify(answer.body);
    headers = answer.headers ?? {};
  }
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Request-Id': requestId, ...headers });
  response.end(body);
  options.observe?.(SIP_ROUTE_PATH, 'POST', status);
  return undefined;
}

/**
 * `POST /internal/sip/call-record`: 202 once the record is committed (it joins the next batch of the
 * call record writer, so this waits a commit, not a transaction of its own). A 202 is a stored
 * record: Kamailio does not retry, and a record acknowledged before it was durable could be lost to
 * a stop. (202 rather than 201 or 204: the status kamailio.cfg checks since the first release.)
 */
export function sipCallRecordHandler(service: SipRoutingService, failed: EdgeAuthFailure) {
  return async (c: HttpContext) => {
    const event = await edgeRequest(c, service, failed, SipCallEnded);
    if (!(await service.recordCall(event))) throw new HttpError('not_found', 'no such tenant', [{ field: 'tenantId', issue: 'no tenant with this id' }]);
    return c.body(null, 202);
  };
}
