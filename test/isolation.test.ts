// Tenant isolation as a matrix generated from the platform's own route table: every route is
// called with every foreign key (another tenant's owner and admin, a reseller that does not sell the
// tenant, another reseller's admin, an end user's key of another tenant) against the victim's ids.
// A foreign tenant must look exactly like a missing one (same status, same body but the requestId)
// and nothing may change: a digest of the whole database is compared before and after. Inside its
// own tenant, a key whose role lacks a route's permission gets 403 permission_denied.
// A route added to the table without a probe recipe below fails this suite (one line per route).
// On PostgreSQL (the integration-postgres project) the data is built through one node and every
// probe goes through a second node on the same database, as a load balancer would send it.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routeTable, startPlatform, type Platform, type RouteDef } from '@highrise/platform';
import { allStoredRows, createTestStore, openPlatformStore, type TestStore } from './support/platform';
import { testStoreIsPostgres } from './support/postgres';
import { AnalyticsSummary, ErrorBody, ExtensionList, ResellerList, Tenant, TenantCreateResponse, TenantList } from '@highrise/sdk/schemas';
import { createNodePhone } from './support/sip-node';
import { systemScope } from '@highrise/platform';

const bootstrapKey = 'hr_test_bootstrap_isolation_0001';
const MISSING_TENANT = 'ten_00000000000000000000000000';
const MISSING_EXTENSION = 'ext_00000000000000000000000000';
/** A 1×1 PNG. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** What a principal that is not the resource's owner must get from a route outside any tenant. */
type Expectation =
  /** No key needed; nothing tenant-owned in it. */
  | 'public'
  /** 403 permission_denied, nothing created. */
  | 'forbidden'
  /** 200 with only the caller's own tenants in it. */
  | 'own-only'
  /** 201, and what it creates belongs to the caller (a reseller creating its own tenant, role, key or endpoint). */
  | 'creates-own'
  /** 200 with the caller's own level only: none of the provider's or another reseller's ids, no victim tenant. */
  | 'lists-own'
  /** Probed with real ids of the provider's and of another reseller's objects: 404, exactly as a missing id, and nothing changes. */
  | 'not-found'
  /** 200 about the caller itself (its own permissions). */
  | 'reads-own'
  /** 200 with figures summed over the caller's own tenants only (their seeded calls, none of the victims'). */
  | 'sums-own'
  /**
   * 200 with tenant-owned rows (each naming its tenantId) of the caller's own tenants only, none of
   * the victim's; and `?tenantId=` the victim answers 404 exactly as a tenant that does not exist.
   */
  | 'tenant-rows-own';

