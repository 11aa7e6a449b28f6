import { newId } from '../../ids';
import type { PortDocumentKindName, PortEventRow, PortOrderPatch, PortOrderRow, PortStatus } from '../../store/porting-types';
import type { Page, PageQuery } from '../../store/types';
import { appendAuditEvent } from '../audit';
import { recordAudit, type DomainContext } from '../context';
import { normaliseE164 } from '../dial-plan/e164';
import { InvalidReference, isDomainError, LimitExceeded, NotFound, PermissionDenied } from '../errors';
import { isTenantLevel, type Actor } from '../principal';
import type { TenantAccess } from '../tenants';
import { systemScope } from '../system-scope';
import { emitPortOrderEvent } from './events';
import { InvalidFields, InvalidState, NumbersUnavailable, RequirementsMissing } from './errors';
import { holdsNumbers, transition } from './state-machine';
import type { PortOrderAction } from '@highrise/sdk/schemas';
import { lockTenantLimits } from '../tenant-lock';

/*
 * Port orders: a tenant asks to bring numbers it holds at another carrier. The order is edited in
 * draft (and again in exception), submitted once its documents are attached, and then driven by the
 * carrier through the automation loop (automation.ts), or, without a carrier, by a reviewer
 * (review.ts). Every status change is a compare-and-set on the status that was read, in one
 * transaction with its timeline entry, audit event and webhook event, so a crash or a racing actor
 * can neither skip nor repeat a step. An order holds its numbers only while it is submitted,
 * in_review or foc_scheduled (state-machine.ts `holdsNumbers`), never as a draft.
 */

export const REQUIRED_DOCUMENTS: readonly PortDocumentKindName[] = ['loa', 'bill'];

export interface PortOrderView {
  order: PortOrderRow;
  numbers: string[];
  missing: PortDocumentKindName[];
}

export interface PortOrderInput {
  numbers: string[];
  losingCarrier: { name: string; accountNumber: string; pin: string };
  authorisedPerson: PortOrderRow['authorisedPerson'];
  serviceAddress: PortOrderRow['serviceAddress'];
  requestedFocDate: string;
  defaultDestination: PortOrderRow['destination'];
}

export type PortOrderChanges = Partial<Omit<PortOrderInput, 'losingCarrier'>> & {
  losingCarrier?: { name?: string | undefined; accountNumber?: string | undefined; pin?: string | undefined } | undefined;
};

/** Who moved an order: a caller's key, the carrier (the automation loop), or the platform itself (review queue, draft expiry). */
export type PortActor = { kind: 'api_key'; actor: Actor } | { kind: 'carrier' } | { kind: 'system' };

const PAST: Record<PortOrderAction, string> = {
  update: 'updated',
  attach_document: 'document_attached',
  submit: 'submitted',
  cancel: 'cancelled',
  review: 'reviewed',
  schedule_foc: 'foc_scheduled',
  complete: 'completed',
  raise_exception: 'exception_raised',
  approve: 'approved',
  reject: 'rejected',
};

/** The order as the audit log sees it: secret-named fields are redacted by the audit writer itself. */
const auditView = (order: PortOrderRow, numbers: readonly string[]) => ({
  status: order.status,
  numbers: numbers.length,
  carrierName: order.carrierName,
  accountNumber: order.accountNumber,
  pin: order.pin,
  authorisedPerson: order.authorisedPerson,
  serviceAddress: order.serviceAddress,
  requestedFocDate: order.requestedFocDate,
  focDate: order.focDate,
  destination: order.destination,
  exceptionReason: order.exceptionReason,
});

