/**
 * The capability to reach one tenant's rows: every store call on a tenant-owned table takes a
 * `TenantScope`, never a bare tenant id. The class is nominal (an ES private field) and its
 * constructor private, so no object literal, string or other class passes for one; the only
 * instances come from `mintTenantScope`, whose two callers are the access check
 * (domain/tenants.ts) and the named system scopes (domain/system-scope.ts). The layering test
 * (tenant-scope-layering.test.ts) fails when any other module imports it or casts to the type.
 */
/** Set once by the class's static block below: the one path to the private constructor. */
let mint: (tenantId: string, origin: string) => TenantScope;

export class TenantScope {
  readonly #origin: string;
  /** The tenant whose rows this scope reaches; the query layer adds `tenant_id = tenantId` to every query. */
  readonly tenantId: string;

  private constructor(tenantId: string, origin: string) {
    this.tenantId = tenantId;
    this.#origin = origin;
  }

  /** How the scope was obtained: `access` (a caller the access check let through) or `system: <reason>`. */
  get origin(): string {
    return this.#origin;
  }

  /** True only for a scope this class made: the private field cannot be added from outside, unlike a prototype. */
  static isScope(value: unknown): value is TenantScope {
    return typeof value === 'object' && value !== null && #origin in value;
  }

  static {
    mint = (tenantId, origin) => new TenantScope(tenantId, origin);
  }
}


/**
 * Makes a scope. Only domain/tenants.ts (the access check) and domain/system-scope.ts (the named
 * system scopes) may import this; everything else obtains scopes from them.
 */
export function mintTenantScope(tenantId: string, origin: string): TenantScope {
  if (typeof tenantId !== 'string' || tenantId === '') throw new TypeError('a tenant scope needs a tenant id');
  return mint(tenantId, origin);
}
