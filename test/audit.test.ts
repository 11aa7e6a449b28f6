// The tamper-evident audit log against the real platform through the real SDK: every mutation
// leaves a chained event with its actor, changed fields and source; no secret ever reaches a row;
// editing or deleting a row in the database is found by verify; and each principal reads only the
// events it may see.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, startPlatform, type Platform } from '@highrise/platform';
import { AuditEvent, Highrise, NotFoundError, PermissionDeniedError, type APIError } from '@highrise/sdk';

const bootstrapKey = 'hr_test_bootstrap_audit_0001';
/** The audit chain's key, kept out of the database; the suite computes its id the way the decision record describes. */
const AUDIT_KEY = 'audit-suite key: 32 bytes or more of secret';
let auditKeyId: string;

let platform: Platform;
let dataDir: string;
let provider: Highrise;

const client = (apiKey: string) => new Highrise({ baseUrl: platform.url, apiKey, maxRetries: 0 });

async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    return error as APIError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Runs `fn` on the platform's own database file, opened beside the running platform (WAL allows it). */
const withDb = <T>(fn: (db: Database.Database) => T): T => withDbAt(dataDir, fn);

function withDbAt<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, DATABASE_FILE));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

let slugs = 0;
async function tenantWith(name: string) {
  const slug = `${name}-${++slugs}`;
  const { tenant, adminKey } = await provider.tenants.create({ name, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' } });
  return { tenant, adminKey: adminKey!, owner: client(adminKey!.secret) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-audit-'));
  platform = await startPlatform({ port: 0, dataDir, bootstrapKey, audit: { key: AUDIT_KEY } });
  provider = client(bootstrapKey);
  auditKeyId = createHmac('sha256', AUDIT_KEY).update('highrise audit key id').digest('hex').slice(0, 16);
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the audit log', () => {
  it('records each mutation as a chained event with actor, target, changed fields, request id and source', async () => {
    const { tenant, adminKey, owner } = await tenantWith('chained');
    const api = owner.tenant(tenant.id);
    const ext = await api.extensions.create({ number: '101', displayName: 'Front desk' });
    await api.extensions.update(ext.id, { displayName: 'Reception' });
    await api.softphoneTokens.create({ extension: '101' });
    await api.extensions.delete(ext.id);

    const events = await all(api.auditEvents.list({ limit: 2 }));
    for (const e of events) AuditEvent.parse(e);
    expect(events.map((e) => e.action)).toEqual([
      'tenant.created',
      'api_key.created',
      'extension.created',
      'extension.updated',
      'softphone_token.issued',
      'extension.deleted',
    ]);
    // One unbroken chain: each event points at the hash of the one before it.
    expect(events[0]!.chain.seq).toBe(1);
    expect(events[0]!.chain.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.chain.seq).toBe(i + 1);
      expect(events[i]!.chain.prevHash).toBe(events[i - 1]!.chain.hash);
    }

    const created = events[0]!;
    expect(created.actor).toEqual({ keyId: expect.stringMatching(/^key_/), principal: 'provider', role: 'owner' });
    expect(created.target).toEqual({ id: tenant.id, type: 'tenant' });

    const updated = events[3]!;
    expect(updated.actor).toEqual({ keyId: adminKey.id, principal: 'tenant', role: 'owner' });
    expect(updated.target).toEqual({ id: ext.id, type: 'extension' });
    expect(updated.changes).toEqual({ displayName: { before: 'Front desk', after: 'Reception' } });
    expect(updated.requestId).toMatch(/^req_/);
    expect(updated.sourceAddress).toMatch(/127\.0\.0\.1/);
    expect(events[5]!.changes).toMatchObject({ number: { before: '101', after: null } });

    // Keyed: each hash names the key that made it, never the key itself.
    for (const e of events) expect(e.chain.hash).toMatch(new RegExp(`^hmac-sha256:${auditKeyId}:[0-9a-f]{64}$`));
    expect(await api.auditEvents.verify()).toEqual({ object: 'audit_verification', keyId: auditKeyId, ok: true, checked: 6 });
  });

  it('names a custom role, and records failed logins with a revoked key in the chain of its tenant', async () => {
    const { tenant, owner } = await tenantWith('security');
    const api = owner.tenant(tenant.id);
    const role = await api.roles.create({ name: 'desk staff', permissions: ['extensions:read', 'extensions:write'] });
    const staffKey = await api.apiKeys.create({ name: 'desk', roleId: role.id });
    const staff = client(staffKey.secret).tenant(tenant.id);
    await staff.extensions.create({ number: '101', displayName: 'Desk' });
    await api.apiKeys.revoke(staffKey.id);
    await failure(staff.extensions.list());

    const events = await all(api.auditEvents.list());
    expect(events.find((e) => e.action === 'extension.created')?.actor).toEqual({ keyId: staffKey.id, principal: 'tenant', role: 'desk staff' });
    const failed = events.find((e) => e.action === 'auth.failed.revoked');
    expect(failed).toMatchObject({ tenantId: tenant.id, actor: { keyId: null, principal: null }, target: { id: staffKey.id, type: 'api_key' } });
    expect(failed?.sourceAddress).toMatch(/127\.0\.0\.1/);
    expect(await api.auditEvents.verify()).toMatchObject({ ok: true, checked: events.length });
  });

  it('filters by actor key, action, target and time', async () => {
    const { tenant, adminKey, owner } = await tenantWith('filters');
    const api = owner.tenant(tenant.id);
    const a = await api.extensions.create({ number: '101', displayName: 'A' });
    const from = new Date().toISOString();
    const b = await api.extensions.create({ number: '102', displayName: 'B' });
    await api.extensions.update(a.id, { displayName: 'A2' });

    const actions = async (params: Parameters<typeof api.auditEvents.list>[0]) => (await all(api.auditEvents.list(params))).map((e) => `${e.action} ${e.target.id}`);
    expect(await actions({ action: 'extension.created' })).toEqual([`extension.created ${a.id}`, `extension.created ${b.id}`]);
    expect(await actions({ targetId: a.id })).toEqual([`extension.created ${a.id}`, `extension.updated ${a.id}`]);
    expect(await actions({ actorKeyId: adminKey.id, from })).toEqual([`extension.created ${b.id}`, `extension.updated ${a.id}`]);
    expect(await actions({ to: from })).not.toContain(`extension.created ${b.id}`);
  });

  it('never writes a secret: not the SIP password, not the admin key, not a softphone token', async () => {
    const { tenant, adminKey, owner } = await tenantWith('secrets');
    const api = owner.tenant(tenant.id);
    const generated = await api.extensions.create({ number: '101', displayName: 'Generated' });
    const chosenPassword = 'chosen-sip-password-4711';
    const chosen = await api.extensions.create({ number: '102', displayName: 'Chosen', sipPassword: chosenPassword });
    const newPassword = 'rotated-sip-password-0815';
    await api.extensions.update(chosen.id, { sipPassword: newPassword });
    const { token } = await api.softphoneTokens.create({ extension: '101' });

    const rows = withDb((db) => db.prepare('SELECT * FROM audit_events').all() as Record<string, unknown>[]);
    const raw = JSON.stringify(rows);
    for (const secret of [generated.sipPassword, chosenPassword, newPassword, adminKey.secret, token]) expect(raw).not.toContain(secret);
    // A changed secret still shows that it changed.
    const update = (await all(api.auditEvents.list({ action: 'extension.updated' })))[0]!;
    expect(update.changes).toEqual({ ha1: { before: '[redacted]', after: '[redacted]' } });
    const create = (await all(api.auditEvents.list({ targetId: chosen.id, action: 'extension.created' })))[0]!;
    expect(create.changes?.sipPassword).toEqual({ before: null, after: '[redacted]' });
  });

  it('verify names exactly the event whose row was altered in the database', async () => {
    const { tenant, owner } = await tenantWith('tampered');
    const api = owner.tenant(tenant.id);
    for (const n of ['101', '102', '103']) await api.extensions.create({ number: n, displayName: `Ext ${n}` });
    const events = await all(api.auditEvents.list());
    expect(await api.auditEvents.verify()).toMatchObject({ ok: true, checked: events.length });

    const victim = events[3]!;
    withDb((db) => db.prepare("UPDATE audit_events SET action = 'extension.viewed' WHERE id = ?").run(victim.id));
    expect(await api.auditEvents.verify()).toEqual({ object: 'audit_verification', keyId: auditKeyId, ok: false, checked: 3, firstBrokenEventId: victim.id, reason: 'hash_mismatch' });
  });

  it('verify names the rewritten event even when every later hash was recomputed, as someone with database access but not the key would', async () => {
    const { tenant, owner } = await tenantWith('rechained');
    const api = owner.tenant(tenant.id);
    for (const n of ['101', '102', '103', '104']) await api.extensions.create({ number: n, displayName: `Ext ${n}` });
    const events = await all(api.auditEvents.list());
    expect(await api.auditEvents.verify()).toMatchObject({ ok: true, checked: events.length });

    // Hide that 102 was ever created: rename the event, then re-seal it and re-link every event after
    // it with the hash format anyone can compute (sha256 over the fields, as before this release).
    const victim = events.find((e) => e.action === 'extension.created' && e.changes?.number?.after === '102')!;
    withDb((db) => {
      db.prepare("UPDATE audit_events SET action = 'extension.viewed' WHERE id = ?").run(victim.id);
      const rows = db.prepare('SELECT * FROM audit_events WHERE tenant_id = ? AND chain_seq >= ? ORDER BY chain_seq').all(tenant.id, victim.chain.seq) as Record<string, unknown>[];
      let prev = victim.chain.prevHash;
      for (const r of rows) {
        const fields = [1, r.id, r.chain_seq, r.occurred_at, r.tenant_id, r.actor_key_id, r.actor_principal, r.actor_role, r.action, r.target_id, r.target_type, r.changes, r.request_id, r.source_address, prev];
        const hash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
        db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, r.id);
        prev = hash;
      }
    });
    const rechained = await all(api.auditEvents.list());
    expect(rechained.find((e) => e.id === victim.id)!.action).toBe('extension.viewed');
    expect(rechained.slice(1).every((e, i) => e.chain.prevHash === rechained[i]!.chain.hash), 'every link is consistent again').toBe(true);
    expect(await api.auditEvents.verify()).toEqual({
      object: 'audit_verification',
      keyId: auditKeyId,
      ok: false,
      checked: victim.chain.seq! - 1,
      firstBrokenEventId: victim.id,
      reason: 'hash_mismatch',
    });
  });

  it('verify finds a row deleted from the middle of the chain, at the event after the gap', async () => {
    const { tenant, owner } = await tenantWith('deleted');
    const api = owner.tenant(tenant.id);
    for (const n of ['101', '102', '103']) await api.extensions.create({ number: n, displayName: `Ext ${n}` });
    const events = await all(api.auditEvents.list());
    withDb((db) => db.prepare('DELETE FROM audit_events WHERE id = ?').run(events[2]!.id));
    expect(await api.auditEvents.verify()).toEqual({
      object: 'audit_verification',
      keyId: auditKeyId,
      ok: false,
      checked: 2,
      firstBrokenEventId: events[3]!.id,
      reason: 'previous_event_missing',
    });
  });

  it('a tampered tenant chain leaves other tenants verifiable', async () => {
    const a = await tenantWith('chain-a');
    const b = await tenantWith('chain-b');
    const aEvents = await all(a.owner.tenant(a.tenant.id).auditEvents.list());
    withDb((db) => db.prepare("UPDATE audit_events SET source_address = '10.6.6.6' WHERE id = ?").run(aEvents[0]!.id));
    expect((await a.owner.tenant(a.tenant.id).auditEvents.verify()).ok).toBe(false);
    expect((await b.owner.tenant(b.tenant.id).auditEvents.verify()).ok).toBe(true);
  });
});

