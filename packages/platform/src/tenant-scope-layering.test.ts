import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// A TenantScope is the capability to reach one tenant's rows (store/tenant-scope.ts). The type
// system keeps strings and look-alike objects out; this test keeps the makers few and named: who
// may mint one, who may ask for a system scope and why, and that nobody casts their way to one.
const src = new URL('.', import.meta.url).pathname;
const repo = join(src, '../../..');

function sources(dir: string, tests: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'node_modules' ? [] : sources(join(dir, e.name), tests)
      : e.name.endsWith('.ts') && e.name.endsWith('.test.ts') === tests ? [join(dir, e.name)] : [],
  );
}

const platformSources = sources(src, false);
const testSources = [...sources(src, true), ...sources(join(repo, 'test'), false), ...sources(join(repo, 'test'), true)];
const name = (file: string) => relative(repo, file);

/** The access check and the named scopes (system reasons, a tenant key's own tenant): nothing else mints. */
const MINTERS = ['packages/platform/src/store/tenant-scope.ts', 'packages/platform/src/domain/tenants.ts', 'packages/platform/src/domain/system-scope.ts'];

/**
 * Every production caller of systemScope, with its reason. A new one is a decision, not a
 * convenience: it belongs here, with a reason from SystemScopeReason that says why no access
 * check applies.
 */
const SYSTEM_SCOPE_CALLERS: Record<string, string[]> = {
  'packages/platform/src/domain/api-keys.ts': ['api key resolution'],
  'packages/platform/src/domain/audit.ts': ['audit maintenance'],
  'packages/platform/src/domain/branding.ts': ['public branding'],
  'packages/platform/src/domain/calls.ts': ['sip edge'],
  'packages/platform/src/domain/porting/automation.ts': ['port order'],
  'packages/platform/src/domain/porting/events.ts': ['port order'],
  'packages/platform/src/domain/porting/orders.ts': ['port order'],
  'packages/platform/src/domain/sip-directory-cache.ts': ['sip edge'],
  'packages/platform/src/domain/sip-directory.ts': ['sip edge'],
  'packages/platform/src/domain/softphone-tokens.ts': ['sip edge'],
  'packages/platform/src/domain/usage-counter.ts': ['usage counter'],
  'packages/platform/src/domain/tenant-purge.ts': ['tenant purge'],
  'packages/platform/src/http/unguarded.ts': ['benchmark'],
};

