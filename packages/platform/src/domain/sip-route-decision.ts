/**
 * The Kamailio edge's routing decision (issue 10, "one dial plan, not two"): the facts of an initial
 * INVITE in, the same dial-plan resolution the embedded edge carries out (sip/routing.ts) out, in the
 * shape Kamailio's `rtjson` executes (SipRoutingDecision). Every target is an address of record built
 * from the caller's own tenant's SIP domain, so no answer can name another tenant's phone whatever
 * the request says; a tenant that is unknown, suspended or not the one the domain belongs to gets a
 * 403, never a route.
 */
import type { SipCallEnded, SipRoutingBranch, SipRoutingDecision, SipRoutingRequest } from '@highrise/sdk/schemas';
import { dispositionFor, type DialResolution, type SipCallRecord, type SipDirectory } from './sip-directory-contract';

/** What the decision reads: the edge's own directory (domain/sip-directory.ts), so both edges answer alike. */
export type RoutingDirectory = Pick<SipDirectory, 'tenantByDomain' | 'user' | 'trunk' | 'resolveDial' | 'resolveInboundDid' | 'trunkById' | 'recordCalls' | 'limits'>;

/**
 * The dial plan's reason goes into a reason phrase and a quoted Reason header at the edge: no quote,
 * backslash or control character may survive (a tenant admin writes it), and it fits the contract.
 */