/** Every number in E.164, every wrong or repeated one named by its index. */
function normaliseNumbers(input: readonly string[]): string[] {
  const problems: { field: string; issue: string }[] = [];
  const seen = new Map<string, number>();
  const out = input.map((raw, i) => {
    try {
      const number = normaliseE164(raw, `numbers.${i}`);
      const first = seen.get(number);
      if (first !== undefined) problems.push({ field: `numbers.${i}`, issue: `repeats numbers.${first} (${number})` });
      else seen.set(number, i);
      return number;
    } catch (error) {
      if (!isDomainError(error)) throw error;
      problems.push(...error.details);
      return '';
    }
  });
  if (problems.length > 0) throw new InvalidFields(problems);
  return out;
}

/**
 * 409 numbers_unavailable listing each number held elsewhere: on the platform, or held by a
 * submitted order. What belongs to another tenant (or to nobody yet) reads the same, "is not
 * available", so the answer names no other tenant and no other order; the tenant's own claims are
 * named, its own orders by id. Drafts hold nothing, so they never appear here.
 */
async function checkAvailable(ctx: DomainContext, tenantId: string, numbers: readonly string[], exceptOrderId?: string): Promise<void> {
  const claims = new Map((await ctx.store.porting.numberClaimsAcrossTenants(numbers, exceptOrderId)).map((c) => [c.number, c]));
  const unavailable = numbers.flatMap((number, index) => {
    const claim = claims.get(number);
    if (!claim) return [];
    if (claim.tenantId !== tenantId) return [{ index, number, why: 'is not available' }];
    return [{ index, number, why: claim.orderId === null ? "is already this tenant's number" : `is held by this tenant's port order ${claim.orderId}` }];
  });
  if (unavailable.length > 0) throw new NumbersUnavailable(unavailable);
}

/** 422 limit_exceeded when the tenant already has `limits.openPortOrders` orders neither completed nor cancelled (besides `exceptOrderId`). */
async function checkOpenOrderLimit(ctx: DomainContext, access: TenantAccess, exceptOrderId?: string): Promise<void> {
  // Locked and read fresh: two nodes cannot both open the last order allowed, and a PATCH of the
  // limit applies to the next request.
  const limit = (await lockTenantLimits(ctx, access)).openPortOrders;
  if (await access.scope.portOrders.countOpen(exceptOrderId) >= limit) throw new LimitExceeded('open port orders', limit);
}

async function checkDestination(access: TenantAccess, destination: PortOrderRow['destination']): Promise<void> {
  const exists = destination.type === 'extension' ? await access.scope.extensions.getByNumber(destination.target) : await access.scope.ringGroups.getByNumber(destination.target);
  if (!exists) throw new InvalidReference('defaultDestination.target', `no ${destination.type.replace('_', ' ')} ${destination.target} in this tenant`);
}

async function load(access: TenantAccess, id: string): Promise<PortOrderRow> {
  const order = await access.scope.portOrders.get(id);
  if (!order) throw new NotFound('port_order');
  return order;
}

export async function viewOf(access: TenantAccess, order: PortOrderRow, numbers?: string[], documentKinds?: readonly PortDocumentKindName[]): Promise<PortOrderView> {
  const kinds = new Set(documentKinds ?? await access.scope.portOrders.documents.kinds(order.id));
  return { order, numbers: numbers ?? await access.scope.portOrders.numbers(order.id), missing: REQUIRED_DOCUMENTS.filter((k) => !kinds.has(k)) };
}

/** Views of one tenant's orders for a list page: their numbers and document kinds in two queries, not two per order. */
export async function viewsOf(access: TenantAccess, orders: readonly PortOrderRow[]): Promise<Map<string, PortOrderView>> {
  const ids = orders.map((o) => o.id);
  const [numbers, kinds] = await Promise.all([access.scope.portOrders.numbersOf(ids), access.scope.portOrders.documents.kindsOf(ids)]);
  const views = await Promise.all(orders.map((o) => viewOf(access, o, numbers.get(o.id) ?? [], kinds.get(o.id) ?? [])));
  return new Map(views.map((v) => [v.order.id, v]));
}

