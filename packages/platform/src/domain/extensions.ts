import { newId } from '../ids';
import type { ExtensionRow, Page, PageQuery } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { ExtensionExists, ExtensionsExist, LimitExceeded, NotFound } from './errors';
import type { Actor } from './principal';
import { digestHa1, newSipPassword, newSipPasswords } from './secrets';
import type { TenantAccess } from './tenants';
import { emitEvent, emitEvents } from './events';
import { noteUsage } from './limit-events';
import { publishCredentialChange } from './credential-changes';
import { lockTenantLimits } from './tenant-lock';

/** An extension as callers see it: the HA1 stays inside the platform. */
export interface ExtensionView extends Omit<ExtensionRow, 'ha1'> {
  sipUri: string;
}

export interface ExtensionCreateInput {
  number: string;
  displayName: string;
  sipPassword?: string | undefined;
}

export interface ExtensionUpdateInput {
  displayName?: string | undefined;
  sipPassword?: string | undefined;
}

/** An end user sees only their own extension; any other id is "not found", like a foreign one. */
const visible = (access: TenantAccess, id: string) => access.onlyExtensionId === undefined || access.onlyExtensionId === id;

export const sipUri = (number: string, sipDomain: string) => `sip:${number}@${sipDomain}`;

/** Field by field rather than `{ ...rest }`: a batch makes a thousand, and the HA1 is left out by name. */
function view(access: TenantAccess, row: ExtensionRow): ExtensionView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    number: row.number,
    displayName: row.displayName,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    sipUri: sipUri(row.number, access.tenant.sipDomain),
  };
}

/** Creates an extension; the SIP password (given or generated) is returned this once and kept only as HA1. */
export async function createExtension(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  input: ExtensionCreateInput,
): Promise<{ extension: ExtensionView; sipPassword: string }> {
  const { tenant, scope } = access;
  const sipPassword = input.sipPassword ?? newSipPassword();
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    const limits = await lockTenantLimits(ctx, access);
    // Extensions and ring groups share one dialable namespace per tenant.
    if (await scope.extensions.getByNumber(input.number) || await scope.ringGroups.getByNumber(input.number)) throw new ExtensionExists(input.number);
    const held = await scope.extensions.count();
    if (held >= limits.extensions) {
      ctx.usage?.refused(tenant.id, 'extensions');
      throw new LimitExceeded('extensions', limits.extensions);
    }
    const row = await scope.extensions.insert({
      id: newId('ext'),
      number: input.number,
      displayName: input.displayName,
      ha1: digestHa1(input.number, tenant.sipDomain, sipPassword),
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(ctx, actor, access.capability, 'extension.created', row.id, { before: null, after: { ...row, sipPassword } });
    const extension = view(access, { ...row, tenantId: tenant.id });
    await emitEvent(ctx, { type: 'extension.created', scope: access.capability, data: extension });
    await noteUsage(ctx, access.capability, 'extensions', held, held + 1, limits.extensions);
    return { extension, sipPassword };
  });
}

/**
 * Creates a batch of extensions all together or not at all, in one transaction: every number is
 * checked against the tenant's extensions and ring groups and against the items before it, and the
 * limit against the whole batch, before anything is written. The batch is one audit event
 * (`extension.batch_created`, naming every extension it made; an audit search by an extension's id
 * finds it), and each extension its own `extension.created` webhook event, as if created one by one
 * (docs/decisions/2026-12-02-one-audit-event-per-batch.md).
 */
export async function createExtensions(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  inputs: readonly ExtensionCreateInput[],
): Promise<{ extension: ExtensionView; sipPassword: string }[]> {
  const { tenant, scope } = access;
  const now = ctx.now().toISOString();
  const firstIndex = new Map<string, number>();
  const conflicts: { index: number; issue: string }[] = [];
  inputs.forEach((input, index) => {
    const first = firstIndex.get(input.number);
    if (first === undefined) firstIndex.set(input.number, index);
    else conflicts.push({ index, issue: `same number as items.${first}` });
  });
  // Hashing is the costly part of a row; done before the transaction holds the connection.
  const generated = newSipPasswords(inputs.reduce((n, input) => (input.sipPassword === undefined ? n + 1 : n), 0));
  const passwords: string[] = [];
  const rows: ExtensionRow[] = inputs.map((input) => {
    const sipPassword = input.sipPassword ?? generated.pop()!;
    passwords.push(sipPassword);
    return { id: newId('ext'), tenantId: tenant.id, number: input.number, displayName: input.displayName, ha1: digestHa1(input.number, tenant.sipDomain, sipPassword), createdAt: now, updatedAt: now };
  });
  return ctx.store.transaction(async () => {
    // The same tenant-row lock as a single create: two nodes' batches cannot both fit under the cap.
    const limits = await lockTenantLimits(ctx, access);
    const taken = new Set(await scope.extensions.takenNumbers([...firstIndex.keys()]));
    inputs.forEach((input, index) => {
      if (taken.has(input.number)) conflicts.push({ index, issue: 'already taken in this tenant' });
    });
    if (conflicts.length > 0) throw new ExtensionsExist(conflicts.sort((a, b) => a.index - b.index));
    const held = await scope.extensions.count();
    if (held + inputs.length > limits.extensions) {
      ctx.usage?.refused(tenant.id, 'extensions');
      throw new LimitExceeded('extensions', limits.extensions, `the tenant holds ${held} of its ${limits.extensions} extensions; a batch of ${inputs.length} does not fit`);
    }
    await scope.extensions.insertMany(rows);
    await recordAudit(ctx, actor, access.capability, EXTENSION_BATCH_CREATED, newId('exb'), { before: null, after: batchAuditRecord(rows) });
    const created = rows.map((row, i) => ({ extension: view(access, row), sipPassword: passwords[i]! }));
    await emitEvents(ctx, 'extension.created', access.capability, created.map((c) => c.extension));
    await noteUsage(ctx, access.capability, 'extensions', held, held + inputs.length, limits.extensions);
    return created;
  });
}