describe('verifying a long chain', () => {
  const LONG_CHAIN = 50_000;

  /**
   * Appends `count` well-formed events to a tenant's chain straight into the database, hashed the
   * way the decision record describes (HMAC-SHA256 under the audit key over the fields, version 2):
   * as fast as the API could never write them, and a check that the format is what it says.
   */
  function appendDirectly(tenantId: string, count: number): void {
    withDb((db) => {
      const head = db.prepare('SELECT chain_seq, hash FROM audit_events WHERE tenant_id = ? ORDER BY chain_seq DESC LIMIT 1').get(tenantId) as { chain_seq: number; hash: string };
      const insert = db.prepare(
        `INSERT INTO audit_events (id, occurred_at, actor_key_id, tenant_id, action, target_id, request_id, actor_principal, actor_role, target_type, changes, source_address, chain_seq, prev_hash, hash)
         VALUES (?, ?, NULL, ?, 'extension.viewed', 'ext_0', NULL, NULL, NULL, 'extension', NULL, NULL, ?, ?, ?)`,
      );
      const occurredAt = new Date().toISOString();
      let prev = head.hash;
      db.transaction(() => {
        for (let seq = head.chain_seq + 1; seq <= head.chain_seq + count; seq++) {
          const id = `evt_long${String(seq).padStart(22, '0')}`;
          const fields = [2, id, seq, occurredAt, tenantId, null, null, null, 'extension.viewed', 'ext_0', 'extension', null, null, null, prev];
          const hash = `hmac-sha256:${auditKeyId}:${createHmac('sha256', AUDIT_KEY).update(JSON.stringify(fields)).digest('hex')}`;
          insert.run(id, occurredAt, tenantId, seq, prev, hash);
          prev = hash;
        }
      })();
    });
  }

  it(`keeps answering other requests while it verifies ${LONG_CHAIN} events`, { timeout: 120_000 }, async () => {
    const { tenant, owner } = await tenantWith('long-chain');
    const api = owner.tenant(tenant.id);
    const before = (await api.auditEvents.verify()).checked;
    appendDirectly(tenant.id, LONG_CHAIN);

    // Health checks one after another while the verification runs: each answered before it finishes
    // shows the event loop was given back. A verification that held the loop would let at most the
    // first (sent before it began) through. How long each waited is a figure for bench/, not a bound.
    let done = false;
    const verifying = api.auditEvents.verify().finally(() => (done = true));
    let answeredDuring = 0;
    while (!done) {
      const r = await fetch(`${platform.url}/healthz`);
      expect(r.status).toBe(200);
      if (!done) answeredDuring++;
    }
    expect(await verifying).toMatchObject({ ok: true, checked: before + LONG_CHAIN });
    expect(answeredDuring, 'health checks answered while the verification was still running').toBeGreaterThanOrEqual(5);
  });
});