/** Throws 422 invalid_state unless `action` is allowed now; returns the status it leads to. */
function checkAction(order: PortOrderRow, action: PortOrderAction): PortStatus {
  const result = transition(order.status, action);
  if (!result.ok) throw new InvalidState(order.status, action, result.allowed);
  return result.to;
}

/**
 * Applies one status change: compare-and-set on the status read, timeline entry, audit event and
 * webhook events, all in the caller's transaction. False when someone else changed the status first.
 */
export async function applyTransition(
  ctx: DomainContext,
  access: Pick<TenantAccess, 'scope' | 'capability'>,
  order: PortOrderRow,
  action: PortOrderAction,
  by: PortActor,
  patch: PortOrderPatch = {},
  exception?: { reason: PortOrderRow['exceptionReason']; message: string },
): Promise<PortOrderRow | undefined> {
  const to = checkAction(order, action);
  const at = ctx.now().toISOString();
  const { scope } = access;
  if (!await scope.portOrders.updateIfStatus(order.id, order.status, { ...patch, status: to, updatedAt: at })) return undefined;
  const updated = (await scope.portOrders.get(order.id))!;
  const numbers = await scope.portOrders.numbers(order.id);
  // The hold on the numbers follows the status: taken on submit, let go when the order leaves the carrier's hands.
  if (holdsNumbers(to) && !holdsNumbers(order.status) && !await scope.portOrders.reserveNumbers(order.id)) {
    // Someone took one between the caller's check and here (another process): refuse the whole change.
    await checkAvailable(ctx, order.tenantId, numbers, order.id);
    throw new NumbersUnavailable(numbers.map((number, index) => ({ index, number, why: 'is not available' })));
  }
  if (!holdsNumbers(to) && holdsNumbers(order.status)) await scope.portOrders.releaseNumbers(order.id);
  const event: Omit<PortEventRow, 'tenantId'> = {
    id: newId('pev'),
    orderId: order.id,
    action,
    fromStatus: order.status,
    toStatus: to,
    actorType: by.kind,
    actorKeyId: by.kind === 'api_key' ? by.actor.principal.keyId : null,
    actorPrincipal: by.kind === 'api_key' ? by.actor.principal.kind : null,
    reason: exception?.reason ?? null,
    message: exception?.message ?? null,
    occurredAt: at,
  };
  if (order.status !== to) await scope.portOrders.events.insert(event);
  const details = { targetType: 'port_order', before: auditView(order, numbers), after: auditView(updated, numbers) };
  if (by.kind === 'api_key') await recordAudit(ctx, by.actor, access.capability, `port_order.${PAST[action]}`, order.id, details);
  else
    await appendAuditEvent(ctx, access.capability, {
      action: `port_order.${PAST[action]}`,
      targetId: order.id,
      targetType: 'port_order',
      actorKeyId: null,
      actorPrincipal: null,
      requestId: null,
    });
  if (order.status !== to) {
    await emitPortOrderEvent(ctx, 'port_order.updated', updated, numbers);
    if (to === 'completed') await emitPortOrderEvent(ctx, 'port_order.completed', updated, numbers);
    if (to === 'exception') await emitPortOrderEvent(ctx, 'port_order.exception', updated, numbers);
  }
  return updated;
}

/** The same order moved by someone else between our read and our write: ask the caller to look again. */
async function raced(ctx: DomainContext, access: TenantAccess, id: string, action: PortOrderAction): Promise<never> {
  const now = await load(access, id);
  checkAction(now, action);
  void ctx;
  throw new InvalidState(now.status, action, []);
}

