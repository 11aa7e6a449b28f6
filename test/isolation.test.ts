// Tenant isolation as a matrix generated from the platform's own route table: every route is
// called with every foreign key (another tenant's admin, a reseller that does not sell the tenant)
// against the victim's ids. A foreign tenant must look
// exactly like a missing one (same status, same body but the requestId) and nothing may change.
// A route added to the table without a probe recipe below fails this suite.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, routeTable, startPlatform, type Platform, type RouteDef } from '@highrise/platform';
import { ErrorBody, ExtensionList, ResellerList, Tenant, TenantCreateResponse, TenantList } from '@highrise/sdk/schemas';

const bootstrapKey = 'hr_test_bootstrap_isolation_0001';
const MISSING_TENANT = 'ten_00000000000000000000000000';
const MISSING_EXTENSION = 'ext_00000000000000000000000000';

/** What a principal that is not the resource's owner must get from a route outside any tenant. */
type Expectation =
  /** No key needed; nothing tenant-owned in it. */
  | 'public'
  /** 403 permission_denied, nothing created. */
  | 'forbidden'
  /** 200 with only the caller's own tenants in it. */
  | 'own-only'
  /** Allowed, and what it creates belongs to the caller (a reseller creating its own tenant). */
  | 'creates-own';

type Recipe =
  /** A route under /v1/tenants/{tenantId}: probed with the victim's ids, compared with missing ids. */
  | { kind: 'tenant'; body?: () => unknown }
  /** A route outside any tenant, with what each kind of foreign key must get. */
  | { kind: 'platform'; body?: () => unknown; tenantKey: Expectation; resellerKey: Expectation };

let slugs = 0;
const recipes: Record<string, Recipe> = {
  'GET /healthz': { kind: 'platform', tenantKey: 'public', resellerKey: 'public' },
  'GET /openapi.json': { kind: 'platform', tenantKey: 'public', resellerKey: 'public' },
  'POST /v1/resellers': { kind: 'platform', body: () => ({ name: 'Intruder Reseller' }), tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'GET /v1/resellers': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'GET /v1/resellers/{resellerId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'POST /v1/tenants': { kind: 'platform', body: () => ({ name: 'Intruder', slug: `intruder-${++slugs}` }), tenantKey: 'forbidden', resellerKey: 'creates-own' },
  'GET /v1/tenants': { kind: 'platform', tenantKey: 'own-only', resellerKey: 'own-only' },
  'GET /v1/tenants/{tenantId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}': { kind: 'tenant', body: () => ({ name: 'Hijacked' }) },
  'POST /v1/tenants/{tenantId}/extensions': { kind: 'tenant', body: () => ({ number: '199', displayName: 'Intruder' }) },
  'GET /v1/tenants/{tenantId}/extensions': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant', body: () => ({ displayName: 'Hijacked', sipPassword: 'hijacked-password-1' }) },
  'DELETE /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/softphone-tokens': { kind: 'tenant', body: () => ({ extension: '101', ttlSeconds: 600 }) },
};

interface World {
  tenantId: string;
  extensionId: string;
  key: string;
}

/** A key that does not own the victim: another tenant's admin, or a reseller that does not sell it. */
interface Attacker {
  name: string;
  kind: 'tenantKey' | 'resellerKey';
  key: string;
  /** The tenants this key legitimately sees. */
  ownTenantIds(): Promise<string[]>;
  /** Its own tenant (and extension), for probing a foreign extension id inside its own namespace. */
  home?: World;
}

let platform: Platform;
let dataDir: string;
let acme: World;
let globex: World;
let resellerId: string;
let resellerTenantId: string;
let pairs = 0;

const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;

function fillPath(path: string, ids: { tenantId?: string; extensionId?: string }): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'tenantId') return ids.tenantId!;
    if (name === 'extensionId') return ids.extensionId!;
    if (name === 'resellerId') return resellerId;
    throw new Error(`no probe value for path parameter {${name}}; add one to fillPath`);
  });
}