type Recipe =
  /** A route under /v1/tenants/{tenantId}: probed with the victim's ids, compared with missing ids. */
  | { kind: 'tenant'; body?: () => unknown }
  /** A route outside any tenant, with what each kind of foreign key must get. */
  | { kind: 'platform'; body?: () => unknown; tenantKey: Expectation; resellerKey: Expectation; query?: () => string };

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
  'POST /v1/tenants/{tenantId}/extensions/batch': { kind: 'tenant', body: () => ({ items: [{ number: '198', displayName: 'Intruder' }, { number: '199', displayName: 'Intruder' }] }) },
  'GET /v1/tenants/{tenantId}/extensions': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant', body: () => ({ displayName: 'Hijacked', sipPassword: 'hijacked-password-1' }) },
  'DELETE /v1/tenants/{tenantId}/extensions/{extensionId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/softphone-tokens': { kind: 'tenant', body: () => ({ extension: '101', ttlSeconds: 600 }) },
  'PATCH /v1/resellers/{resellerId}': { kind: 'platform', body: () => ({ name: 'Hijacked' }), tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'POST /v1/resellers/{resellerId}/suspend': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'POST /v1/resellers/{resellerId}/resume': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'POST /v1/tenants/{tenantId}/suspend': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/resume': { kind: 'tenant' },
  'DELETE /v1/tenants/{tenantId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/restore': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/export': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/softphone-tokens/rotate-signing-key': { kind: 'tenant' },
  'GET /v1/permissions': { kind: 'platform', tenantKey: 'reads-own', resellerKey: 'reads-own' },
  'POST /v1/tenants/{tenantId}/roles': { kind: 'tenant', body: () => ({ name: 'intruder', permissions: ['extensions:read'] }) },
  'GET /v1/tenants/{tenantId}/roles': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/roles/{roleId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/roles/{roleId}': { kind: 'tenant', body: () => ({ permissions: ['extensions:write'] }) },
  'DELETE /v1/tenants/{tenantId}/roles/{roleId}': { kind: 'tenant' },
  'POST /v1/roles': { kind: 'platform', body: () => ({ name: `intruder-${++slugs}`, permissions: ['tenants:read'] }), tenantKey: 'forbidden', resellerKey: 'creates-own' },
  'GET /v1/roles': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'lists-own' },
  'GET /v1/roles/{roleId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'PATCH /v1/roles/{roleId}': { kind: 'platform', body: () => ({ name: 'hijacked' }), tenantKey: 'forbidden', resellerKey: 'not-found' },
  'DELETE /v1/roles/{roleId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/api-keys': { kind: 'platform', body: () => ({ name: 'intruder', roleId: 'rol_resellerSupport' }), tenantKey: 'forbidden', resellerKey: 'creates-own' },
  'GET /v1/api-keys': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'lists-own' },
  'GET /v1/api-keys/{keyId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/api-keys/{keyId}/rotate': { kind: 'platform', body: () => ({ gracePeriodSeconds: 0 }), tenantKey: 'forbidden', resellerKey: 'not-found' },
  'DELETE /v1/api-keys/{keyId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/tenants/{tenantId}/api-keys': { kind: 'tenant', body: () => ({ name: 'intruder', roleId: 'rol_tenantOwner' }) },
  'GET /v1/tenants/{tenantId}/api-keys': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/api-keys/{keyId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/api-keys/{keyId}/rotate': { kind: 'tenant', body: () => ({ gracePeriodSeconds: 0 }) },
  'DELETE /v1/tenants/{tenantId}/api-keys/{keyId}': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/calls': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/calls/{callId}': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/usage': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/analytics/summary': { kind: 'tenant' },
  'GET /v1/analytics/summary': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'sums-own' },
  'GET /v1/analytics/tenants': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'lists-own' },
  'POST /v1/numbers': { kind: 'platform', body: () => ({ number: '+14155550177' }), tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'GET /v1/numbers': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'GET /v1/numbers/{numberId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'DELETE /v1/numbers/{numberId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'POST /v1/tenants/{tenantId}/numbers': { kind: 'tenant', body: () => ({ number: INVENTORY_NUMBER }) },
  'GET /v1/tenants/{tenantId}/numbers': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/numbers/{numberId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/numbers/{numberId}': { kind: 'tenant', body: () => ({ routing: { type: 'extension', target: '102' } }) },
  'DELETE /v1/tenants/{tenantId}/numbers/{numberId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/dial-rules': { kind: 'tenant', body: () => ({ pattern: '_X.', action: { type: 'reject', status: 403 }, position: 0 }) },
  'GET /v1/tenants/{tenantId}/dial-rules': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/dial-rules/{ruleId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/dial-rules/{ruleId}': { kind: 'tenant', body: () => ({ name: 'Hijacked', action: { type: 'reject', status: 603 } }) },
  'DELETE /v1/tenants/{tenantId}/dial-rules/{ruleId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/ring-groups': { kind: 'tenant', body: () => ({ number: '699', name: 'Intruder', members: ['101'] }) },
  'GET /v1/tenants/{tenantId}/ring-groups': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/ring-groups/{ringGroupId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/ring-groups/{ringGroupId}': { kind: 'tenant', body: () => ({ members: ['102'] }) },
  'DELETE /v1/tenants/{tenantId}/ring-groups/{ringGroupId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/trunks': { kind: 'tenant', body: () => ({ name: 'Intruder' }) },
  'GET /v1/tenants/{tenantId}/trunks': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/trunks/{trunkId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/trunks/{trunkId}': { kind: 'tenant', body: () => ({ name: 'Hijacked', rotatePassword: true }) },
  'DELETE /v1/tenants/{tenantId}/trunks/{trunkId}': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/audit-events': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/audit-events/verify': { kind: 'tenant' },
  'GET /v1/audit-events': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'lists-own' },
  'POST /v1/tenants/{tenantId}/port-orders': { kind: 'tenant', body: () => portOrderBody('+16464000099') },
  'GET /v1/tenants/{tenantId}/port-orders': { kind: 'tenant' },
  'GET /v1/port-orders': { kind: 'platform', tenantKey: 'tenant-rows-own', resellerKey: 'tenant-rows-own' },
  'GET /v1/tenants/{tenantId}/port-orders/{portOrderId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/port-orders/{portOrderId}': { kind: 'tenant', body: () => ({ requestedFocDate: '2031-01-01' }) },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/submit': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/cancel': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/approve': { kind: 'tenant', body: () => ({ focDate: '2031-01-01' }) },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/reject': { kind: 'tenant', body: () => ({ reason: 'ownership_not_verified', message: 'intruder' }) },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/complete': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/documents': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/port-orders/{portOrderId}/documents': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/port-orders/{portOrderId}/documents/{documentId}/content': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/port-orders/{portOrderId}/comments': { kind: 'tenant', body: () => ({ body: 'intruder' }) },
  'GET /v1/tenants/{tenantId}/port-orders/{portOrderId}/comments': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/port-orders/{portOrderId}/timeline': { kind: 'tenant' },
  // Webhook endpoints made by probes are disabled: no delivery loop writes to the database mid-probe.
  'POST /v1/webhook-endpoints': { kind: 'platform', body: () => ({ url: 'http://127.0.0.1:9/intruder', enabledEvents: ['*'], status: 'disabled' }), tenantKey: 'forbidden', resellerKey: 'creates-own' },
  'GET /v1/webhook-endpoints': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'lists-own' },
  'GET /v1/webhook-endpoints/{endpointId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'PATCH /v1/webhook-endpoints/{endpointId}': { kind: 'platform', body: () => ({ url: 'http://127.0.0.1:9/hijacked' }), tenantKey: 'forbidden', resellerKey: 'not-found' },
  'DELETE /v1/webhook-endpoints/{endpointId}': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/webhook-endpoints/{endpointId}/rotate-secret': { kind: 'platform', body: () => ({}), tenantKey: 'forbidden', resellerKey: 'not-found' },
  'GET /v1/webhook-endpoints/{endpointId}/deliveries': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'POST /v1/tenants/{tenantId}/webhook-endpoints': { kind: 'tenant', body: () => ({ url: 'http://127.0.0.1:9/intruder', enabledEvents: ['*'], status: 'disabled' }) },
  'GET /v1/tenants/{tenantId}/webhook-endpoints': { kind: 'tenant' },
  'GET /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}': { kind: 'tenant' },
  'PATCH /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}': { kind: 'tenant', body: () => ({ url: 'http://127.0.0.1:9/hijacked', status: 'enabled' }) },
  'DELETE /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}/rotate-secret': { kind: 'tenant', body: () => ({ gracePeriodSeconds: 60 }) },
  'GET /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}/deliveries': { kind: 'tenant' },
  'POST /v1/tenants/{tenantId}/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver': { kind: 'tenant' },
  'GET /v1/branding': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'PUT /v1/branding': { kind: 'platform', body: () => ({ productName: 'Hijacked' }), tenantKey: 'forbidden', resellerKey: 'forbidden' },
  'GET /v1/resellers/{resellerId}/branding': { kind: 'platform', tenantKey: 'forbidden', resellerKey: 'not-found' },
  'PUT /v1/resellers/{resellerId}/branding': { kind: 'platform', body: () => ({ productName: 'Hijacked' }), tenantKey: 'forbidden', resellerKey: 'not-found' },
  'GET /v1/tenants/{tenantId}/branding': { kind: 'tenant' },
  'PUT /v1/tenants/{tenantId}/branding': { kind: 'tenant', body: () => ({ productName: 'Hijacked', logo: { contentType: 'image/png', data: TINY_PNG } }) },
  // Public by design: the effective public fields of a SIP domain (the provider's logo is set up below).
  'GET /v1/public/branding': { kind: 'platform', tenantKey: 'public', resellerKey: 'public', query: () => `?domain=acme.sip.localhost` },
  'GET /v1/public/branding/logo': { kind: 'platform', tenantKey: 'public', resellerKey: 'public', query: () => `?domain=acme.sip.localhost` },
};

interface World {
  tenantId: string;
  extensionId: string;
  key: string;
}

/**
 * sha256 over every row of every table, read from the platform's database file while it runs. One
 * column is left out on purpose: `api_keys.last_used_at`, which the platform writes (at most once a
 * minute) for the attacker's own key on any authenticated request; and three tables: `job_leases`, the
 * background jobs' own bookkeeping, held by whichever node is mid-tick, and the usage rollups, sampled on a timer. Audit rows are included: a
 * refused foreign request writes none (it is authenticated, so it is no failed login), and any that
 * appeared would change the digest.
 */
async function databaseDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const [name, rows] of await allStoredRows({ dataDir, store: testStore })) {
    // A periodic job's lease row exists only while a tick runs, whenever the timer fires.
    if (name === 'job_leases') continue;
    // Usage rollups are sampled by a timer (registrations, and every tenant's stored bytes at the first
    // flush of each hour), so a run that crosses an hour boundary sees them change with no request at
    // all. Their wall is asserted by test/usage-analytics.test.ts (one tenant's figures never hold another's).
    if (name === 'usage_rollups' || name === 'owner_usage_rollups') continue;
    const lines = rows.map((row) => {
      if (name === 'api_keys') delete row.last_used_at;
      return JSON.stringify(row);
    });
    hash.update(`${name}\n${lines.sort().join('\n')}\n`);
  }
  return hash.digest('hex');
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
  /** The permissions it holds in `home`: a route it lacks one for refuses it before any lookup. */
  held?: () => string[];
}

let platform: Platform;
/** Where `request` goes: the platform while the data is built; on PostgreSQL, a second node for the probes. */
let apiUrl: string;
let secondNode: Platform | undefined;
let dataDir: string;
let testStore: TestStore;
let acme: World;
let globex: World;
let resellerId: string;
let resellerTenantId: string;
let pairs = 0;

const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;

/**
 * The path with the tenant's own real ids (a missing one for an unknown tenant); `override` puts
 * another id in one place, e.g. the victim's role id inside the attacker's own tenant.
 */
function fillPath(path: string, ids: { tenantId?: string; extensionId?: string }, override: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name in override) return override[name]!;
    if (name === 'tenantId') return ids.tenantId!;
    if (name === 'extensionId') return ids.extensionId!;
    // Roles, keys, calls, numbers, dial rules, ring groups, trunks, port orders and their documents, webhooks.
    if (name in MISSING_CHILD_IDS) return childIds.get(ids.tenantId ?? '')?.[name] ?? MISSING_CHILD_IDS[name]!;
    throw new Error(`no probe value for path parameter {${name}}; add one to fillPath`);
  });
}

