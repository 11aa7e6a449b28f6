import { newId } from '../ids';
import type { Page, PageQuery, TrunkRow } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { normaliseE164 } from './dial-plan/e164';
import { InvalidReference, LimitExceeded, NotFound } from './errors';
import type { Actor } from './principal';
import { digestHa1, newSipPassword, randomBase62 } from './secrets';
import type { TenantAccess } from './tenants';
import { publishCredentialChange } from './credential-changes';
import { lockTenantLimits } from './tenant-lock';

/*
 * Trunks are per tenant, as an Elastic SIP Trunk is per Twilio account and a SIP connection per
 * Telnyx account: the carrier side registers into the tenant's SIP domain with digest credentials
 * the platform generates (username + password, the password shown once, HA1 kept).
 */

export type TrunkView = Omit<TrunkRow, 'ha1'>;

export interface TrunkCreateInput {
  name: string;
  callerId?: string | null | undefined;
}

export interface TrunkUpdateInput {
  name?: string | undefined;
  callerId?: string | null | undefined;
  /** true: generate a new password, returned in this response only. */
  rotatePassword?: boolean | undefined;
}

const view = ({ ha1: _secret, ...rest }: TrunkRow): TrunkView => rest;

/** A trunk may present only a DID the tenant holds right now. */
async function ownedCallerId(access: TenantAccess, callerId: string | null | undefined): Promise<string | null | undefined> {
  if (callerId === undefined || callerId === null) return callerId;
  const number = normaliseE164(callerId, 'callerId');
  if (!await access.scope.numbers.getByNumber(number)) throw new InvalidReference('callerId', 'must be a number this tenant holds');
  return number;
}

/** Starts with a letter, so a trunk username can never be mistaken for an extension number in the same realm. */
const newTrunkUsername = () => `trunk-${randomBase62(12).toLowerCase()}`;

export async function createTrunk(ctx: DomainContext, actor: Actor, access: TenantAccess, input: TrunkCreateInput): Promise<{ trunk: TrunkView; password: string }> {
  const { tenant, scope } = access;
  const now = ctx.now().toISOString();
  const password = newSipPassword();
  return ctx.store.transaction(async () => {
    const limits = await lockTenantLimits(ctx, access);
    if (await scope.trunks.count() >= limits.trunks) throw new LimitExceeded('trunks', limits.trunks);
    const callerId = await ownedCallerId(access, input.callerId) ?? null;
    let username = newTrunkUsername();
    while (await scope.trunks.getByUsername(username)) username = newTrunkUsername();
    const row = await scope.trunks.insert({
      id: newId('trk'),
      name: input.name,
      username,
      ha1: digestHa1(username, tenant.sipDomain, password),
      callerId,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(ctx, actor, access.capability, 'trunk.created', row.id, { before: null, after: view(row) });
    return { trunk: view(row), password };
  });
}

export async function listTrunks(access: TenantAccess, page: PageQuery): Promise<Page<TrunkView>> {
  const result = await access.scope.trunks.list(page);
  return { items: result.items.map(view), next: result.next };
}

export async function retrieveTrunk(access: TenantAccess, id: string): Promise<TrunkView> {
  const row = await access.scope.trunks.get(id);
  if (!row) throw new NotFound('trunk');
  return view(row);
}

export async function updateTrunk(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  id: string,
  input: TrunkUpdateInput,
): Promise<{ trunk: TrunkView; password?: string }> {
  const { tenant, scope } = access;
  const result = await ctx.store.transaction(async () => {
    const existing = await scope.trunks.get(id);
    if (!existing) throw new NotFound('trunk');
    const password = input.rotatePassword ? newSipPassword() : undefined;
    const updated = await scope.trunks.update(id, {
      name: input.name,
      callerId: await ownedCallerId(access, input.callerId),
      ha1: password === undefined ? undefined : digestHa1(existing.username, tenant.sipDomain, password),
      updatedAt: ctx.now().toISOString(),
    });
    if (!updated) throw new NotFound('trunk');
    // The view never holds the digest; a new password shows only as `passwordRotated`, never its value.
    await recordAudit(ctx, actor, access.capability, 'trunk.updated', id, { before: view(existing), after: password === undefined ? view(updated) : { ...view(updated), passwordRotated: true } });
    return password === undefined ? { trunk: view(updated) } : { trunk: view(updated), password };
  });
  // A carrier socket registered with the old password keeps nothing it gave.
  if (result.password !== undefined) publishCredentialChange(ctx, { kind: 'trunk', tenantId: tenant.id, trunkId: id, deleted: false });
  return result;
}

export async function deleteTrunk(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<void> {
  await ctx.store.transaction(async () => {
    const existing = await access.scope.trunks.get(id);
    if (!existing || !await access.scope.trunks.delete(id)) throw new NotFound('trunk');
    await recordAudit(ctx, actor, access.capability, 'trunk.deleted', id, { before: view(existing), after: null });
  });
  publishCredentialChange(ctx, { kind: 'trunk', tenantId: access.tenant.id, trunkId: id, deleted: true });
}
