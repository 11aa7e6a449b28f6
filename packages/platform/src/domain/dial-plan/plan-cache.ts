import type { DialRuleRow, TenantData } from '../../store/types';
import { compileDialPlan, type CompiledDialPlan } from './compiled-plan';

/** Tenants whose compiled plans are kept; past this the least recently used is dropped. */
export const MAX_CACHED_PLANS = 10_000;

interface Entry {
  revision: number;
  rules: readonly DialRuleRow[];
  plan: CompiledDialPlan;
}

/**
 * Compiled dial plans, one per tenant, so reloading a tenant into the edge's directory
 * (sip-directory-cache.ts) after a change to its extensions costs a read of the plan revision
 * instead of loading and compiling every rule again. Keyed by the scope's own
 * tenant id, never by anything the caller passes beside it, so one tenant's plan cannot answer for
 * another. An entry is used only while the stored revision is the one it was compiled under; every
 * change to a tenant's rules moves the revision on in its own transaction (dial-rules.ts), so the
 * next call after a change recompiles, in this process or any other sharing the database.
 */
export class DialPlanCache {
  readonly #entries = new Map<string, Entry>();
  readonly #compile: typeof compileDialPlan;

  /** `compile` is a seam for tests and benchmarks that count or time compilations. */
  constructor(options: { compile?: typeof compileDialPlan } = {}) {
    this.#compile = options.compile ?? compileDialPlan;
  }

  async planFor(scope: TenantData): Promise<CompiledDialPlan> {
    return (await this.rulesAndPlanFor(scope)).plan;
  }

  /** The rules with their compiled plan; the rules are read again only when the revision moved. */
  async rulesAndPlanFor(scope: TenantData): Promise<{ rules: readonly DialRuleRow[]; plan: CompiledDialPlan }> {
    const { tenantId } = scope;
    // The revision is read before the rules: a change committed in between is then compiled under
    // the older revision and recompiled on the next call, never the other way round (stale rules
    // kept under the new revision).
    const revision = await scope.dialRules.revision();
    const hit = this.#entries.get(tenantId);
    if (hit) {
      this.#entries.delete(tenantId);
      if (hit.revision === revision) {
        this.#entries.set(tenantId, hit);
        return hit;
      }
    }
    const rules = await scope.dialRules.all();
    const plan = this.#compile(rules);
    if (this.#entries.size >= MAX_CACHED_PLANS) this.#entries.delete(this.#entries.keys().next().value!);
    const entry = { revision, rules, plan };
    this.#entries.set(tenantId, entry);
    return entry;
  }

  /** Tenants with a plan held right now. */
  get size(): number {
    return this.#entries.size;
  }
}
