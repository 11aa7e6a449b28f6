import type { DirectoryChange, ExtensionRow, Store, TenantRow, TrunkRow } from '../store/types';
import { DialPlanCache } from './dial-plan/plan-cache';
import { allPages, dialViewOf, type DialView } from './dial-plan/resolve';
import { systemScope } from './system-scope';

/** One tenant as the SIP edge needs it, read from the store in one go and replaced whole on change. */
export interface TenantDirectory {
  readonly tenant: TenantRow;
  /** The tenant is active and so is its reseller, if it has one. */
  readonly inService: boolean;
  /** By number; changed in place when one extension changes (the rest of the entry is replaced whole). */
  readonly extensions: Map<string, ExtensionRow>;
  readonly trunksByUsername: ReadonlyMap<string, TrunkRow>;
  /** The seed of the tenant's softphone token key (softphone-tokens.ts); undefined until the first token. */
  readonly signingSeed: string | undefined;
  readonly dial: DialView;
}

/**
 * The SIP edge's directory in memory: tenants by SIP domain, extensions with their HA1, trunks,
 * limits, token signing seeds and compiled dial plans, so a REGISTER or INVITE never waits for
 * the database. Loaded whole at start; afterwards each committed change the store reports
 * (`Store.onDirectoryChange`) reloads the tenant it touched (or one extension; a batch's new
 * extensions arrive with their rows and are added as they are) before the write is acknowledged, so
 * the edge's next request sees it. Reloads run one at a time, in the order the changes came, so an
 * older read never overwrites a newer one.
 */
export class SipDirectoryCache {
  readonly #store: Store;
  readonly #plans = new DialPlanCache();
  readonly #byId = new Map<string, TenantDirectory>();
  readonly #bySlug = new Map<string, TenantDirectory>();
  /** E.164 → the tenant holding it: DIDs are unique on the platform. */
  readonly #didOwners = new Map<string, string>();
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Loads every tenant, then follows the store's changes. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#store.onDirectoryChange((changes) => this.apply(changes));
    await this.#enqueue(() => this.#reloadAll());
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Reloads what `changes` name; resolves once the edge sees them. Also the entry for LISTEN/NOTIFY. */
  apply(changes: readonly DirectoryChange[]): Promise<void> {
    if (changes.some((c) => c.kind === 'all')) return this.#enqueue(() => this.#reloadAll());
    const tenantIds = new Set(changes.flatMap((c) => (c.kind === 'tenant' ? [c.tenantId] : [])));
    const extensions = changes.flatMap((c) => (c.kind === 'extension' && !tenantIds.has(c.tenantId) ? [c] : []));
    const added = changes.flatMap((c) => (c.kind === 'extensions' && !tenantIds.has(c.tenantId) ? [c] : []));
    return this.#enqueue(async () => {
      for (const tenantId of tenantIds) await this.#reloadTenant(tenantId);
      for (const { tenantId, extensionId } of extensions) await this.#reloadExtension(tenantId, extensionId);
      for (const { tenantId, rows } of added) await this.#addExtensions(tenantId, rows);
    });
  }

  tenant(tenantId: string): TenantDirectory | undefined {
    return this.#byId.get(tenantId);
  }

  tenantBySlug(slug: string): TenantDirectory | undefined {
    return this.#bySlug.get(slug);
  }

  /** The dial view of the tenant holding `e164`, if any does. */
  didOwner(e164: string): DialView | undefined {
    const tenantId = this.#didOwners.get(e164);
    return tenantId === undefined ? undefined : this.#byId.get(tenantId)?.dial;
  }

  get size(): number {
    return this.#byId.size;
  }

  #enqueue(reload: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(reload);
    // A failed reload must not stall the ones after it; its caller still sees the failure.
    this.#queue = next.catch(() => {});
    return next;
  }

  async #reloadAll(): Promise<void> {
    const [tenants, resellers] = await Promise.all([
      allPages((p) => this.#store.tenants.list(p)),
      allPages((p) => this.#store.resellers.list(p)),
    ]);
    const resellerActive = new Map(resellers.map((r) => [r.id, r.status === 'active']));
    const loaded = await Promise.all(tenants.map((t) => this.#load(t, t.resellerId === null || resellerActive.get(t.resellerId) === true)));
    this.#byId.clear();
    this.#bySlug.clear();
    this.#didOwners.clear();
    for (const entry of loaded) this.#put(entry);
  }

  async #reloadTenant(tenantId: string): Promise<void> {
    const tenant = await this.#store.tenants.get(tenantId);
    const reseller = tenant?.resellerId ? await this.#store.resellers.get(tenant.resellerId) : undefined;
    const entry = tenant && (await this.#load(tenant, tenant.resellerId === null || reseller?.status === 'active'));
    this.#drop(tenantId);
    if (entry) this.#put(entry);
  }

  async #reloadExtension(tenantId: string, extensionId: string): Promise<void> {
    const row = await this.#store.tenant(systemScope('sip edge', tenantId)).extensions.get(extensionId);
    // Looked up after the read: a tenant reloaded meanwhile holds its own, newer, maps.
    const entry = this.#byId.get(tenantId);
    if (!entry) return;
    for (const [number, ext] of entry.extensions) if (ext.id === extensionId) entry.extensions.delete(number);
    if (row) entry.extensions.set(row.number, row);
  }

  /** A batch's new extensions, from the rows the store wrote (no read back); a tenant not held yet is loaded whole. */
  async #addExtensions(tenantId: string, rows: readonly ExtensionRow[]): Promise<void> {
    const entry = this.#byId.get(tenantId);
    if (!entry) return this.#reloadTenant(tenantId);
    for (const row of rows) entry.extensions.set(row.number, row);
  }

  async #load(tenant: TenantRow, resellerActive: boolean): Promise<TenantDirectory> {
    const scope = this.#store.tenant(systemScope('sip edge', tenant.id));
    const [extensions, trunks, ringGroups, numbers, { rules, plan }, signingSeed] = await Promise.all([
      allPages((p) => scope.extensions.list(p)),
      allPages((p) => scope.trunks.list(p)),
      allPages((p) => scope.ringGroups.list(p)),
      allPages((p) => scope.numbers.list(p)),
      this.#plans.rulesAndPlanFor(scope),
      scope.signingKey.get(),
    ]);
    const byNumber = new Map(extensions.map((e) => [e.number, e]));
    return {
      tenant,
      inService: tenant.status === 'active' && resellerActive,
      extensions: byNumber,
      trunksByUsername: new Map(trunks.map((t) => [t.username, t])),
      signingSeed,
      dial: dialViewOf(tenant.id, { hasExtension: (number) => byNumber.has(number), ringGroups, numbers, rules, trunks }, plan),
    };
  }

  #drop(tenantId: string): void {
    const old = this.#byId.get(tenantId);
    if (!old) return;
    this.#byId.delete(tenantId);
    if (this.#bySlug.get(old.tenant.slug) === old) this.#bySlug.delete(old.tenant.slug);
    for (const number of old.dial.numbers()) if (this.#didOwners.get(number.number) === tenantId) this.#didOwners.delete(number.number);
  }

  #put(entry: TenantDirectory): void {
    this.#byId.set(entry.tenant.id, entry);
    this.#bySlug.set(entry.tenant.slug, entry);
    for (const number of entry.dial.numbers()) this.#didOwners.set(number.number, entry.tenant.id);
  }
}