describe('the audit key', () => {
  it('is generated into a 0600 key file when none is given, kept across restarts, and another key is reported as unknown_key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-audit-key-'));
    const key = 'hr_test_bootstrap_audit_key_0001';
    try {
      const first = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: key });
      const { tenant } = await new Highrise({ baseUrl: first.url, apiKey: key, maxRetries: 0 }).tenants.create({ name: 'Keyed', slug: 'keyed' });
      await first.close();
      const file = join(dir, 'audit-chain.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const fileKeyId = createHmac('sha256', readFileSync(file, 'utf8').trim()).update('highrise audit key id').digest('hex').slice(0, 16);
      // The key never reaches the database.
      withDbAt(dir, (db) => expect(JSON.stringify(db.prepare('SELECT * FROM audit_events').all())).not.toContain(readFileSync(file, 'utf8').trim()));

      const again = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: key });
      expect(await new Highrise({ baseUrl: again.url, apiKey: key, maxRetries: 0 }).tenant(tenant.id).auditEvents.verify()).toMatchObject({ ok: true, keyId: fileKeyId });
      await again.close();

      const wrong = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: key, audit: { key: 'not the key this chain was made with' } });
      expect(await new Highrise({ baseUrl: wrong.url, apiKey: key, maxRetries: 0 }).tenant(tenant.id).auditEvents.verify()).toMatchObject({ ok: false, checked: 0, reason: 'unknown_key' });
      await wrong.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('who reads which audit events', () => {
  it('the provider reads every tenant and the platform events; a tenant only its own', async () => {
    const a = await tenantWith('reader-a');
    const b = await tenantWith('reader-b');
    const reseller = await provider.resellers.create({ name: 'Audit Reseller' });

    const seen = await all(provider.auditEvents.list({ limit: 100 }));
    const tenantsSeen = new Set(seen.map((e) => e.tenantId));
    expect(tenantsSeen).toContain(a.tenant.id);
    expect(tenantsSeen).toContain(b.tenant.id);
    expect(seen.find((e) => e.target.id === reseller.id)).toMatchObject({ tenantId: null, action: 'reseller.created' });

    const own = await all(a.owner.tenant(a.tenant.id).auditEvents.list());
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.tenantId === a.tenant.id)).toBe(true);
    // The platform-wide list is not for tenant keys.
    expect(await failure(all(a.owner.auditEvents.list()))).toBeInstanceOf(PermissionDeniedError);
  });

  it('a reseller reads its own tenants only', async () => {
    const reseller = await provider.resellers.create({ name: 'Audit Reseller 2' });
    const key = await provider.apiKeys.create({ name: 'auditor', roleId: 'rol_resellerAdmin', resellerId: reseller.id });
    const hr = client(key.secret);
    const own = await hr.tenants.create({ name: 'Resold', slug: `resold-${++slugs}` });
    const foreign = await tenantWith('not-resold');
    const seen = await all(hr.auditEvents.list());
    expect(seen.map((e) => e.tenantId)).toContain(own.tenant.id);
    expect(seen.every((e) => e.tenantId === own.tenant.id)).toBe(true);
    expect(seen.map((e) => e.tenantId)).not.toContain(foreign.tenant.id);
  });

  it("a foreign tenant's audit routes answer 404, like a missing tenant", async () => {
    const a = await tenantWith('wall-a');
    const b = await tenantWith('wall-b');
    expect(await failure(all(a.owner.tenant(b.tenant.id).auditEvents.list()))).toBeInstanceOf(NotFoundError);
    expect(await failure(a.owner.tenant(b.tenant.id).auditEvents.verify())).toBeInstanceOf(NotFoundError);
  });

  it('a support key of the same tenant gets 403 permission_denied on the audit routes', async () => {
    const a = await tenantWith('support');
    const support = await a.owner.tenant(a.tenant.id).apiKeys.create({ name: 'helpdesk', roleId: 'rol_tenantSupport' });
    const api = client(support.secret).tenant(a.tenant.id);
    const denied = await failure(all(api.auditEvents.list()));
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied.code).toBe('permission_denied');
    expect(await failure(api.auditEvents.verify())).toBeInstanceOf(PermissionDeniedError);
  });
});

