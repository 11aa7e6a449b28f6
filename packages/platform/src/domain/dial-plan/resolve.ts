import type { DialRuleAction, NumberRouting, RingStrategy, Store, TenantScope } from '../../store/types';
import { asE164 } from './e164';
import { compileDialPlan, type CompiledDialPlan } from './compiled-plan';

/*
 * Where a dialled string goes inside ONE tenant. The SIP edge calls these through the SipDirectory
 * (see domain/sip-directory-contract.ts) and turns the answer into forking, proxying or a final response; nothing
 * here knows SIP. Everything is read through the caller's tenant scope, so the answer can never
 * name another tenant's extension, group, trunk or number.
 */

/** The caller of a dial: who is calling and which caller id they asked to present, if any. */
export interface DialCaller {
  /** The calling extension's number; absent for a call arriving on a trunk. */
  extension?: string | undefined;
  /** A caller id the caller asked for (From user, P-Asserted-Identity); checked against the tenant's DIDs. */
  callerId?: string | undefined;
}

export type DialResolution =
  /** Ring this extension of the tenant. */
  | { kind: 'extension'; number: string }
  /** Fork to `members` at once, or ring them in order, each for `timeout` seconds. */
  | { kind: 'ring_group'; number: string; members: string[]; strategy: RingStrategy; timeout: number }
  /** Send out on the tenant's trunk: `dialString` after strip/prepend, presenting `callerId` (a DID the tenant holds). */
  | { kind: 'trunk'; trunkId: string; dialString: string; callerId: string }
  /** Answer with this final SIP status. */
  | { kind: 'reject'; status: number; reason: string }
  /** Nothing in the tenant answers to this: the edge answers 404. */
  | { kind: 'not_found' };

export interface InboundDidResolution {
  tenantId: string;
  numberId: string;
  /** The E.164 number called. */
  number: string;
  /** The owning tenant's route for it; `not_found` when the tenant has not routed the number. */
  destination: DialResolution;
}

const NOT_FOUND: DialResolution = { kind: 'not_found' };

async /*@am*/ function ringExtension(scope: TenantScope, number: string): Promise<DialResolution> {
  return await scope.extensions.getByNumber(number) ? { kind: 'extension', number } : NOT_FOUND;
}

async /*@am*/ function ringGroup(scope: TenantScope, number: string): Promise<DialResolution> {
  const group = await scope.ringGroups.getByNumber(number);
  if (!group) return NOT_FOUND;
  // A member deleted since the group was saved is skipped rather than rung into nothing.
  const members = group.members.filter((m) => scope.extensions.getByNumber(m));
  if (members.length === 0) return { kind: 'reject', status: 480, reason: `ring group ${number} has no members` };
  return { kind: 'ring_group', number, members, strategy: group.strategy, timeout: group.memberTimeoutSeconds };
}

/**
 * The caller id for an outbound call: the one asked for if the tenant holds it (anything else is
 * refused, never silently replaced), else a DID routed to the calling extension, else the trunk's
 * default, else nothing to present and the call is refused.
 */
async /*@am*/ function outboundCallerId(scope: TenantScope, trunkCallerId: string | null, caller: DialCaller): Promise<{ ok: true; callerId: string } | { ok: false; reason: string }> {
  if (caller.callerId !== undefined) {
    const asked = asE164(caller.callerId);
    if (asked && await scope.numbers.getByNumber(asked)) return { ok: true, callerId: asked };
    return { ok: false, reason: 'caller id is not a number this tenant holds' };
  }
  if (caller.extension !== undefined) {
    const own = (await scope.numbers.routedTo({ type: 'extension', target: caller.extension }))[0];
    if (own) return { ok: true, callerId: own.number };
  }
  if (trunkCallerId && await scope.numbers.getByNumber(trunkCallerId)) return { ok: true, callerId: trunkCallerId };
  return { ok: false, reason: 'no caller id: the tenant holds no number to present' };
}

async /*@am*/ function applyAction(scope: TenantScope, action: DialRuleAction, dialled: string, caller: DialCaller): Promise<DialResolution> {
  switch (action.type) {
    case 'extension':
      return ringExtension(scope, action.target);
    case 'ring_group':
      return ringGroup(scope, action.target);
    case 'reject':
      return { kind: 'reject', status: action.status, reason: action.reason ?? 'rejected by dial rule' };
    case 'trunk': {
      const trunk = await scope.trunks.get(action.trunkId);
      if (!trunk) return NOT_FOUND;
      const callerId = await outboundCallerId(scope, trunk.callerId, caller);
      if (!callerId.ok) return { kind: 'reject', status: 403, reason: callerId.reason };
      return { kind: 'trunk', trunkId: trunk.id, dialString: action.prepend + dialled.slice(action.stripDigits), callerId: callerId.callerId };
    }
  }
}

/** Where a DID of this tenant goes, per its routing. */
async /*@am*/ function routeDid(scope: TenantScope, routing: NumberRouting | null, dialled: string, caller: DialCaller): Promise<DialResolution> {
  if (!routing) return NOT_FOUND;
  switch (routing.type) {
    case 'extension':
      return ringExtension(scope, routing.target);
    case 'ring_group':
      return ringGroup(scope, routing.target);
    case 'dial_rule': {
      const rule = await scope.dialRules.get(routing.target);
      return rule ? await applyAction(scope, rule.action, dialled, caller) : NOT_FOUND;
    }
  }
}

/**
 * Dial rules (first match by position), then extensions, then ring groups, then the tenant's own DIDs.
 * `plan` is the tenant's rules compiled: the SIP directory passes the cached one (plan-cache.ts);
 * without it the rules are loaded and compiled for this one call.
 */
export async /*@am*/ function resolveDial(
  scope: TenantScope,
  dialled: string,
  caller: DialCaller = {},
  plan: CompiledDialPlan = compileDialPlan(await scope.dialRules.all()),
): Promise<DialResolution> {
  const rule = plan.firstMatch(dialled);
  if (rule) return applyAction(scope, rule.action, dialled, caller);
  if (await scope.extensions.getByNumber(dialled)) return { kind: 'extension', number: dialled };
  if (await scope.ringGroups.getByNumber(dialled)) return ringGroup(scope, dialled);
  const e164 = asE164(dialled);
  const did = e164 === undefined ? undefined : await scope.numbers.getByNumber(e164);
  if (did) return routeDid(scope, did.routing, did.number, caller);
  return NOT_FOUND;
}

/** A call to a DID from a carrier: the owning tenant and its route for the number, or undefined when no tenant holds it. */
export async /*@am*/ function resolveInboundDid(store: Store, number: string, caller: DialCaller = {}): Promise<InboundDidResolution | undefined> {
  const e164 = asE164(number);
  const row = e164 === undefined ? undefined : await store.numbers.getByNumber(e164);
  if (!row || row.tenantId === null) return undefined;
  const scope = store.tenant(row.tenantId);
  return { tenantId: row.tenantId, numberId: row.id, number: row.number, destination: await routeDid(scope, row.routing, row.number, caller) };
}