async function request(method: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

/** The error body without the one field that differs per request. */
function comparable(json: unknown) {
  const { error } = ErrorBody.parse(json);
  const { requestId: _requestId, ...rest } = error;
  return rest;
}

/** Everything a foreign key could have touched, read with the provider key. */
/** The victims' numbers, dial rules, ring groups and trunks: each probe must leave them as they were. */
const DIAL_PLAN_RESOURCES = ['numbers', 'dial-rules', 'ring-groups', 'trunks'] as const;
async function dialPlanSnapshot() {
  const out: Record<string, unknown> = {};
  for (const id of childIds.keys()) {
    for (const resource of DIAL_PLAN_RESOURCES) out[`${id}/${resource}`] = (await request('GET', `/v1/tenants/${id}/${resource}?limit=100`, bootstrapKey)).json;
  }
  out.inventory = (await request('GET', '/v1/numbers?limit=100', bootstrapKey)).json;
  return out;
}

async function snapshot() {
  const tenants = TenantList.parse((await request('GET', '/v1/tenants?limit=100', bootstrapKey)).json).data;
  const extensions = await Promise.all(
    tenants.map(async (t) => ExtensionList.parse((await request('GET', `/v1/tenants/${t.id}/extensions?limit=100`, bootstrapKey)).json).data),
  );
  const resellers = ResellerList.parse((await request('GET', '/v1/resellers?limit=100', bootstrapKey)).json).data;
  return { tenants, extensions, resellers, dialPlan: await dialPlanSnapshot() };
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
async function insertResellerKey(secret: string): Promise<void> {
  const store = await openPlatformStore({ dataDir, store: testStore });
  try {
    await store.apiKeys.insert({
      id: `key_${'0'.repeat(25)}1`,
      secretHash: createHash('sha256').update(secret).digest('hex'),
      principal: 'reseller',
      resellerId,
      name: 'isolation test reseller',
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
    });
  } finally {
    await store.close();
  }
}

/**
 * Call records as the SIP edge writes them (through the store, so their rollups too), an hour ago:
 * the victims' calls must never show up in a foreign reseller's sums.
 */
const OWN_RESOLD_CALLS = 2;
async function insertCalls(perTenant: Record<string, number>): Promise<void> {
  const store = await openPlatformStore({ dataDir, store: testStore });
  const at = new Date(Date.now() - 3_600_000).toISOString();
  try {
    for (const [tenantId, count] of Object.entries(perTenant)) {
      for (let i = 0; i < count; i++) {
        await store.tenant(systemScope('test fixture', tenantId)).calls.insert({
          id: `cal_${tenantId.slice(4, 20)}${String(i).padStart(10, '0')}`,
          callId: `isolation-${i}`,
          from: '101',
          to: '102',
          direction: 'internal',
          startedAt: at,
          answeredAt: at,
          endedAt: at,
          durationSeconds: 0,
          disposition: 'answered',
          sipStatus: 200,
        });
      }
    }
  } finally {
    await store.close();
  }
}

const resellerKey = 'hr_live_isolationResellerKey0000000001';
let attackers: { attacker: Attacker; victim: World }[];
/** Everyone who probes tenant routes: the attackers above plus the identity principals. */
let tenantAttackers: { attacker: Attacker; victim: World }[];
let resoldWorld: World;
/** A reseller that is neither the probing one nor the victims', with its admin key. */
let otherReseller: string;
let otherResellerAdmin: string;
/** Keys of Acme whose roles lack permissions, with what they hold. */
let lackers: { name: string; key: string; held: string[] }[];
let permissionPairs = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-isolation-'));
  // The victims' webhook endpoints point at a closed loopback port (one real, refused attempt each).
  testStore = await createTestStore();
  platform = await startPlatform({ ...testStore.options, port: 0, dataDir, bootstrapKey, webhooks: { allowPrivateDestinations: true } });
  apiUrl = platform.url;
  acme = await world('acme');
  globex = await world('globex');
  resellerId = (await request('POST', '/v1/resellers', bootstrapKey, { name: 'Reseller' })).json.id;
  expect((await request('PUT', '/v1/branding', bootstrapKey, { productName: 'Provider', logo: { contentType: 'image/png', data: TINY_PNG } })).status).toBe(200);
  const resold = await world('resold', { resellerId });
  resellerTenantId = resold.tenantId;
  await insertResellerKey(resellerKey);
  await insertCalls({ [acme.tenantId]: 5, [globex.tenantId]: 4, [resellerTenantId]: OWN_RESOLD_CALLS });

  // What the built-in owner and admin roles hold, read below (the same in every tenant).
  let ownerHeld: string[] = [];
  let adminHeld: string[] = [];
  const tenantAttacker = (name: string, home: World): Attacker => ({ name, kind: 'tenantKey', key: home.key, home, held: () => ownerHeld, ownTenantIds: async () => [home.tenantId] });
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

  // Tenant routes also face principals that exist only through A's identity API: another role of
  // the foreign tenant, another reseller's admin, and end users (user keys) of another tenant.
  const keyOf = async (path: string, body: unknown) => {
    const r = await request('POST', path, bootstrapKey, body);
    expect(r.status, r.text).toBe(201);
    return r.json.secret as string;
  };
  otherReseller = (await request('POST', '/v1/resellers', bootstrapKey, { name: 'Other Reseller' })).json.id as string;
  otherResellerAdmin = await keyOf('/v1/api-keys', { name: 'other reseller admin', roleId: 'rol_resellerAdmin', resellerId: otherReseller });
  const acmeAdmin = await keyOf(`/v1/tenants/${acme.tenantId}/api-keys`, { name: 'acme admin', roleId: 'rol_tenantAdmin' });
  const acmeUser = await keyOf(`/v1/tenants/${acme.tenantId}/api-keys`, { name: 'acme user at 101', extension: '101' });
  const globexUser = await keyOf(`/v1/tenants/${globex.tenantId}/api-keys`, { name: 'globex user at 101', extension: '101' });
  const other = (name: string, key: string, home?: World): Attacker => ({ name, kind: 'tenantKey', key, home, ownTenantIds: async () => [] });
  tenantAttackers = [
    ...attackers,
    { attacker: { ...other("Acme's admin-role key", acmeAdmin, { ...acme, key: acmeAdmin }), held: () => adminHeld }, victim: globex },
    { attacker: other("another reseller's admin key", otherResellerAdmin), victim: resold },
    { attacker: other("an end user's key of Acme", acmeUser), victim: globex },
    { attacker: other("an end user's key of Globex", globexUser), victim: acme },
  ];
  resoldWorld = resold;

  // Same-tenant keys that lack permissions: a custom role with none, the built-in support role, and
  // the tenant's own owner, which holds every tenant permission but none above the tenant (so it
  // cannot, for one, approve its own port orders).
  const empty = await request('POST', `/v1/tenants/${acme.tenantId}/roles`, bootstrapKey, { name: 'nothing', permissions: [] });
  expect(empty.status, empty.text).toBe(201);
  const support = await request('GET', `/v1/tenants/${acme.tenantId}/roles/rol_tenantSupport`, bootstrapKey);
  expect(support.status, support.text).toBe(200);
  const owner = await request('GET', `/v1/tenants/${acme.tenantId}/roles/rol_tenantOwner`, bootstrapKey);
  expect(owner.status, owner.text).toBe(200);
  ownerHeld = owner.json.permissions;
  const admin = await request('GET', `/v1/tenants/${acme.tenantId}/roles/rol_tenantAdmin`, bootstrapKey);
  expect(admin.status, admin.text).toBe(200);
  adminHeld = admin.json.permissions;
  lackers = [
    { name: "the tenant's own owner key", key: acme.key, held: owner.json.permissions },
    { name: 'a key whose custom role holds no permission', key: await keyOf(`/v1/tenants/${acme.tenantId}/api-keys`, { name: 'powerless', roleId: empty.json.id }), held: [] },
    { name: 'a support key', key: await keyOf(`/v1/tenants/${acme.tenantId}/api-keys`, { name: 'helpdesk', roleId: 'rol_tenantSupport' }), held: support.json.permissions },
  ];
});

