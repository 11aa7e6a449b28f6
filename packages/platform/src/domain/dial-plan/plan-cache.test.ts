// The SIP directory's dial-plan answers over a real SQLite store, rules changed through the domain
// functions the HTTP routes use. The store is wrapped only to count how often a tenant's whole rule
// list is loaded: before the cache, every call loaded and compiled every rule of the tenant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openKyselyStore } from '../../store/kysely/index';
import type { Store } from '../../store/types';
import { auditKeyFrom } from '../audit-key';
import type { DomainContext } from '../context';

const auditKey = auditKeyFrom('unit-test audit key of at least 32 bytes');
import { createDialRule, deleteDialRule, updateDialRule } from '../dial-rules';
import { createExtension, deleteExtension } from '../extensions';
import type { Actor } from '../principal';
import { createSipDirectory } from '../sip-directory';
import { SipDirectoryCache } from '../sip-directory-cache';
import type { SipDirectory } from '../sip-directory-contract';
import { accessTenant, createTenant, DEFAULT_TENANT_LIMITS, type TenantAccess } from '../tenants';
import { compileDialPlan } from './compiled-plan';
import { DialPlanCache } from './plan-cache';

const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_1' };
const secret = new Uint8Array(32);

/** The store as it is, except that each load of a tenant's whole rule list is counted. */
function countingRuleLoads(store: Store): { store: Store; loads: Map<string, number> } {
  const loads = new Map<string, number>();
  return {
    loads,
    store: {
      ...store,
      tenant(capability) {
        const { tenantId } = capability;
        const scope = store.tenant(capability);
        const all = async () => {
          loads.set(tenantId, (loads.get(tenantId) ?? 0) + 1);
          return scope.dialRules.all();
        };
        return { ...scope, dialRules: { ...scope.dialRules, all } };
      },
    },
  };
}

let dir: string;
let ctx: DomainContext;
let loads: Map<string, number>;
let directory: SipDirectory;
let cache: SipDirectoryCache;
let acme: TenantAccess;
let globex: TenantAccess;

