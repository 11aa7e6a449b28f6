import { hash as oneShotHash } from 'node:crypto';
import type { DomainContext } from './context';
import { resolveApiKey, type AuthOutcome } from './api-keys';
import type { Principal } from './principal';

/** Re-resolve at least this often, so `lastUsedAt` keeps being written about once a minute. */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** The store's change version when resolved: any committed write anywhere invalidates the entry. */
  version: string;
  /** Epoch ms: the key's expiry, the end of a rotation's grace period, or MAX_AGE_MS, whichever is first. */
  validUntil: number;
}

/**
 * Resolved API keys, so a request with a known key costs one sha256 and one tiny statement instead of
 * the key, role, tenant and reseller reads. Correct by construction rather than by invalidation calls:
 * an entry is used only while the store's change version is the one it was resolved under, so a
 * revocation, rotation, suspension, role change or deleted extension (all writes) takes effect on the
 * next request, as without the cache (a write by another process to the SQLite file: within 100 ms). Time-based ends (expiry, grace
 * period) bound each entry too. Failures are never cached: each is audited and rate-limited.
 */
export class AuthCache {
  readonly #entries = new Map<string, Entry>();

  async resolve(ctx: DomainContext, secret: string): Promise<AuthOutcome> {
    // The one-shot hash is ~2.5× cheaper than createHash per request, and gives the same hex as sha256Hex.
    const hash = oneShotHash('sha256', secret);
    const now = ctx.now().getTime();
    const hit = this.#entries.get(hash);
    if (hit && hit.validUntil > now && hit.version === await ctx.store.changeVersion()) return { ok: true, principal: hit.principal };
    this.#entries.delete(hash);

    // One transaction: no other request's write (a revocation, a suspension) can commit between
    // the reads that resolve the key and the change version the entry is kept under.
    const resolved = await ctx.store.transaction(async () => {
      const outcome = await resolveApiKey(ctx, secret);
      if (!outcome.ok) return { outcome };
      const key = await ctx.store.apiKeys.getBySecretHashAnyTenant(hash);
      // Read after resolveApiKey, whose lastUsedAt write would otherwise invalidate the entry at once.
      return { outcome, key, version: await ctx.store.changeVersion() };
    });
    const { outcome, key, version } = resolved;
    if (!outcome.ok || version === undefined) return outcome;
    let validUntil = now + MAX_AGE_MS;
    if (key?.expiresAt) validUntil = Math.min(validUntil, Date.parse(key.expiresAt));
    if (key && key.secretHash !== hash && key.previousExpiresAt) validUntil = Math.min(validUntil, Date.parse(key.previousExpiresAt));
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(hash, { principal: outcome.principal, version, validUntil });
    return outcome;
  }
}