async function request(method: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${platform.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

/** The error body without the one field that differs per request. */
function comparable(json: unknown) {
  const { error } = ErrorBody.parse(json);
  const { requestId: _requestId, ...rest } = error;
  return rest;
}

/** Everything a foreign key could have touched, read with the provider key. */
async function snapshot() {
  const tenants = TenantList.parse((await request('GET', '/v1/tenants?limit=100', bootstrapKey)).json).data;
  const extensions = await Promise.all(
    tenants.map(async (t) => ExtensionList.parse((await request('GET', `/v1/tenants/${t.id}/extensions?limit=100`, bootstrapKey)).json).data),
  );
  const resellers = ResellerList.parse((await request('GET', '/v1/resellers?limit=100', bootstrapKey)).json).data;
  return { tenants, extensions, resellers };
}

/** The victims' own data only: what must survive even a call that legitimately creates something elsewhere. */
async function victimSnapshot() {
  const all = await snapshot();
  const victims = all.tenants.filter((t) => t.id === acme.tenantId || t.id === globex.tenantId);
  return { victims, extensions: all.extensions.filter((list) => list.some((e) => e.tenantId === acme.tenantId || e.tenantId === globex.tenantId)) };
}

async function world(slug: string, extra: Record<string, unknown> = {}): Promise<World> {
  const created = TenantCreateResponse.parse((await request('POST', '/v1/tenants', bootstrapKey, { name: slug, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' }, ...extra })).json);
  const ext = await request('POST', `/v1/tenants/${created.tenant.id}/extensions`, bootstrapKey, { number: '101', displayName: `${slug} 101` });
  expect(ext.status).toBe(201);
  await request('POST', `/v1/tenants/${created.tenant.id}/extensions`, bootstrapKey, { number: '102', displayName: `${slug} 102` });
  return { tenantId: created.tenant.id, extensionId: ext.json.id, key: created.adminKey!.secret };
}

/**
 * Reseller keys have no API yet; this one is written into the platform's own database, the way a
 * later `POST /v1/api-keys` would store it (sha256 of the secret).
 */
function insertResellerKey(secret: string): void {
  const store = openSqliteStore({ dataDir });
  try {
    store.apiKeys.insert({
      id: `key_${'0'.repeat(25)}1`,
      secretHash: createHash('sha256').update(secret).digest('hex'),
      principal: 'reseller',
      resellerId,
      tenantId: null,
      name: 'isolation test reseller',
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
    });
  } finally {
    store.close();
  }
}

const resellerKey = 'hr_live_isolationResellerKey0000000001';
let attackers: { attacker: Attacker; victim: World }[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-isolation-'));
  platform = await startPlatform({ port: 0, dataDir, bootstrapKey });
  acme = await world('acme');
  globex = await world('globex');
  resellerId = (await request('POST', '/v1/resellers', bootstrapKey, { name: 'Reseller' })).json.id;
  const resold = await world('resold', { resellerId });
  resellerTenantId = resold.tenantId;
  insertResellerKey(resellerKey);

  const tenantAttacker = (name: string, home: World): Attacker => ({ name, kind: 'tenantKey', key: home.key, home, ownTenantIds: async () => [home.tenantId] });
  const reseller: Attacker = {
    name: 'a reseller that sells neither',
    kind: 'resellerKey',
    key: resellerKey,
    ownTenantIds: async () => (await snapshot()).tenants.filter((t) => t.resellerId === resellerId).map((t) => t.id),
  };
  attackers = [
    { attacker: tenantAttacker("Acme's admin key", acme), victim: globex },
    { attacker: tenantAttacker("Globex's admin key", globex), victim: acme },
    { attacker: reseller, victim: acme },
    { attacker: reseller, victim: globex },
  ];
});

afterAll(async () => {
  console.log(`isolation: checked ${pairs} route × foreign-principal pairs over ${routeTable.length} routes`);
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function probePlatformRoute(route: RouteDef, recipe: Extract<Recipe, { kind: 'platform' }>, attacker: Attacker, victim: World) {
  const expectation = recipe[attacker.kind];
  const path = fillPath(route.path, {});
  const before = await snapshot();
  const beforeVictims = await victimSnapshot();
  switch (expectation) {
    case 'public': {
      expect((await request(route.method, path, attacker.key)).status).toBe(200);
      break;
    }
    case 'forbidden': {
      const r = await request(route.method, path, attacker.key, recipe.body?.());
      expect(r.status, r.text).toBe(403);
      expect(ErrorBody.parse(r.json).error.code).toBe('permission_denied');
      break;
    }
    case 'own-only': {
      const r = await request(route.method, `${path}?limit=100`, attacker.key);
      expect(r.status).toBe(200);
      expect(TenantList.parse(r.json).data.map((t) => t.id)).toEqual(await attacker.ownTenantIds());
      expect(r.text).not.toContain(victim.tenantId);
      break;
    }
    case 'creates-own': {
      const r = await request(route.method, path, attacker.key, recipe.body?.());
      expect(r.status, r.text).toBe(201);
      expect(TenantCreateResponse.parse(r.json).tenant.resellerId).toBe(resellerId);
      expect(await victimSnapshot(), "the victim's data is unchanged").toEqual(beforeVictims);
      return;
    }
  }
  expect(await snapshot(), 'nothing changed').toEqual(before);
}

async function probeTenantRoute(route: RouteDef, recipe: Extract<Recipe, { kind: 'tenant' }>, attacker: Attacker, victim: World) {
  const before = await snapshot();
  // The victim's tenant (and extension) against a tenant id that does not exist.
  const foreign = await request(route.method, fillPath(route.path, victim), attacker.key, recipe.body?.());
  const missing = await request(route.method, fillPath(route.path, { tenantId: MISSING_TENANT, extensionId: victim.extensionId }), attacker.key, recipe.body?.());
  expect(foreign.status, foreign.text).toBe(404);
  expect(missing.status).toBe(404);
  expect(comparable(foreign.json)).toEqual(comparable(missing.json));
  expect(comparable(foreign.json).code).toBe('not_found');
  expect(foreign.text).not.toContain(victim.extensionId);

  // The attacker's own tenant with the victim's extension id looks like a missing extension.
  if (attacker.home && route.path.includes('{extensionId}')) {
    const home = attacker.home.tenantId;
    const crossed = await request(route.method, fillPath(route.path, { tenantId: home, extensionId: victim.extensionId }), attacker.key, recipe.body?.());
    const absent = await request(route.method, fillPath(route.path, { tenantId: home, extensionId: MISSING_EXTENSION }), attacker.key, recipe.body?.());
    expect(crossed.status, crossed.text).toBe(404);
    expect(comparable(crossed.json)).toEqual(comparable(absent.json));
  }
  expect(await snapshot(), 'nothing changed').toEqual(before);
}

describe('the isolation matrix', () => {
  it('has a probe recipe for every route in the table, and none for routes that are gone', () => {
    const keys = routeTable.map(routeKey);
    expect(keys.filter((k) => !(k in recipes)), 'routes without a probe recipe').toEqual([]);
    expect(Object.keys(recipes).filter((k) => !keys.includes(k)), 'recipes for routes that no longer exist').toEqual([]);
    for (const route of routeTable) expect(recipes[routeKey(route)]?.kind === 'tenant', routeKey(route)).toBe(route.scope === 'tenant');
  });

  for (const route of routeTable) {
    const recipe = recipes[routeKey(route)];
    if (!recipe) continue;

    it(`${routeKey(route)} answers every foreign key as if the victim did not exist`, async () => {
      for (const { attacker, victim } of attackers) {
        if (recipe.kind === 'tenant') await probeTenantRoute(route, recipe, attacker, victim);
        else await probePlatformRoute(route, recipe, attacker, victim);
        pairs++;
      }
    });
  }

  it('still lets each owner reach its own data', async () => {
    for (const own of [acme, globex]) {
      const r = await request('GET', `/v1/tenants/${own.tenantId}`, own.key);
      expect(Tenant.parse(r.json).id).toBe(own.tenantId);
      expect((await request('GET', `/v1/tenants/${own.tenantId}/extensions/${own.extensionId}`, own.key)).status).toBe(200);
    }
    expect((await request('GET', `/v1/tenants/${resellerTenantId}`, resellerKey)).status).toBe(200);
  });
});