export async function createPortOrder(ctx: DomainContext, actor: Actor, access: TenantAccess, input: PortOrderInput): Promise<PortOrderView> {
  const numbers = normaliseNumbers(input.numbers);
  const { tenant, scope } = access;
  const at = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    await checkOpenOrderLimit(ctx, access);
    await checkDestination(access, input.defaultDestination);
    // Early word for the tenant only: a draft holds nothing, and submit checks again.
    await checkAvailable(ctx, tenant.id, numbers);
    const row = await scope.portOrders.insert(
      {
        id: newId('por'),
        status: 'draft',
        carrierName: input.losingCarrier.name,
        accountNumber: input.losingCarrier.accountNumber,
        pin: input.losingCarrier.pin,
        authorisedPerson: input.authorisedPerson,
        serviceAddress: input.serviceAddress,
        requestedFocDate: input.requestedFocDate,
        focDate: null,
        destination: input.defaultDestination,
        exceptionReason: null,
        exceptionMessage: null,
        carrierRef: null,
        createdAt: at,
        updatedAt: at,
        submittedAt: null,
        completedAt: null,
        cancelledAt: null,
      },
      numbers,
    );
    await scope.portOrders.events.insert({
      id: newId('pev'),
      orderId: row.id,
      action: 'create',
      fromStatus: null,
      toStatus: 'draft',
      actorType: 'api_key',
      actorKeyId: actor.principal.keyId,
      actorPrincipal: actor.principal.kind,
      reason: null,
      message: null,
      occurredAt: at,
    });
    await recordAudit(ctx, actor, access.capability, 'port_order.created', row.id, { targetType: 'port_order', before: null, after: auditView(row, numbers) });
    await emitPortOrderEvent(ctx, 'port_order.updated', row, numbers);
    return { order: row, numbers, missing: [...REQUIRED_DOCUMENTS] };
  });
}

export async function listPortOrders(access: TenantAccess, page: PageQuery, filter: { status?: PortStatus | undefined }): Promise<Page<PortOrderView>> {
  const result = await access.scope.portOrders.list(page, filter);
  const views = await viewsOf(access, result.items);
  return { items: result.items.map((o) => views.get(o.id)!), next: result.next };
}

export async function retrievePortOrder(access: TenantAccess, id: string): Promise<PortOrderView> {
  return viewOf(access, await load(access, id));
}

export async function updatePortOrder(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: PortOrderChanges): Promise<PortOrderView> {
  const numbers = input.numbers && normaliseNumbers(input.numbers);
  return ctx.store.transaction(async () => {
    const order = await load(access, id);
    checkAction(order, 'update');
    if (input.defaultDestination) await checkDestination(access, input.defaultDestination);
    if (numbers) {
      await checkAvailable(ctx, access.tenant.id, numbers, order.id);
      await access.scope.portOrders.replaceNumbers(order.id, numbers);
    }
    const carrier = input.losingCarrier ?? {};
    const updated = await applyTransition(ctx, access, order, 'update', { kind: 'api_key', actor }, {
      carrierName: carrier.name,
      accountNumber: carrier.accountNumber,
      pin: carrier.pin,
      authorisedPerson: input.authorisedPerson,
      serviceAddress: input.serviceAddress,
      requestedFocDate: input.requestedFocDate,
      destination: input.defaultDestination,
    });
    if (!updated) return raced(ctx, access, id, 'update');
    return viewOf(access, updated);
  });
}