afterAll(async () => {
  console.log(`isolation: checked ${pairs} route × foreign-principal pairs and ${permissionPairs} route × same-tenant-without-permission pairs over ${routeTable.length} routes`);
  await secondNode?.close();
  await platform?.close();
  await testStore?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function probePlatformRoute(route: RouteDef, recipe: Extract<Recipe, { kind: 'platform' }>, attacker: Attacker, victim: World) {
  const expectation = recipe[attacker.kind];
  // Path ids are real objects of someone else: the other reseller's (the provider's are probed too, for 'not-found').
  const path = fillPlatformPath(route.path, platformIds.otherReseller);
  const before = await snapshot();
  const beforeVictims = await victimSnapshot();
  switch (expectation) {
    case 'public': {
      expect((await request(route.method, path + (recipe.query?.() ?? ''), attacker.key)).status).toBe(200);
      break;
    }
    case 'forbidden': {
      const digest = await databaseDigest();
      const r = await request(route.method, path, attacker.key, recipe.body?.());
      expect(r.status, r.text).toBe(403);
      expect(ErrorBody.parse(r.json).error.code).toBe('permission_denied');
      expect(await databaseDigest(), `${attacker.name}: nothing in the database changed`).toBe(digest);
      break;
    }
    case 'own-only': {
      const r = await request(route.method, `${path}?limit=100`, attacker.key);
      expect(r.status).toBe(200);
      expect(TenantList.parse(r.json).data.map((t) => t.id)).toEqual(await attacker.ownTenantIds());
      expect(r.text).not.toContain(victim.tenantId);
      break;
    }
    case 'reads-own': {
      const r = await request(route.method, path, attacker.key);
      expect(r.status, r.text).toBe(200);
      break;
    }
    case 'sums-own': {
      const r = await request(route.method, path, attacker.key);
      expect(r.status, r.text).toBe(200);
      // A recount of the records in the caller's own tenants: the seeded ones plus any a probe placed.
      let own = 0;
      for (const id of await attacker.ownTenantIds()) own += (await request('GET', `/v1/tenants/${id}/calls?limit=100`, bootstrapKey)).json.data.length;
      expect(own).toBeGreaterThanOrEqual(OWN_RESOLD_CALLS);
      expect(AnalyticsSummary.parse(r.json).totals.calls, `${attacker.name} sums its own tenants' calls only`).toBe(own);
      break;
    }
    case 'lists-own': {
      const r = await request(route.method, `${path}?limit=100`, attacker.key);
      expect(r.status, r.text).toBe(200);
      expect(r.json.data.length, 'the list is not empty: it shows the caller its own').toBeGreaterThan(0);
      for (const id of [...foreignIds(), acme.tenantId, globex.tenantId]) expect(r.text, `${attacker.name} sees ${id}`).not.toContain(id);
      break;
    }
    case 'tenant-rows-own': {
      const r = await request(route.method, `${path}?limit=100`, attacker.key);
      expect(r.status, r.text).toBe(200);
      const own = await attacker.ownTenantIds();
      const rows = r.json.data as { tenantId: string }[];
      expect(rows.length, 'the list is not empty: it shows the caller its own').toBeGreaterThan(0);
      for (const row of rows) expect(own, `${attacker.name} sees a row of ${row.tenantId}`).toContain(row.tenantId);
      expect(r.text).not.toContain(victim.tenantId);
      // Narrowing to the victim's tenant by id looks exactly like narrowing to one that does not exist.
      const foreign = await request(route.method, `${path}?tenantId=${victim.tenantId}`, attacker.key);
      const missing = await request(route.method, `${path}?tenantId=${MISSING_TENANT}`, attacker.key);
      expect(foreign.status, `${attacker.name} narrowing to the victim: ${foreign.text}`).toBe(404);
      expect(comparable(foreign.json)).toEqual(comparable(missing.json));
      break;
    }
    case 'not-found': {
      for (const owner of ['provider', 'otherReseller'] as const) {
        const digest = await databaseDigest();
        const foreign = await request(route.method, fillPlatformPath(route.path, platformIds[owner]), attacker.key, recipe.body?.());
        const missing = await request(route.method, fillPlatformPath(route.path, MISSING_PLATFORM_IDS), attacker.key, recipe.body?.());
        expect(foreign.status, `${attacker.name} on the ${owner}'s object: ${foreign.text}`).toBe(404);
        expect(comparable(foreign.json)).toEqual(comparable(missing.json));
        expect(await databaseDigest(), `${attacker.name} on the ${owner}'s object: nothing in the database changed`).toBe(digest);
      }
      break;
    }
    case 'creates-own': {
      const r = await request(route.method, path, attacker.key, recipe.body?.());
      expect(r.status, r.text).toBe(201);
      // A tenant comes back inside {tenant}; roles, keys and endpoints carry their owner directly.
      expect((r.json.tenant ?? r.json).resellerId, 'what was made belongs to the caller').toBe(resellerId);
      expect(await victimSnapshot(), "the victim's data is unchanged").toEqual(beforeVictims);
      return;
    }
  }
  expect(await snapshot(), 'nothing changed').toEqual(before);
}

async function probeTenantRoute(route: RouteDef, recipe: Extract<Recipe, { kind: 'tenant' }>, attacker: Attacker, victim: World) {
  const before = await databaseDigest();
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
  // Likewise each of the victim's ids (role, key, call, number, dial rule, ring group, trunk, port
  // order, document, webhook endpoint and delivery) inside the attacker's own tenant, every other id
  // in the path being the attacker's own real one: the victim's id must look like a missing one.
  const home = attacker.home;
  if (home) {
    // A key refused the route's permission is refused before any lookup (a tenant key never holds a
    // platform-only one such as porting:approve): 403 for the victim's id as for a missing one.
    const held = attacker.held?.() ?? [];
    expect(held.length, `${attacker.name}: its permissions are known`).toBeGreaterThan(0);
    const expected = route.permission !== undefined && held.includes(route.permission) ? 404 : 403;
    for (const param of Object.keys(MISSING_CHILD_IDS).filter((p) => route.path.includes(`{${p}}`))) {
      const victimId = childIds.get(victim.tenantId)?.[param];
      expect(victimId, `the victim has a real ${param}`).toBeDefined();
      const crossed = await request(route.method, fillPath(route.path, home, { [param]: victimId! }), attacker.key, recipe.body?.());
      const absent = await request(route.method, fillPath(route.path, home, { [param]: MISSING_CHILD_IDS[param]! }), attacker.key, recipe.body?.());
      expect(crossed.status, `${attacker.name}, the victim's ${param} in its own tenant: ${crossed.text}`).toBe(expected);
      expect(comparable(crossed.json)).toEqual(comparable(absent.json));
    }
  }
  expect(await databaseDigest(), `${attacker.name}: nothing in the database changed`).toBe(before);
}

/** Each victim's ids below the tenant (number, dial rule, role, key, call, …), by tenant id, for fillPath. */
const childIds = new Map<string, Record<string, string>>();
const MISSING_CHILD_IDS: Record<string, string> = {
  numberId: 'num_00000000000000000000000000',
  ruleId: 'dlr_00000000000000000000000000',
  ringGroupId: 'rgp_00000000000000000000000000',
  trunkId: 'trk_00000000000000000000000000',
  portOrderId: 'por_00000000000000000000000000',
  endpointId: 'whe_00000000000000000000000000',
  deliveryId: 'whd_00000000000000000000000000',
  roleId: 'rol_00000000000000000000000000',
  keyId: 'key_00000000000000000000000000',
  callId: 'cal_00000000000000000000000000',
  documentId: 'pdc_00000000000000000000000000',
};
/** In inventory, so a wrongly allowed assignment would show in the snapshot. */
const INVENTORY_NUMBER = '+14155550188';

beforeAll(async () => {
  expect((await request('POST', '/v1/numbers', bootstrapKey, { number: INVENTORY_NUMBER })).status).toBe(201);
  for (const [i, victim] of [acme, globex, resoldWorld].entries()) {
    const base = `/v1/tenants/${victim.tenantId}`;
    const number = `+1415555019${i}`;
    await request('POST', '/v1/numbers', bootstrapKey, { number });
    const did = await request('POST', `${base}/numbers`, bootstrapKey, { number });
    const rule = await request('POST', `${base}/dial-rules`, bootstrapKey, { pattern: '_8XX', action: { type: 'extension', target: '101' } });
    const group = await request('POST', `${base}/ring-groups`, bootstrapKey, { number: '600', name: 'Front', members: ['101', '102'] });
    const trunk = await request('POST', `${base}/trunks`, bootstrapKey, { name: 'Carrier' });
    for (const created of [did, rule, group, trunk]) expect(created.status, created.text).toBe(201);
    childIds.set(victim.tenantId, { numberId: did.json.id, ruleId: rule.json.id, ringGroupId: group.json.id, trunkId: trunk.json.id });
  }
});

/** A draft port order (drafts are not driven by the carrier loop, so the database stays still between probes). */
const portOrderBody = (number: string) => ({
  numbers: [number],
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-1', pin: '1234' },
  authorisedPerson: { name: 'Victim' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: '2030-01-15',
  defaultDestination: { type: 'extension', target: '101' },
});

/** Each victim's draft port order, probed through {portOrderId}. */
beforeAll(async () => {
  for (const [i, victim] of [acme, globex, resoldWorld].entries()) {
    const order = await request('POST', `/v1/tenants/${victim.tenantId}/port-orders`, bootstrapKey, portOrderBody(`+1646400000${i}`));
    expect(order.status, order.text).toBe(201);
    childIds.set(victim.tenantId, { ...childIds.get(victim.tenantId), portOrderId: order.json.id });
  }
});

/**
 * Each victim's webhook endpoint with one real delivery in its log: the endpoint is enabled long
 * enough for one (refused, port 9) attempt, then disabled so no retry changes the database mid-probe.
 */
beforeAll(async () => {
  await Promise.all(
    [acme, globex, resoldWorld].map(async (victim) => {
      const base = `/v1/tenants/${victim.tenantId}/webhook-endpoints`;
      const endpoint = await request('POST', base, bootstrapKey, { url: 'http://127.0.0.1:9/victim', enabledEvents: ['extension.updated'] });
      expect(endpoint.status, endpoint.text).toBe(201);
      await request('PATCH', `/v1/tenants/${victim.tenantId}/extensions/${victim.extensionId}`, bootstrapKey, { displayName: 'Webhook probe' });
      let delivery: { id: string; attempts: unknown[] } | undefined;
      for (let i = 0; i < 200 && !delivery?.attempts.length; i++) {
        await new Promise((r) => setTimeout(r, 25));
        delivery = (await request('GET', `${base}/${endpoint.json.id}/deliveries`, bootstrapKey)).json.data[0];
      }
      expect(delivery?.attempts.length, 'the victim delivery was attempted once').toBeGreaterThan(0);
      expect((await request('PATCH', `${base}/${endpoint.json.id}`, bootstrapKey, { status: 'disabled' })).status).toBe(200);
      Object.assign(childIds.get(victim.tenantId)!, { endpointId: endpoint.json.id, deliveryId: delivery!.id });
    }),
  );
});

/**
 * Each victim's custom role, API key, call record (a real call through the SIP edge: 103 calls 102,
 * which is not registered, so the call fails at once) and a document on its draft
 * port order. Built-in role ids are the same in every tenant, so the role probed is a custom one.
 */
beforeAll(async () => {
  for (const [i, victim] of [acme, globex, resoldWorld].entries()) {
    const base = `/v1/tenants/${victim.tenantId}`;
    const ids = childIds.get(victim.tenantId)!;
    const role = await request('POST', `${base}/roles`, bootstrapKey, { name: `victim-role-${i}`, permissions: ['extensions:read'] });
    expect(role.status, role.text).toBe(201);
    const key = await request('POST', `${base}/api-keys`, bootstrapKey, { name: 'victim key', roleId: role.json.id });
    expect(key.status, key.text).toBe(201);
    const document = await fetch(`${platform.url}${base}/port-orders/${ids.portOrderId}/documents?kind=loa&filename=loa.pdf`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bootstrapKey}`, 'Content-Type': 'application/pdf' },
      body: Buffer.from('%PDF-1.4\n%victim letter of authorisation\n%%EOF\n'),
    });
    expect(document.status, await document.clone().text()).toBe(201);
    Object.assign(ids, { roleId: role.json.id, keyId: key.json.id, documentId: ((await document.json()) as { id: string }).id, callId: await placeFailedCall(victim) });
  }
});

async function placeFailedCall(victim: World): Promise<string> {
  const password = 'victim-sip-password-103';
  expect((await request('POST', `/v1/tenants/${victim.tenantId}/extensions`, bootstrapKey, { number: '103', displayName: 'Caller', sipPassword: password })).status).toBe(201);
  const domain = Tenant.parse((await request('GET', `/v1/tenants/${victim.tenantId}`, bootstrapKey)).json).sipDomain;
  const phone = createNodePhone({ wsUrl: platform.wsUrl, domain, number: '103', password });
  try {
    await phone.start();
    await phone.register();
    expect(await phone.call('102').outcome).toBeGreaterThanOrEqual(400);
    await phone.unregister();
  } finally {
    await phone.stop();
  }
  // A record is listed once the call is over, so nothing writes to it mid-probe.
  // Only this call comes from 103; other suites' seeds (analytics sums) are 101 → 102.
  let calls: { id: string }[] = [];
  await vi.waitFor(async () => {
    const listed: { id: string; from: string }[] = (await request('GET', `/v1/tenants/${victim.tenantId}/calls?from=103&limit=10`, bootstrapKey)).json.data;
    calls = listed.filter((call) => call.from === '103');
    expect(calls).toHaveLength(1);
  }, { timeout: 10_000 });
  return calls[0]!.id;
}

/**
 * Objects above tenants that belong to someone other than the probing reseller, with real ids: the
 * provider's and another reseller's role, key and webhook endpoint (with one real delivery), an
 * inventory number and a reseller. A guard that let the prober reach them would answer 200 here,
 * where an id that never existed could only ever answer 404.
 */
type PlatformIds = Record<'roleId' | 'keyId' | 'endpointId' | 'deliveryId' | 'numberId' | 'resellerId', string>;
const MISSING_PLATFORM_IDS: PlatformIds = {
  roleId: 'rol_00000000000000000000000000',
  keyId: 'key_00000000000000000000000000',
  endpointId: 'whe_00000000000000000000000000',
  deliveryId: 'whd_00000000000000000000000000',
  numberId: 'num_00000000000000000000000000',
  resellerId: 'res_00000000000000000000000000',
};
const platformIds = {} as Record<'provider' | 'otherReseller', PlatformIds>;
const foreignIds = () => Object.values(platformIds).flatMap((ids) => [ids.roleId, ids.keyId, ids.endpointId, ids.deliveryId]);

function fillPlatformPath(path: string, ids: PlatformIds): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name as keyof PlatformIds];
    if (!id) throw new Error(`no probe value for path parameter {${name}}; add one to PlatformIds`);
    return id;
  });
}

beforeAll(async () => {
  const created = async (method: string, path: string, key: string, body: unknown) => {
    const r = await request(method, path, key, body);
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  // The other reseller sells a tenant of its own, so its endpoint has an event to deliver.
  const otherTenant = await created('POST', '/v1/tenants', otherResellerAdmin, { name: 'Other resold', slug: 'other-resold' });
  const otherExtension = await created('POST', `/v1/tenants/${otherTenant.tenant.id}/extensions`, bootstrapKey, { number: '101', displayName: 'Other 101' });
  const inventory = (await request('GET', '/v1/numbers?limit=100', bootstrapKey)).json.data as { id: string; number: string }[];
  const numberId = inventory.find((n) => n.number === INVENTORY_NUMBER)!.id;
  const otherKeyId = ((await request('GET', '/v1/api-keys?limit=100', otherResellerAdmin)).json.data as { id: string; name: string }[]).find((k) => k.name === 'other reseller admin')!.id;
  // Roles are made by an owner; the admin key is the one probed.
  const otherOwner = (await created('POST', '/v1/api-keys', bootstrapKey, { name: 'other reseller owner', roleId: 'rol_resellerOwner', resellerId: otherReseller })).secret as string;
  for (const [owner, key] of [['provider', bootstrapKey], ['otherReseller', otherOwner]] as const) {
    const role = await created('POST', '/v1/roles', key, { name: `${owner}-ops`, permissions: ['tenants:read'] });
    const keyId = owner === 'provider' ? (await created('POST', '/v1/api-keys', key, { name: 'provider ops', roleId: 'rol_providerSupport' })).id : otherKeyId;
    const endpoint = await created('POST', '/v1/webhook-endpoints', key, { url: `http://127.0.0.1:9/${owner}`, enabledEvents: ['extension.updated'] });
    platformIds[owner] = { roleId: role.id, keyId, endpointId: endpoint.id, deliveryId: '', numberId, resellerId: otherReseller };
  }
  // One event reaches both endpoints (the provider's sees every tenant); each makes one refused attempt, then both are disabled.
  expect((await request('PATCH', `/v1/tenants/${otherTenant.tenant.id}/extensions/${otherExtension.id}`, bootstrapKey, { displayName: 'Platform webhook probe' })).status).toBe(200);
  for (const [owner, key] of [['provider', bootstrapKey], ['otherReseller', otherResellerAdmin]] as const) {
    const base = `/v1/webhook-endpoints/${platformIds[owner].endpointId}`;
    let delivery: { id: string; attempts: unknown[] } | undefined;
    for (let i = 0; i < 200 && !delivery?.attempts.length; i++) {
      await new Promise((r) => setTimeout(r, 25));
      delivery = (await request('GET', `${base}/deliveries`, key)).json.data[0];
    }
    expect(delivery?.attempts.length, `the ${owner}'s delivery was attempted once`).toBeGreaterThan(0);
    expect((await request('PATCH', base, key, { status: 'disabled' })).status).toBe(200);
    platformIds[owner].deliveryId = delivery!.id;
  }
  // The probing reseller has an endpoint of its own, so its list is never empty whatever the probe order.
  await created('POST', '/v1/webhook-endpoints', resellerKey, { url: 'http://127.0.0.1:9/own', enabledEvents: ['*'], status: 'disabled' });
  // The ids are real: their owners reach them.
  for (const [owner, key] of [['provider', bootstrapKey], ['otherReseller', otherResellerAdmin]] as const) {
    const ids = platformIds[owner];
    for (const path of [`/v1/roles/${ids.roleId}`, `/v1/api-keys/${ids.keyId}`, `/v1/webhook-endpoints/${ids.endpointId}`]) expect((await request('GET', path, key)).status, path).toBe(200);
  }
});

/** Declared after every other setup: the probes that follow go through node 2 on data node 1 made. */
beforeAll(async () => {
  if (!testStoreIsPostgres()) return;
  secondNode = await startPlatform({ ...testStore.options, port: 0, dataDir, bootstrapKey, webhooks: { allowPrivateDestinations: true } });
  apiUrl = secondNode.url;
});

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
      for (const { attacker, victim } of recipe.kind === 'tenant' ? tenantAttackers : attackers) {
        if (recipe.kind === 'tenant') await probeTenantRoute(route, recipe, attacker, victim);
        else await probePlatformRoute(route, recipe, attacker, victim);
        pairs++;
      }
    });

    if (recipe.kind === 'tenant') {
      it(`${routeKey(route)} answers a same-tenant key without ${route.permission ?? '(no permission named!)'} with 403 permission_denied`, async () => {
        expect(route.permission, 'every tenant route names the permission it needs').toBeDefined();
        for (const lacker of lackers) {
          if (lacker.held.includes(route.permission!)) continue;
          const before = await databaseDigest();
          const r = await request(route.method, fillPath(route.path, acme), lacker.key, recipe.body?.());
          expect(r.status, `${lacker.name}: ${r.text}`).toBe(403);
          expect(ErrorBody.parse(r.json).error.code).toBe('permission_denied');
          expect(await databaseDigest(), `${lacker.name}: nothing in the database changed`).toBe(before);
          permissionPairs++;
        }
      });
    }
  }

  it.runIf(testStoreIsPostgres())('probes through a second node on the same database', () => {
    expect(apiUrl).toBe(secondNode?.url);
    expect(apiUrl).not.toBe(platform.url);
  });

  it('still lets each owner reach its own data', async () => {
    for (const own of [acme, globex]) {
      const r = await request('GET', `/v1/tenants/${own.tenantId}`, own.key);
      expect(Tenant.parse(r.json).id).toBe(own.tenantId);
      expect((await request('GET', `/v1/tenants/${own.tenantId}/extensions/${own.extensionId}`, own.key)).status).toBe(200);
    }
    expect((await request('GET', `/v1/tenants/${resellerTenantId}`, resellerKey)).status).toBe(200);
  });
});
