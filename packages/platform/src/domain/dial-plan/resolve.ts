import type { DialRuleAction, DialRuleRow, NumberRouting, RingGroupRow, RingStrategy, TenantNumberRow, TenantData, TrunkRow } from '../../store/types';
import { asE164 } from './e164';
import { compileDialPlan, type CompiledDialPlan } from './compiled-plan';

/*
 * Where a dialled string goes inside ONE tenant. The SIP edge calls these through the SipDirectory
 * (see domain/sip-directory-contract.ts) and turns the answer into forking, proxying or a final response; nothing
 * here knows SIP. Everything is read through one tenant's DialView, so the answer can never
 * name another tenant's extension, group, trunk or number. Synchronous: the edge answers an INVITE
 * from its in-memory directory (sip-directory-cache.ts) without waiting for the database.
 */

/** One tenant's dial plan as the resolver reads it; the edge's is held in memory, `loadDialView` reads one from the store. */
export interface DialView {
  readonly tenantId: string;
  /** The tenant's rules compiled (plan-cache.ts). */
  readonly plan: CompiledDialPlan;
  hasExtension(number: string): boolean;
  ringGroup(number: string): RingGroupRow | undefined;
  /** One of the tenant's own DIDs by E.164 number. */
  number(e164: string): TenantNumberRow | undefined;
  numbersRoutedTo(routing: NumberRouting): TenantNumberRow[];
  /** All of the tenant's DIDs, and all its rules in position order. */
  numbers(): readonly TenantNumberRow[];
  rules(): readonly DialRuleRow[];
  trunk(id: string): TrunkRow | undefined;
  dialRule(id: string): DialRuleRow | undefined;
}

const PAGE = 500;

/** Every row of a paged tenant collection. */
export async function allPages<T>(list: (page: { limit: number; after?: string }) => Promise<{ items: T[]; next: string | null }>): Promise<T[]> {
  const rows: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list(after === undefined ? { limit: PAGE } : { limit: PAGE, after });
    rows.push(...page.items);
    if (page.next === null) return rows;
    after = page.next;
  }
}

/** A tenant's whole dial plan read from the store into memory (`plan` compiled unless given). */
export async function loadDialView(scope: TenantData, plan?: CompiledDialPlan): Promise<DialView> {
  const [extensions, ringGroups, numbers, rules, trunks] = await Promise.all([
    allPages((p) => scope.extensions.list(p)),
    allPages((p) => scope.ringGroups.list(p)),
    allPages((p) => scope.numbers.list(p)),
    scope.dialRules.all(),
    allPages((p) => scope.trunks.list(p)),
  ]);
  const numbersOfExtensions = new Set(extensions.map((e) => e.number));
  return dialViewOf(scope.tenantId, { hasExtension: (number) => numbersOfExtensions.has(number), ringGroups, numbers, rules, trunks }, plan ?? compileDialPlan(rules));
}

export function dialViewOf(
  tenantId: string,
  rows: { hasExtension(number: string): boolean; ringGroups: readonly RingGroupRow[]; numbers: readonly TenantNumberRow[]; rules: readonly DialRuleRow[]; trunks: readonly TrunkRow[] },
  plan: CompiledDialPlan,
): DialView {
  const groups = new Map(rows.ringGroups.map((g) => [g.number, g]));
  const numbers = new Map(rows.numbers.map((n) => [n.number, n]));
  const rules = new Map(rows.rules.map((r) => [r.id, r]));
  const trunks = new Map(rows.trunks.map((t) => [t.id, t]));
  return {
    tenantId,
    plan,
    hasExtension: rows.hasExtension,
    ringGroup: (number) => groups.get(number),
    number: (e164) => numbers.get(e164),
    // In id order, as the store's routedTo() answers, so "the first DID routed to me" is the same one.
    numbersRoutedTo: (routing) => rows.numbers.filter((n) => n.routing?.type === routing.type && n.routing.target === routing.target),
    numbers: () => rows.numbers,
    rules: () => rows.rules,
    trunk: (id) => trunks.get(id),
    dialRule: (id) => rules.get(id),
  };
}

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

function ringExtension(scope: DialView, number: string): DialResolution {
  return scope.hasExtension(number) ? { kind: 'extension', number } : NOT_FOUND;
}