const systemScopeCalls = (text: string) => [...text.matchAll(/systemScope\(\s*'([^']*)'/g)].map((m) => m[1]!);

describe('tenant scope capability', () => {
  it('is minted only by the access check and system-scope.ts', () => {
    const offenders = platformSources.filter((f) => /\bmintTenantScope\b/.test(readFileSync(f, 'utf8')) && !MINTERS.includes(name(f))).map(name);
    expect(offenders).toEqual([]);
    const testOffenders = testSources.filter((f) => /\bmintTenantScope\b/.test(readFileSync(f, 'utf8'))).map(name);
    expect(testOffenders).toEqual([]);
  });

  it('is asked of systemScope only by the named system paths, each for its own reason', () => {
    const callers: Record<string, string[]> = {};
    for (const file of platformSources) {
      if (name(file) === 'packages/platform/src/domain/system-scope.ts') continue;
      const reasons = systemScopeCalls(readFileSync(file, 'utf8'));
      if (reasons.length > 0) callers[name(file)] = [...new Set(reasons)].sort();
    }
    expect(callers).toEqual(SYSTEM_SCOPE_CALLERS);
    // Every call names its reason as a literal, so the line says why.
    const unnamed = platformSources.filter((f) => name(f) !== 'packages/platform/src/domain/system-scope.ts' && /systemScope\((?!\s*')/.test(readFileSync(f, 'utf8'))).map(name);
    expect(unnamed).toEqual([]);
  });

  it('is a test fixture in tests, never a production reason', () => {
    // store/tenant-scope.test.ts checks the reasons themselves (an unknown one must not compile).
    const misnamed = testSources.filter((f) => name(f) !== 'packages/platform/src/store/tenant-scope.test.ts').flatMap((f) => systemScopeCalls(readFileSync(f, 'utf8')).filter((r) => r !== 'test fixture').map((r) => `${name(f)}: ${r}`));
    expect(misnamed).toEqual([]);
  });

  it('is a demo seed in the examples, nothing else', () => {
    const examples = sources(join(repo, 'packages/examples/src'), false);
    const misnamed = examples.flatMap((f) => systemScopeCalls(readFileSync(f, 'utf8')).filter((r) => r !== 'demo seed').map((r) => `${name(f)}: ${r}`));
    expect(misnamed).toEqual([]);
  });

  it('is never made by a cast', () => {
    const casts = [...platformSources, ...testSources].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bas\s+(?:unknown\s+as\s+|any\s+as\s+)?TenantScope\b/g)].map((m) => `${name(f)}: ${m[0]}`),
    );
    expect(casts).toEqual([]);
  });
});

// --- the store contract: no store method reaches a tenant's rows by a bare id -------------------

/** The contract files, read as text (the TypeScript in use here has no compiler API to ask). */
const CONTRACT = ['types.ts', 'webhook-types.ts', 'lifecycle-types.ts', 'lease-types.ts', 'porting-types.ts', 'dial-plan-types.ts'].map((f) =>
  readFileSync(join(src, 'store', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''),
);

/** The body of `interface name`, between its braces. */
function interfaceBody(interfaceName: string): string | undefined {
  for (const text of CONTRACT) {
    const start = new RegExp(`export interface ${interfaceName}\\b[^{]*\\{`).exec(text);
    if (!start) continue;
    const open = start.index + start[0].length;
    return text.slice(open, closing(text, open - 1));
  }
  return undefined;
}

/** Index of the bracket closing the one at `at`. */
function closing(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if ('({['.includes(text[i]!)) depth++;
    else if (')}]'.includes(text[i]!) && --depth === 0) return i;
  }
  throw new Error(`unbalanced contract text at ${at}`);
}

/** Splits at `sep` outside brackets and type arguments (the `>` of `=>` closes nothing). */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if ('({[<'.includes(text[i]!)) depth++;
    else if (')}]'.includes(text[i]!) || (text[i] === '>' && text[i - 1] !== '=')) depth--;
    else if (text[i] === sep && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Every method of a contract body, by dotted path, with its parameter list as written. */
function methods(body: string, path: string[] = []): { path: string; params: { name: string; type: string }[] }[] {
  return splitTop(body, ';').flatMap((member) => {
    const method = /^(?:readonly\s+)?(\w+)\s*(?:<[^(]*>)?\s*\(/.exec(member);
    if (method) {
      const open = member.indexOf('(');
      const params = splitTop(member.slice(open + 1, closing(member, open)), ',').map((p) => {
        const parsed = /^(?:\.\.\.)?(\w+)\??\s*:\s*([\s\S]*)$/.exec(p);
        if (!parsed) throw new Error(`cannot read the parameter \`${p}\` of ${[...path, method[1]].join('.')}`);
        return { name: parsed[1]!, type: parsed[2]! };
      });
      return [{ path: [...path, method[1]!].join('.'), params }];
    }
    const property = /^(?:readonly\s+)?(\w+)\??\s*:\s*([\s\S]*)$/.exec(member);
    if (!property) return [];
    const [, name, type] = property;
    if (path.length === 0 && name === 'tenant') return [];
    if (type!.startsWith('{')) return methods(type!.slice(1, closing(type!, 0)), [...path, name!]);
    const referenced = /^(\w+)$/.test(type!) ? interfaceBody(type!) : undefined;
    return referenced === undefined ? [] : methods(referenced, [...path, name!]);
  });
}

/**
 * Store methods that take no TenantScope and are not named as crossing tenants, each for a reason:
 * the rows they touch have no tenant column, or are the platform's own (`tenant_id IS NULL`), or
 * they hand out sums, never a tenant's rows. Anything else that reaches a tenant-owned table takes
 * the scope, or says `…AcrossTenants` / `…AnyTenant` and is called only from the places below.
 */
const NO_TENANT_ROWS = {
  'tables without a tenant column': [
    'transaction', 'changeVersion', 'onDirectoryChange', 'migrateTo', 'schemaVersion', 'close',
    'settings.get', 'settings.getOrInsert',
    'resellers.insert', 'resellers.get', 'resellers.list', 'resellers.update',
    'brandings.get', 'brandings.set',
    'idempotency.get', 'idempotency.tryLock', 'idempotency.claim', 'idempotency.complete', 'idempotency.release', 'idempotency.purgeCreatedBefore',
    'leases.jobs.acquire', 'leases.jobs.release', 'leases.rates.take', 'leases.rates.remove', 'leases.rates.purgeUpTo',
    'kamailioOutbox.drain',
    'webhooks.insertDelivery', 'webhooks.insertDeliveries', 'webhooks.recordAttempt', 'webhooks.renewLease', 'webhooks.releaseLeases',
    // The tenant registry itself: the access check reads it to decide, and tenant rows are the platform's.
    'tenants.insert', 'tenants.get', 'tenants.getBySlug', 'tenants.list', 'tenants.update',
  ],
  "the platform's own rows (tenant_id IS NULL)": [
    'roles', 'webhooks.endpoints',
    'apiKeys.insert', 'apiKeys.get', 'apiKeys.list', 'apiKeys.update', 'apiKeys.countByPrincipal',
    // DIDs: a number exists once on the platform, owned by at most one tenant (DESIGN.md); the provider's inventory.
    'numbers.insert', 'numbers.get', 'numbers.getByNumber', 'numbers.list', 'numbers.delete',
  ],
  'sums across tenants, never rows (analytics, issue 12)': [
    'analytics.hourly', 'analytics.tenantTotals', 'analytics.usageHourly', 'analytics.usageTenantTotals', 'analytics.storedBytesByTenant', 'analytics.portOrdersByStatus', 'analytics.webhookDeliveriesByStatus', 'analytics.webhookAttempts',
  ],
};

/** Who calls the cross-tenant store methods: loops that claim rows, authentication, the provider's and resellers' listings. */
const ACROSS_TENANTS_CALLERS: Record<string, string[]> = {
  'packages/platform/src/domain/api-keys.ts': ['getBySecretHashAnyTenant'],
  'packages/platform/src/domain/audit.ts': ['anyHashStartingWithAcrossTenants', 'chainsAcrossTenants', 'listAcrossTenants'],
  'packages/platform/src/domain/auth-cache.ts': ['getBySecretHashAnyTenant'],
  'packages/platform/src/domain/porting/automation.ts': ['ordersInAcrossTenants', 'staleDraftsAcrossTenants'],
  'packages/platform/src/domain/porting/listing.ts': ['listAcrossTenants'],
  'packages/platform/src/domain/porting/orders.ts': ['numberClaimsAcrossTenants', 'numbersAcrossTenants'],
  'packages/platform/src/domain/tenant-purge.ts': ['duePurgeAcrossTenants'],
  'packages/platform/src/domain/webhook-delivery.ts': ['dueAcrossTenants'],
};

const CROSSING = /(AcrossTenants|AnyTenant)$/;

describe('store contract', () => {
  const contract = methods(interfaceBody('Store')!);

  it('is read whole (the parse finds the methods it must)', () => {
    const paths = contract.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(['audit.record', 'webhooks.subscribers', 'apiKeys.touch', 'lifecycle.purge', 'leases.lockTenant', 'porting.ordersInAcrossTenants', 'numbers.assign']));
    expect(paths.length).toBeGreaterThan(60);
  });

  it('takes no bare tenant id anywhere', () => {
    const bare = contract.flatMap((m) => m.params.filter((p) => /tenantId/i.test(p.name) && !/TenantScope/.test(p.type)).map((p) => `${m.path}(${p.name}: ${p.type})`));
    expect(bare).toEqual([]);
  });

  it('takes a TenantScope on every method that reaches tenant rows, or says it crosses tenants', () => {
    const allowed = new Set(Object.values(NO_TENANT_ROWS).flat());
    const unscoped = contract
      .filter((m) => !m.params.some((p) => /\bTenantScope\b|\bScopedCallRecord\b|\bScopedUsageHour\b/.test(p.type)))
      .filter((m) => !CROSSING.test(m.path) && !allowed.has(m.path))
      .map((m) => m.path);
    expect(unscoped).toEqual([]);
    // The allow-list names only methods that exist, so a rename cannot leave a stale pass behind.
    const paths = new Set(contract.map((m) => m.path));
    expect([...allowed].filter((p) => !paths.has(p))).toEqual([]);
  });

  it('is crossed only by the named callers', () => {
    const callers: Record<string, string[]> = {};
    for (const file of platformSources) {
      if (name(file).startsWith('packages/platform/src/store/')) continue;
      const calls = [...readFileSync(file, 'utf8').matchAll(/\.(\w+(?:AcrossTenants|AnyTenant))\(/g)].map((m) => m[1]!);
      if (calls.length > 0) callers[name(file)] = [...new Set(calls)].sort();
    }
    expect(callers).toEqual(ACROSS_TENANTS_CALLERS);
  });
});