const reject = (status: number, reason: string): SipRoutingDecision => ({ action: 'reject', status, reason: reason.replace(/["\\\x00-\x1f\x7f]/g, ' ').trim().slice(0, 128) || 'Rejected' });

/**
 * The decision for one INVITE. A call the tenant's dial plan refuses (a reject rule, a number nobody
 * answers to, a group with nobody in it) is recorded here, as the embedded edge records it: the edge
 * relays nothing, so only the platform knows. Refusals before the dial plan (an unknown or suspended
 * tenant, a caller that is gone) are not calls of any tenant's and are not recorded.
 */
export function decideSipRoute(directory: RoutingDirectory, request: SipRoutingRequest, log: (line: string) => void = () => {}, now = () => new Date()): SipRoutingDecision {
  const { decision, byPlan } = decide(directory, request, log);
  if (byPlan && decision.action === 'reject') {
    const at = now();
    directory.recordCalls([
      {
        tenantId: request.tenantId,
        callId: request.callId,
        from: request.from,
        to: request.to,
        direction: request.source === 'trunk' ? 'inbound' : 'internal',
        startedAt: at,
        answeredAt: undefined,
        endedAt: at,
        disposition: dispositionFor(decision.status),
        sipStatus: decision.status,
      },
    ]);
  }
  return decision;
}

/** A call the edge routed, as it ended (SipCallEnded from Kamailio), as the call record the embedded edge would have written. */
export function edgeCallRecord(event: SipCallEnded): SipCallRecord {
  const at = (seconds: number) => new Date(Math.round(seconds * 1000));
  const answered = event.answeredAt !== null && event.sipStatus >= 200 && event.sipStatus < 300;
  const endedAt = Math.max(event.endedAt, event.startedAt);
  return {
    tenantId: event.tenantId,
    callId: event.callId,
    from: event.from,
    to: event.to,
    direction: event.direction,
    startedAt: at(event.startedAt),
    // Kamailio's dialog start is whole seconds: an answer can read as before the INVITE's own time.
    answeredAt: answered ? at(Math.min(Math.max(event.answeredAt!, event.startedAt), endedAt)) : undefined,
    endedAt: at(endedAt),
    disposition: event.limit ? 'limit' : event.cancelled && !answered ? 'cancelled' : dispositionFor(event.sipStatus),
    sipStatus: event.sipStatus,
  };
}

/**
 * Hands the record to `write` (the same CallRecordWriter the embedded edge's records go through).
 * Resolves once the record is committed, so the edge's POST is answered only for a durable record;
 * false when the tenant is not (or no longer) on the platform.
 */
export async function recordEdgeCall(directory: Pick<RoutingDirectory, 'limits'>, write: (records: readonly SipCallRecord[]) => Promise<void>, event: SipCallEnded): Promise<boolean> {
  if (!directory.limits(event.tenantId)) return false;
  await write([edgeCallRecord(event)]);
  return true;
}

function decide(directory: RoutingDirectory, request: SipRoutingRequest, log: (line: string) => void): { decision: SipRoutingDecision; byPlan: boolean } {
  const refuse = (status: number, reason: string) => ({ decision: reject(status, reason), byPlan: false });
  const tenant = directory.tenantByDomain(request.domain);
  // The edge read the tenant id from the domain it authenticated in; both must name one tenant in service.
  if (!tenant || tenant.id !== request.tenantId) return refuse(403, 'unknown domain');
  if (tenant.status !== 'active') return refuse(403, 'tenant suspended');
  const aor = (user: string) => `sip:${user}@${tenant.sipDomain}`;

  let resolution: DialResolution;
  let callerNumber: string | undefined;
  try {
    if (request.source === 'extension') {
      // Deleted since it authenticated (the view and the cache disagree for a moment): no call.
      if (!directory.user(tenant.id, request.from)) return refuse(403, 'caller not found');
      callerNumber = request.from;
      resolution = directory.resolveDial?.(tenant.id, request.to, { extension: request.from }) ?? { kind: 'not_found' };
    } else {
      if (!directory.trunk?.(tenant.id, request.from)) return refuse(403, 'trunk not found');
      const inbound = directory.resolveInboundDid?.(request.to);
      // Another tenant's number looks exactly like a number nobody holds (as on the embedded edge).
      if (!inbound || inbound.tenantId !== tenant.id) return refuse(404, 'Not Found');
      resolution = inbound.destination;
    }
  } catch (error) {
    log(`sip route: dial plan of ${tenant.id} failed for ${request.to}: ${error instanceof Error ? error.message : String(error)}`);
    return refuse(500, 'dial plan failed');
  }

  return { decision: planDecision(directory, resolution, tenant.id, aor, callerNumber), byPlan: true };
}

function planDecision(directory: RoutingDirectory, resolution: DialResolution, tenantId: string, aor: (user: string) => string, callerNumber: string | undefined): SipRoutingDecision {
  switch (resolution.kind) {
    case 'not_found':
      return reject(404, 'Not Found');
    case 'reject':
      return reject(resolution.status, resolution.reason || 'Rejected');
    case 'extension':
      return { action: 'route', version: '1.0', routing: 'serial', routes: [{ uri: aor(resolution.number) }] };
    case 'ring_group': {
      // A member calling its own group does not ring itself; members are the tenant's own extensions.
      const members = resolution.members.filter((n) => n !== callerNumber && directory.user(tenantId, n));
      if (members.length === 0) return reject(480, 'no member available');
      const timer = Math.min(600_000, Math.max(1000, resolution.timeout * 1000));
      const routes: SipRoutingBranch[] = members.map((n) => (resolution.strategy === 'sequential' ? { uri: aor(n), fr_inv_timer: timer, fr_timer: timer } : { uri: aor(n) }));
      return { action: 'route', version: '1.0', routing: resolution.strategy === 'sequential' ? 'serial' : 'parallel', routes };
    }
    case 'trunk': {
      const trunk = directory.trunkById?.(tenantId, resolution.trunkId);
      if (!trunk) return reject(480, 'trunk not registered');
      return {
        action: 'route',
        version: '1.0',
        routing: 'serial',
        routes: [{ uri: aor(trunk.username) }],
        trunk: { dialString: resolution.dialString, callerId: resolution.callerId },
      };
    }
  }
}

/** Where `highrise kamailio-config` keeps the edge's secret (its credential on the internal endpoints); every platform node reads the same row. */
export const EDGE_SECRET_SETTING = 'kamailio.edge_secret';

/**
 * The edge secret as the routing endpoint checks it: read from the settings, kept `ttlMs` (so a
 * rotated secret applies within that time on every node) and never read twice at once.
 */
export function edgeSecretReader(settings: { get(key: string): Promise<string | undefined> }, ttlMs = 10_000, now = () => Date.now()): () => Promise<string | undefined> {
  return settingReader(settings, EDGE_SECRET_SETTING, ttlMs, now);
}

/** One setting read as `edgeSecretReader` reads the edge secret (also the `auth_ephemeral` secret tokens are minted with). */
export function settingReader(settings: { get(key: string): Promise<string | undefined> }, key: string, ttlMs = 10_000, now = () => Date.now()): () => Promise<string | undefined> {
  let cached: { value: string | undefined; at: number } | undefined;
  let reading: Promise<string | undefined> | undefined;
  return async () => {
    // No secret yet is kept for a second only: the first `kamailio-config` must not wait out the TTL.
    if (cached && now() - cached.at < (cached.value === undefined ? Math.min(ttlMs, 1000) : ttlMs)) return cached.value;
    reading ??= settings
      .get(key)
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => (reading = undefined));
    return reading;
  };
}
