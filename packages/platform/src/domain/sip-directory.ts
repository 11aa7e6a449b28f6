import { hash } from 'node:crypto';
import type { SipCallRecord, SipDirectory, SipTenant } from './sip-directory-contract';
import { tenantSipDomain, type DomainContext } from './context';
import { storeCallRecords } from './calls';
import { CallRecordWriter } from './call-record-writer';
import { resolveDial, resolveInboundDid } from './dial-plan/resolve';
import type { SipDirectoryCache, TenantDirectory } from './sip-directory-cache';
import { verifySoftphoneToken } from './softphone-tokens';
import { crossesThreshold, noteUsage } from './limit-events';
import { systemScope } from './system-scope';

/**
 * The SIP edge's view of tenants and users. Every lookup answers from the in-memory directory
 * (sip-directory-cache.ts), never the database: a REGISTER or INVITE costs map lookups. Call
 * records go to `callRecords` (group commit, call-record-writer.ts) in the background; a failure is
 * logged and never reaches the call.
 */
export function createSipDirectory(
  ctx: DomainContext,
  secret: Uint8Array,
  cache: SipDirectoryCache,
  log: (line: string) => void = () => {},
  callRecords: CallRecordWriter = new CallRecordWriter((records) => storeCallRecords(ctx, records), { log }),
): SipDirectory {
  const suffix = `.${ctx.baseSipDomain.toLowerCase()}`;
  // A tenant of a suspended reseller is as suspended as a suspended tenant, for phones too.
  const toSipTenant = (t: TenantDirectory): SipTenant => ({
    id: t.tenant.id,
    slug: t.tenant.slug,
    sipDomain: tenantSipDomain(ctx, t.tenant.slug),
    status: t.inService ? 'active' : 'suspended',
  });
  return {
    tenantByDomain(domain) {
      const host = domain.toLowerCase();
      if (!host.endsWith(suffix)) return undefined;
      const slug = host.slice(0, -suffix.length);
      // A slug is one DNS label; anything with a dot is some other domain.
      if (!slug || slug.includes('.')) return undefined;
      const tenant = cache.tenantBySlug(slug);
      return tenant && toSipTenant(tenant);
    },
    user(tenantId, number) {
      const ext = cache.tenant(tenantId)?.extensions.get(number);
      return ext && { tenantId, extensionId: ext.id, number: ext.number, displayName: ext.displayName, ha1: ext.ha1, credential: credentialOf(ext.id, ext.ha1) };
    },
    verifyToken: (token) => verifySoftphoneToken(ctx, secret, token, cache),
    limits(tenantId) {
      const tenant = cache.tenant(tenantId)?.tenant;
      return tenant && { channels: tenant.limits.channels, messagesPerMinute: tenant.limits.messagesPerMinute };
    },
    resolveDial(tenantId, dialled, caller) {
      const tenant = cache.tenant(tenantId);
      return tenant ? resolveDial(tenant.dial, dialled, caller) : { kind: 'not_found' };
    },
    resolveInboundDid: (number, caller) => resolveInboundDid((e164) => cache.didOwner(e164), number, caller),
    trunk(tenantId, username) {
      const row = cache.tenant(tenantId)?.trunksByUsername.get(username);
      return row && { tenantId, trunkId: row.id, username: row.username, ha1: row.ha1, callerId: row.callerId, credential: credentialOf(row.id, row.ha1) };
    },
    trunkById(tenantId, trunkId) {
      const trunks = cache.tenant(tenantId)?.trunksByUsername.values();
      const row = trunks && [...trunks].find((t) => t.id === trunkId);
      return row && { tenantId, trunkId: row.id, username: row.username, ha1: row.ha1, callerId: row.callerId, credential: credentialOf(row.id, row.ha1) };
    },
    watchCredentials: (listener) => ctx.credentialChanges?.subscribe(listener) ?? (() => {}),
    recordCalls(records) {
      // Never awaited by the edge: the writer logs a record it could not store, and a write that
      // waits for room in its queue holds only this promise, never the edge.
      callRecords.write(records).catch(() => {});
    },
    usageCounted(tenantId, event) {
      const usage = ctx.usage;
      if (!usage) return;
      if (event.kind === 'message') usage.message(tenantId);
      else if (event.kind === 'message_refused') usage.refused(tenantId, 'messages');
      else usage.registrations(tenantId, event.before, event.after);
    },
    usageStepped(tenantId, limit, before, after, max) {
      // Most steps cross nothing: only a crossing costs a write, and never the call's time.
      if (!crossesThreshold(before, after, max)) return;
      noteUsage(ctx, systemScope('sip edge', tenantId), limit, before, after, max).catch((error: unknown) => {
        log(`sip: ${limit} limit event of ${tenantId} not stored: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
  };
}

/**
 * The credential generation of an extension or trunk: its id (a number deleted and created again is
 * another row) and a digest of its HA1 (a new password is another HA1). Derived rather than stored,
 * so no column has to be kept in step; a password "changed" to itself is, rightly, no change.
 * The HA1 itself is not handed around the edge's memory for this.
 */
function credentialOf(id: string, ha1: string): string {
  return `${id}:${hash('sha256', ha1).slice(0, 16)}`;
}