describe("operators' source addresses", () => {
  it('a tenant sees its own source addresses but not those of the provider or its reseller; the reseller not the provider\'s; the provider all', async () => {
    const reseller = await provider.resellers.create({ name: 'Address Reseller' });
    const resellerKey = await provider.apiKeys.create({ name: 'operator', roleId: 'rol_resellerAdmin', resellerId: reseller.id });
    const resellerHr = client(resellerKey.secret);
    const { tenant, adminKey } = await resellerHr.tenants.create({ name: 'Addressed', slug: `addressed-${++slugs}`, admin: { email: 'a@addressed.test', name: 'A' } });
    const owner = client(adminKey!.secret);
    const byProvider = await provider.tenant(tenant.id).extensions.create({ number: '201', displayName: 'by provider' });
    const byReseller = await resellerHr.tenant(tenant.id).extensions.create({ number: '202', displayName: 'by reseller' });
    const byTenant = await owner.tenant(tenant.id).extensions.create({ number: '203', displayName: 'by tenant' });

    const addresses = (events: AuditEvent[]) =>
      Object.fromEntries(
        [byProvider, byReseller, byTenant].map((ext) => [ext.displayName, events.find((e) => e.action === 'extension.created' && e.target.id === ext.id)!.sourceAddress]),
      );
    const loopback = expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/);

    expect(addresses(await all(provider.tenant(tenant.id).auditEvents.list()))).toEqual({ 'by provider': loopback, 'by reseller': loopback, 'by tenant': loopback });
    expect(addresses(await all(provider.auditEvents.list({ limit: 100 })))).toEqual({ 'by provider': loopback, 'by reseller': loopback, 'by tenant': loopback });
    const resellerView = { 'by provider': '[redacted]', 'by reseller': loopback, 'by tenant': loopback };
    expect(addresses(await all(resellerHr.tenant(tenant.id).auditEvents.list()))).toEqual(resellerView);
    expect(addresses(await all(resellerHr.auditEvents.list({ limit: 100 })))).toEqual(resellerView);
    const tenantEvents = await all(owner.tenant(tenant.id).auditEvents.list());
    expect(addresses(tenantEvents)).toEqual({ 'by provider': '[redacted]', 'by reseller': '[redacted]', 'by tenant': loopback });
    // No event a tenant reads names an operator's address, and the stored rows (and so the chain) are untouched.
    for (const e of tenantEvents) if (e.actor.principal === 'provider' || e.actor.principal === 'reseller') expect(e.sourceAddress, e.action).toBe('[redacted]');
    expect((await owner.tenant(tenant.id).auditEvents.verify()).ok).toBe(true);
  });
});