function ringGroup(scope: DialView, number: string): DialResolution {
  const group = scope.ringGroup(number);
  if (!group) return NOT_FOUND;
  // A member deleted since the group was saved is skipped rather than rung into nothing.
  const members = group.members.filter((m) => scope.hasExtension(m));
  if (members.length === 0) return { kind: 'reject', status: 480, reason: `ring group ${number} has no members` };
  return { kind: 'ring_group', number, members, strategy: group.strategy, timeout: group.memberTimeoutSeconds };
}

/**
 * The caller id for an outbound call: the one asked for if the tenant holds it (anything else is
 * refused, never silently replaced), else a DID routed to the calling extension, else the trunk's
 * default, else nothing to present and the call is refused.
 */
function outboundCallerId(scope: DialView, trunkCallerId: string | null, caller: DialCaller): { ok: true; callerId: string } | { ok: false; reason: string } {
  if (caller.callerId !== undefined) {
    const asked = asE164(caller.callerId);
    if (asked && scope.number(asked)) return { ok: true, callerId: asked };
    return { ok: false, reason: 'caller id is not a number this tenant holds' };
  }
  if (caller.extension !== undefined) {
    const own = scope.numbersRoutedTo({ type: 'extension', target: caller.extension })[0];
    if (own) return { ok: true, callerId: own.number };
  }
  if (trunkCallerId && scope.number(trunkCallerId)) return { ok: true, callerId: trunkCallerId };
  return { ok: false, reason: 'no caller id: the tenant holds no number to present' };
}

function applyAction(scope: DialView, action: DialRuleAction, dialled: string, caller: DialCaller): DialResolution {
  switch (action.type) {
    case 'extension':
      return ringExtension(scope, action.target);
    case 'ring_group':
      return ringGroup(scope, action.target);
    case 'reject':
      return { kind: 'reject', status: action.status, reason: action.reason ?? 'rejected by dial rule' };
    case 'trunk': {
      const trunk = scope.trunk(action.trunkId);
      if (!trunk) return NOT_FOUND;
      const callerId = outboundCallerId(scope, trunk.callerId, caller);
      if (!callerId.ok) return { kind: 'reject', status: 403, reason: callerId.reason };
      return { kind: 'trunk', trunkId: trunk.id, dialString: action.prepend + dialled.slice(action.stripDigits), callerId: callerId.callerId };
    }
  }
}

/** Where a DID of this tenant goes, per its routing. */
function routeDid(scope: DialView, routing: NumberRouting | null, dialled: string, caller: DialCaller): DialResolution {
  if (!routing) return NOT_FOUND;
  switch (routing.type) {
    case 'extension':
      return ringExtension(scope, routing.target);
    case 'ring_group':
      return ringGroup(scope, routing.target);
    case 'dial_rule': {
      const rule = scope.dialRule(routing.target);
      return rule ? applyAction(scope, rule.action, dialled, caller) : NOT_FOUND;
    }
  }
}

/**
 * Dial rules (first match by position), then extensions, then ring groups, then the tenant's own DIDs.
 * The view's plan is the tenant's rules compiled once per change (plan-cache.ts), not per call.
 */
export function resolveDial(scope: DialView, dialled: string, caller: DialCaller = {}): DialResolution {
  const rule = scope.plan.firstMatch(dialled);
  if (rule) return applyAction(scope, rule.action, dialled, caller);
  if (scope.hasExtension(dialled)) return { kind: 'extension', number: dialled };
  if (scope.ringGroup(dialled)) return ringGroup(scope, dialled);
  const e164 = asE164(dialled);
  const did = e164 === undefined ? undefined : scope.number(e164);
  if (did) return routeDid(scope, did.routing, did.number, caller);
  return NOT_FOUND;
}

/** A call to a DID from a carrier: the owning tenant and its route for the number, or undefined when no tenant holds it. */
export function resolveInboundDid(viewOfOwner: (e164: string) => DialView | undefined, number: string, caller: DialCaller = {}): InboundDidResolution | undefined {
  const e164 = asE164(number);
  const scope = e164 === undefined ? undefined : viewOfOwner(e164);
  const row = e164 === undefined ? undefined : scope?.number(e164);
  if (!scope || !row) return undefined;
  return { tenantId: scope.tenantId, numberId: row.id, number: row.number, destination: routeDid(scope, row.routing, row.number, caller) };
}
