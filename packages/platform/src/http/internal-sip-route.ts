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
import type { HttpContext } from './env';
import type { z } from 'zod';
import { SipCallEnded, SipRoutingDecision, SipRoutingRequest } from '@highrise/sdk/schemas';
import { HttpError } from './errors';
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

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The user name of the edge's HTTP Basic credential (its password is the edge secret). */
export const EDGE_BASIC_USER = 'kamailio';

function edgeCredentialMatches(presented: Buffer, secret: string): boolean {
  const bearer = timingSafeEqual(presented, digest(`Bearer ${secret}`));
  const basic = timingSafeEqual(presented, digest(`Basic ${Buffer.from(`${EDGE_BASIC_USER}:${secret}`).toString('base64')}`));
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
  return validate(schema, parseJsonBody(await c.req.text()), 'body');
}

export function sipRouteHandler(service: SipRoutingService, failed: EdgeAuthFailure) {
  return async (c: HttpContext) => {
    const request = await edgeRequest(c, service, failed, SipRoutingRequest);
    return c.json(SipRoutingDecision.parse(service.decide(request)), 200);
  };
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