export async function submitPortOrder(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<PortOrderView> {
  return ctx.store.transaction(async () => {
    const order = await load(access, id);
    checkAction(order, 'submit');
    const view = await viewOf(access, order);
    if (view.missing.length > 0) throw new RequirementsMissing(view.missing);
    await checkOpenOrderLimit(ctx, access, order.id);
    // From here the order holds its numbers (applyTransition reserves them); first say which are held elsewhere.
    await checkAvailable(ctx, access.tenant.id, view.numbers, order.id);
    // A resubmission after an exception is a new submission: new time, no carrier reference, no exception.
    const updated = await applyTransition(ctx, access, order, 'submit', { kind: 'api_key', actor }, {
      submittedAt: ctx.now().toISOString(),
      carrierRef: null,
      exceptionReason: null,
      exceptionMessage: null,
      focDate: null,
    });
    if (!updated) return raced(ctx, access, id, 'submit');
    return viewOf(access, updated);
  });
}

/** Returns the order before and after: the caller tells the carrier when it held the order. */
export async function cancelPortOrder(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<{ before: PortOrderRow; view: PortOrderView }> {
  return ctx.store.transaction(async () => {
    const order = await load(access, id);
    const updated = await applyTransition(ctx, access, order, 'cancel', { kind: 'api_key', actor }, { cancelledAt: ctx.now().toISOString() });
    if (!updated) return raced(ctx, access, id, 'cancel');
    return { before: order, view: await viewOf(access, updated) };
  });
}

export async function addPortComment(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: { body: string; visibility: 'public' | 'internal' }) {
  return ctx.store.transaction(async () => {
    await load(access, id);
    // Internal notes are the provider's and resellers' working space; a tenant key may neither read nor write them.
    if (input.visibility === 'internal' && isTenantLevel(actor.principal)) throw new PermissionDenied('only provider and reseller keys may write internal comments');
    const row = await access.scope.portOrders.comments.insert({
      id: newId('pcm'),
      orderId: id,
      visibility: input.visibility,
      body: input.body,
      authorPrincipal: actor.principal.kind,
      authorKeyId: actor.principal.keyId,
      createdAt: ctx.now().toISOString(),
    });
    await recordAudit(ctx, actor, access.capability, 'port_order.commented', id, { targetType: 'port_order', before: null, after: { commentId: row.id, visibility: row.visibility } });
    return row;
  });
}

export async function listPortComments(actor: Actor, access: TenantAccess, id: string, page: PageQuery) {
  await load(access, id);
  return access.scope.portOrders.comments.list(id, page, !isTenantLevel(actor.principal));
}

export async function portTimeline(access: TenantAccess, id: string, page: PageQuery) {
  await load(access, id);
  return access.scope.portOrders.events.list(id, page);
}

/** For the document module: loads the order and checks that documents may be attached now. */
export async function orderForAttachment(access: TenantAccess, id: string): Promise<PortOrderRow> {
  const order = await load(access, id);
  checkAction(order, 'attach_document');
  return order;
}

export async function loadPortOrder(access: TenantAccess, id: string): Promise<PortOrderRow> {
  return load(access, id);
}

/**
 * Completion, by the carrier loop or a reviewer: the numbers become the tenant's, routed to the
 * order's destination, in the same transaction as the status change. If any number cannot be added
 * (someone put it on the platform meanwhile), nothing is added and the order goes to exception
 * instead. Returns the order as it is afterwards, or undefined when another actor moved it first.
 */
export async function completePortOrder(ctx: DomainContext, order: PortOrderRow, by: PortActor, focDate: string): Promise<PortOrderRow | undefined> {
  const capability = systemScope('port order', order.tenantId);
  const scope = ctx.store.tenant(capability);
  const numbers = await scope.portOrders.numbers(order.id);
  try {
    const done = await ctx.store.transaction(async () => {
      const at = ctx.now().toISOString();
      const updated = await applyTransition(ctx, { scope, capability }, order, 'complete', by, { focDate, completedAt: at });
      if (updated) await scope.portOrders.activateNumbers(numbers.map((number) => ({ id: newId('num'), number })), order.destination, at);
      return updated;
    });
    return done;
  } catch (error) {
    // A refused action (invalid_state) is the caller's answer; only a number taken meanwhile stops the order.
    if (isDomainError(error)) throw error;
    const taken = await ctx.store.porting.numbersAcrossTenants(numbers);
    if (taken.length === 0) throw error;
    const message = `already on the platform: ${taken.join(', ')}`;
    return ctx.store.transaction(() =>
      applyTransition(ctx, { scope, capability }, order, 'raise_exception', by, { exceptionReason: 'number_not_portable', exceptionMessage: message }, { reason: 'number_not_portable', message }),
    );
  }
}