/** The audit action of a batch create: one event for the whole batch. */
export const EXTENSION_BATCH_CREATED = 'extension.batch_created';

/**
 * What a batch's audit event records: how many, and each extension's id, number and name (what its
 * own `extension.created` event showed, less the redacted HA1 and password and the timestamps,
 * which are the event's own). Arrays are written as they are, so this must hold no secret.
 */
const batchAuditRecord = (rows: readonly Pick<ExtensionRow, 'id' | 'number' | 'displayName'>[]) => ({
  count: rows.length,
  // Keys in sorted order: canonical JSON then writes each item with one JSON.stringify (audit.ts, isFlatSorted).
  extensions: rows.map(({ id, number, displayName }) => ({ displayName, id, number })),
});

export async function listExtensions(access: TenantAccess, page: PageQuery, filter: { number?: string | undefined } = {}): Promise<Page<ExtensionView>> {
  // An end user lists exactly their own extension.
  if (access.onlyExtensionId !== undefined) {
    const own = await access.scope.extensions.get(access.onlyExtensionId);
    const shown = own && (page.after === undefined || own.id > page.after) && (filter.number === undefined || own.number === filter.number);
    return { items: shown ? [view(access, own)] : [], next: null };
  }
  // A number names at most one extension: the page is that one or nothing.
  if (filter.number !== undefined) {
    const found = await access.scope.extensions.getByNumber(filter.number);
    return { items: found && (page.after === undefined || found.id > page.after) ? [view(access, found)] : [], next: null };
  }
  const result = await access.scope.extensions.list(page);
  return { items: result.items.map((e) => view(access, e)), next: result.next };
}

export async function retrieveExtension(access: TenantAccess, id: string): Promise<ExtensionView> {
  const row = visible(access, id) ? await access.scope.extensions.get(id) : undefined;
  if (!row) throw new NotFound('extension');
  return view(access, row);
}

export async function updateExtension(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: ExtensionUpdateInput): Promise<ExtensionView> {
  const { tenant, scope } = access;
  const result = await ctx.store.transaction(async () => {
    const existing = visible(access, id) ? await scope.extensions.get(id) : undefined;
    if (!existing) throw new NotFound('extension');
    const updated = await scope.extensions.update(id, {
      displayName: input.displayName,
      ha1: input.sipPassword === undefined ? undefined : digestHa1(existing.number, tenant.sipDomain, input.sipPassword),
      updatedAt: ctx.now().toISOString(),
    });
    if (!updated) throw new NotFound('extension');
    await recordAudit(ctx, actor, access.capability, 'extension.updated', id, { before: existing, after: updated });
    await emitEvent(ctx, { type: 'extension.updated', scope: access.capability, data: view(access, updated) });
    return view(access, updated);
  });
  // Sockets that proved the old password lose what it gave them (their registrations, their calls without a challenge).
  if (input.sipPassword !== undefined) publishCredentialChange(ctx, { kind: 'extension', tenantId: tenant.id, extensionId: id, number: result.number, deleted: false });
  return result;
}

export async function deleteExtension(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<void> {
  const number = await ctx.store.transaction(async () => {
    const existing = visible(access, id) ? await access.scope.extensions.get(id) : undefined;
    if (!existing || !await access.scope.extensions.delete(id)) throw new NotFound('extension');
    await recordAudit(ctx, actor, access.capability, 'extension.deleted', id, { before: existing, after: null });
    await emitEvent(ctx, { type: 'extension.deleted', scope: access.capability, data: view(access, existing) });
    return existing.number;
  });
  publishCredentialChange(ctx, { kind: 'extension', tenantId: access.tenant.id, extensionId: id, number, deleted: true });
}
