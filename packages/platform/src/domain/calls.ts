import { newId } from '../ids';
import type { SipCallRecord } from './sip-directory-contract';
import type { CallFilter, CallRow, Page, PageQuery, ScopedCallRecord } from '../store/types';
import type { DomainContext } from './context';
import { NotFound } from './errors';
import type { TenantAccess } from './tenants';
import { systemScope } from './system-scope';

/** A finished call as the row of its tenant's call records, in that tenant's scope. */
function scopedRecord(record: SipCallRecord): ScopedCallRecord {
  const answered = record.answeredAt;
  const durationSeconds = answered ? Math.max(0, Math.round((record.endedAt.getTime() - answered.getTime()) / 1000)) : 0;
  return {
    scope: systemScope('sip edge', record.tenantId),
    row: {
      id: newId('cal', record.endedAt.getTime()),
      callId: record.callId,
      from: record.from,
      to: record.to,
      direction: record.direction,
      startedAt: record.startedAt.toISOString(),
      answeredAt: answered ? answered.toISOString() : null,
      endedAt: record.endedAt.toISOString(),
      durationSeconds,
      disposition: record.disposition,
      sipStatus: record.sipStatus ?? null,
    },
  };
}

/**
 * Writes the records of finished calls, each into its own tenant's scope, in one transaction with
 * their rollups. Call records are written by the SIP edge, not by an API caller, so they carry no
 * audit event: they are the audit of the call. The edge's records go through CallRecordWriter,
 * which batches them; this is its write.
 */
export async function storeCallRecords(ctx: DomainContext, records: readonly SipCallRecord[]): Promise<void> {
  await ctx.store.callRecords.append(records.map(scopedRecord));
}

/** Writes the record of one finished call (tests and tools; the edge goes through CallRecordWriter). */
export async function recordCall(ctx: DomainContext, record: SipCallRecord): Promise<CallRow> {
  const { scope, row } = scopedRecord(record);
  await ctx.store.callRecords.append([{ scope, row }]);
  return { ...row, tenantId: record.tenantId };
}

/**
 * The extension number an end user is confined to (provider, reseller and tenant keys see every
 * call of a tenant they may see). `null` when the caller is an end user whose extension is gone:
 * then it sees nothing, never everything.
 */
async function ownNumber(access: TenantAccess): Promise<string | null | undefined> {
  if (access.onlyExtensionId === undefined) return undefined;
  return (await access.scope.extensions.get(access.onlyExtensionId))?.number ?? null;
}

export async function listCalls(access: TenantAccess, page: PageQuery, filter: CallFilter): Promise<Page<CallRow>> {
  const own = await ownNumber(access);
  if (own === undefined) return access.scope.calls.list(page, filter);
  // Asking about another extension gets an empty page, not an error that confirms it exists.
  if (own === null || (filter.extension !== undefined && filter.extension !== own)) return { items: [], next: null };
  return access.scope.calls.list(page, { ...filter, extension: own });
}

export async function retrieveCall(access: TenantAccess, callId: string): Promise<CallRow> {
  const call = await access.scope.calls.get(callId);
  const own = await ownNumber(access);
  if (!call || (own !== undefined && call.from !== own && call.to !== own)) throw new NotFound('call');
  return call;
}