const tenant = async (slug: string) => accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: slug, slug })).tenant.id);
const dial = (access: TenantAccess, dialled: string) => directory.resolveDial!(access.tenant.id, dialled, { extension: '101' });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hr-plan-cache-'));
  const counted = countingRuleLoads(await openKyselyStore({ sqlite: { dataDir: dir } }));
  loads = counted.loads;
  ctx = { store: counted.store, baseSipDomain: 'sip.localhost', auditKey, now: () => new Date() };
  cache = new SipDirectoryCache(ctx.store);
  await cache.start();
  directory = createSipDirectory(ctx, secret, cache);
  acme = await tenant('acme');
  globex = await tenant('globex');
  for (const access of [acme, globex]) {
    for (const number of ['101', '102', '103']) await createExtension(ctx, provider, access, { number, displayName: number });
  }
});
afterEach(async () => {
  cache.stop();
  await ctx.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the compiled dial plan', () => {
  it('is not loaded at all by any number of calls of a tenant at its dial-rule cap', async () => {
    for (let i = 0; i < DEFAULT_TENANT_LIMITS.dialRules - 1; i++) {
      await createDialRule(ctx, provider, acme, { pattern: `_9${String(i).padStart(3, '0')}X.`, action: { type: 'reject', status: 403 } });
    }
    await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'extension', target: '102' } });
    loads.clear();

    for (let i = 0; i < 100; i++) {
      expect(dial(acme, '555')).toEqual({ kind: 'extension', number: '102' });
      expect(dial(acme, '103')).toEqual({ kind: 'extension', number: '103' });
    }
    // Compiled when the last rule was written; the calls read the edge's directory, never the store.
    expect(loads.get(acme.tenant.id)).toBeUndefined();
  });

  it('follows a created, changed, moved or deleted rule on the very next call', async () => {
    expect(dial(acme, '555')).toEqual({ kind: 'not_found' });
    const rule = await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'reject', status: 486, reason: 'busy' } });
    expect(dial(acme, '555')).toMatchObject({ kind: 'reject', status: 486 });
    await updateDialRule(ctx, provider, acme, rule.id, { action: { type: 'extension', target: '102' } });
    expect(dial(acme, '555')).toEqual({ kind: 'extension', number: '102' });

    const first = await createDialRule(ctx, provider, acme, { pattern: '555', action: { type: 'reject', status: 403 } });
    expect(dial(acme, '555')).toEqual({ kind: 'extension', number: '102' });
    await updateDialRule(ctx, provider, acme, first.id, { position: 0 });
    expect(dial(acme, '555')).toMatchObject({ kind: 'reject', status: 403 });

    await deleteDialRule(ctx, provider, acme, first.id);
    await deleteDialRule(ctx, provider, acme, rule.id);
    expect(dial(acme, '555')).toEqual({ kind: 'not_found' });
  });

  it('is recompiled only for the tenant whose rules changed', async () => {
    await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'extension', target: '102' } });
    await createDialRule(ctx, provider, globex, { pattern: '_5XX', action: { type: 'extension', target: '103' } });
    dial(acme, '555');
    dial(globex, '555');
    loads.clear();
    await createDialRule(ctx, provider, acme, { pattern: '_6XX', action: { type: 'extension', target: '103' } });
    dial(acme, '555');
    dial(globex, '555');
    expect(Object.fromEntries(loads)).toEqual({ [acme.tenant.id]: 1 });
  });

  it('never answers one tenant with another tenant’s plan, even at the same revision', async () => {
    // One rule each: both tenants' plans are at the same revision, so only the tenant id tells them apart.
    await createDialRule(ctx, provider, acme, { pattern: '_8XX', action: { type: 'extension', target: '102' } });
    await createDialRule(ctx, provider, globex, { pattern: '_8XX', action: { type: 'reject', status: 486, reason: 'globex is busy' } });
    expect((await acme.scope.dialRules.revision())).toBe((await globex.scope.dialRules.revision()));
    for (let i = 0; i < 3; i++) {
      expect(dial(acme, '800')).toEqual({ kind: 'extension', number: '102' });
      expect(dial(globex, '800')).toEqual({ kind: 'reject', status: 486, reason: 'globex is busy' });
    }
  });

  it('holds rules, not their targets: a deleted extension is gone from the next call', async () => {
    await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'extension', target: '102' } });
    expect(dial(acme, '555')).toEqual({ kind: 'extension', number: '102' });
    await deleteExtension(ctx, provider, acme, (await acme.scope.extensions.getByNumber('102'))!.id);
    expect(dial(acme, '555')).toEqual({ kind: 'not_found' });
  });

  it('follows a change another process wrote to the same database', async () => {
    await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'extension', target: '102' } });
    expect(dial(acme, '555')).toEqual({ kind: 'extension', number: '102' });
    const other: DomainContext = { store: await openKyselyStore({ sqlite: { dataDir: dir } }), baseSipDomain: 'sip.localhost', auditKey, now: () => new Date() };
    try {
      const there = await accessTenant(other, provider.principal, acme.tenant.id);
      await createDialRule(other, provider, there, { pattern: '555', action: { type: 'reject', status: 403 }, position: 0 });
    } finally {
      await other.store.close();
    }
    // Correctness only: how fast it follows is a latency figure for bench/, not a bound a loaded
    // machine's timers can meet every time.
    await vi.waitFor(() => expect(dial(acme, '555')).toMatchObject({ kind: 'reject', status: 403 }), { timeout: 10_000, interval: 5 });
  });
});

describe('DialPlanCache', () => {
  it('compiles a plan per tenant and again only when the revision moves', async () => {
    let compilations = 0;
    const cache = new DialPlanCache({ compile: (rules) => (compilations++, compileDialPlan(rules)) });
    await createDialRule(ctx, provider, acme, { pattern: '_5XX', action: { type: 'extension', target: '102' } });
    for (let i = 0; i < 10; i++) {
      await cache.planFor(acme.scope);
      await cache.planFor(globex.scope);
    }
    expect([compilations, cache.size]).toEqual([2, 2]);
    await createDialRule(ctx, provider, globex, { pattern: '_5XX', action: { type: 'extension', target: '103' } });
    expect((await cache.planFor(globex.scope)).firstMatch('555')?.tenantId).toBe(globex.tenant.id);
    expect((await cache.planFor(acme.scope)).firstMatch('555')?.tenantId).toBe(acme.tenant.id);
    expect(compilations).toBe(3);
  });
});