describe('changed fields of every resource kind', () => {
  /** Values that must never reach an audit row, collected as each mutation hands them out. */
  const secrets: string[] = [];
  const PIN = '97531864';
  const ACCOUNT = 'ACCT-AUDIT-55667788';
  const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  let t: Awaited<ReturnType<typeof tenantWith>>;
  const api = () => t.owner.tenant(t.tenant.id);

  beforeAll(async () => {
    t = await tenantWith('changes');
    await api().extensions.create({ number: '101', displayName: 'Desk' });
    await api().extensions.create({ number: '102', displayName: 'Back office' });
    secrets.push(t.adminKey.secret, PIN, ACCOUNT);
  });

  const portOrder = () =>
    api().portOrders.create({
      numbers: [`+1646${String(7_000_000 + Math.floor(Math.random() * 999_999)).padStart(7, '0')}`],
      losingCarrier: { name: 'Old Telco', accountNumber: ACCOUNT, pin: PIN },
      authorisedPerson: { name: 'Ada Admin', email: 'ada@changes.test' },
      serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
      requestedFocDate: new Date().toISOString().slice(0, 10),
      defaultDestination: { type: 'extension', target: '101' },
    });

  let n = 0;
  const inventory = () => provider.numbers.create({ number: `+1212555${String(2000 + ++n)}` });

  // Each row: one representative mutation, the action it logs, and a field its `changes` must name.
  const cases: { kind: string; action: string; field: string; mutate: () => Promise<string> }[] = [
    { kind: 'api key created', action: 'api_key.created', field: 'name', mutate: async () => {
      const key = await api().apiKeys.create({ name: 'ci', roleId: 'rol_tenantSupport' });
      secrets.push(key.secret);
      return key.id;
    } },
    { kind: 'api key rotated', action: 'api_key.rotated', field: 'secretHash', mutate: async () => {
      const key = await api().apiKeys.create({ name: 'rotating', roleId: 'rol_tenantSupport' });
      const rotated = await api().apiKeys.rotate(key.id, { gracePeriodSeconds: 60 });
      secrets.push(key.secret, rotated.secret);
      return key.id;
    } },
    { kind: 'api key revoked', action: 'api_key.revoked', field: 'revokedAt', mutate: async () => {
      const key = await api().apiKeys.create({ name: 'revoked', roleId: 'rol_tenantSupport' });
      secrets.push(key.secret);
      await api().apiKeys.revoke(key.id);
      return key.id;
    } },
    { kind: 'inventory number added', action: 'number.created', field: 'number', mutate: async () => (await inventory()).id },
    { kind: 'inventory number deleted', action: 'number.deleted', field: 'number', mutate: async () => {
      const num = await inventory();
      await provider.numbers.delete(num.id);
      return num.id;
    } },
    { kind: 'number assigned', action: 'number.assigned', field: 'tenantId', mutate: async () => {
      const num = await inventory();
      await provider.tenant(t.tenant.id).numbers.assign({ number: num.number });
      return num.id;
    } },
    { kind: 'number routed', action: 'number.routed', field: 'routing', mutate: async () => {
      const num = await inventory();
      await provider.tenant(t.tenant.id).numbers.assign({ number: num.number });
      await api().numbers.update(num.id, { routing: { type: 'extension', target: '101' } });
      return num.id;
    } },
    { kind: 'number released', action: 'number.released', field: 'tenantId', mutate: async () => {
      const num = await inventory();
      await provider.tenant(t.tenant.id).numbers.assign({ number: num.number });
      await api().numbers.release(num.id);
      return num.id;
    } },
    { kind: 'dial rule updated', action: 'dial_rule.updated', field: 'pattern', mutate: async () => {
      const rule = await api().dialRules.create({ pattern: '_8XX', action: { type: 'reject', status: 403 } });
      await api().dialRules.update(rule.id, { pattern: '_9XX' });
      return rule.id;
    } },
    { kind: 'dial rule deleted', action: 'dial_rule.deleted', field: 'pattern', mutate: async () => {
      const rule = await api().dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403 } });
      await api().dialRules.delete(rule.id);
      return rule.id;
    } },
    { kind: 'ring group updated', action: 'ring_group.updated', field: 'members', mutate: async () => {
      const group = await api().ringGroups.create({ number: '600', name: 'Sales', members: ['101'] });
      await api().ringGroups.update(group.id, { members: ['101', '102'] });
      return group.id;
    } },
    { kind: 'trunk created', action: 'trunk.created', field: 'username', mutate: async () => {
      const trunk = await api().trunks.create({ name: 'Carrier A' });
      secrets.push(trunk.password);
      return trunk.id;
    } },
    { kind: 'trunk password rotated', action: 'trunk.updated', field: 'passwordRotated', mutate: async () => {
      const trunk = await api().trunks.create({ name: 'Carrier B' });
      const updated = await api().trunks.update(trunk.id, { rotatePassword: true });
      secrets.push(trunk.password, updated.password!);
      return trunk.id;
    } },
    { kind: 'webhook endpoint updated', action: 'webhook_endpoint.updated', field: 'description', mutate: async () => {
      const endpoint = await api().webhookEndpoints.create({ url: 'https://hooks.example.com/highrise', enabledEvents: ['port_order.completed'] });
      secrets.push(endpoint.secret);
      await api().webhookEndpoints.update(endpoint.id, { description: 'ops' });
      return endpoint.id;
    } },
    { kind: 'webhook secret rotated', action: 'webhook_endpoint.secret_rotated', field: 'secret', mutate: async () => {
      const endpoint = await api().webhookEndpoints.create({ url: 'https://hooks.example.com/rotated', enabledEvents: ['port_order.completed'] });
      const rotated = await api().webhookEndpoints.rotateSecret(endpoint.id);
      secrets.push(endpoint.secret, rotated.secret);
      return endpoint.id;
    } },
    { kind: 'port order created', action: 'port_order.created', field: 'pin', mutate: async () => (await portOrder()).id },
    { kind: 'port order updated', action: 'port_order.updated', field: 'accountNumber', mutate: async () => {
      const order = await portOrder();
      await api().portOrders.update(order.id, { losingCarrier: { accountNumber: 'ACCT-AUDIT-99001122' } });
      secrets.push('ACCT-AUDIT-99001122');
      return order.id;
    } },
    { kind: 'port order cancelled', action: 'port_order.cancelled', field: 'status', mutate: async () => {
      const order = await portOrder();
      await api().portOrders.cancel(order.id);
      return order.id;
    } },
    { kind: 'port document uploaded', action: 'port_document.created', field: 'filename', mutate: async () => {
      const order = await portOrder();
      return (await api().portOrders.documents.upload(order.id, { kind: 'loa', data: PDF, contentType: 'application/pdf', filename: 'loa.pdf' })).id;
    } },
    { kind: 'port order commented', action: 'port_order.commented', field: 'visibility', mutate: async () => {
      const order = await portOrder();
      await api().portOrders.comments.create(order.id, { body: 'Morning cut-over, please' });
      return order.id;
    } },
  ];

  it.each(cases)('$kind: the newest event for the target names `$field` among its changes', async ({ action, field, mutate }) => {
    const targetId = await mutate();
    const events = await all(provider.auditEvents.list({ targetId, limit: 100 }));
    const newest = events.at(-1)!;
    expect(newest.action).toBe(action);
    expect(newest.changes).not.toBeNull();
    expect(Object.keys(newest.changes!)).toContain(field);
  });

  it('no audit row holds a secret handed out by these mutations, and secret fields read [redacted]', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const raw = JSON.stringify(withDb((db) => db.prepare('SELECT * FROM audit_events').all()));
    for (const secret of secrets) expect(raw).not.toContain(secret);
    const updated = (await all(api().auditEvents.list({ action: 'port_order.updated' }))).at(-1)!;
    expect(updated.changes?.accountNumber).toEqual({ before: '[redacted]', after: '[redacted]' });
  });
});
