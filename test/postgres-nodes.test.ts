/**
 * The platform on PostgreSQL (`startPlatform({ databaseUrl })`, `highrise start --database-url`):
 * two nodes on one database serve the same API, the base SIP domain Kamailio's views read is
 * recorded, and a database migrated past what this release knows is refused before anything runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestVersion, startPlatform, type Platform } from '@highrise/platform';
import { Highrise } from '@highrise/sdk';
import { createTestPostgresDatabase, type TestPostgresDatabase } from './support/postgres';
import { expectApiError } from './support/platform';

const bootstrapKey = 'hr_test_bootstrap_pg_nodes_0001';
const auditKey = 'a'.repeat(32);
let database: TestPostgresDatabase;
let dataDir: string;
const nodes: Platform[] = [];

const client = (node: Platform) => new Highrise({ baseUrl: node.url, apiKey: bootstrapKey, maxRetries: 0, validateResponses: 'strict' });

beforeAll(async () => {
  database = await createTestPostgresDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-pg-nodes-'));
  // Both at once: migrations and the bootstrap key run under the lock.
  nodes.push(
    ...(await Promise.all(
      [1, 2].map(() => startPlatform({ port: 0, dataDir, databaseUrl: database.url, bootstrapKey, sipDomain: 'SIP.Example.test', audit: { key: auditKey } })),
    )),
  );
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('two platform nodes on one PostgreSQL database', () => {
  it('serve the same API: a tenant created on node 1 is read, changed and suspended through node 2', async () => {
    const [one, two] = nodes.map(client) as [Highrise, Highrise];
    const { tenant } = await one.tenants.create({ name: 'Acme', slug: 'acme-pg', admin: { email: 'admin@acme.test', name: 'Admin' } });
    expect((await two.tenants.retrieve(tenant.id)).name).toBe('Acme');
    await two.tenants.update(tenant.id, { name: 'Acme Two' });
    expect((await one.tenants.retrieve(tenant.id)).name).toBe('Acme Two');
    expect((await one.tenants.suspend(tenant.id)).status).toBe('suspended');
    expect((await two.tenants.retrieve(tenant.id)).status).toBe('suspended');
    expect(tenant.sipDomain).toBe('acme-pg.sip.example.test');
    await two.tenants.resume(tenant.id);
  });

  it('records the base SIP domain for the Kamailio views, which then name each tenant as the API does', async () => {
    const setting = await database.query(`SELECT value FROM settings WHERE key = 'sip_base_domain'`);
    expect(setting.rows).toEqual([{ value: 'sip.example.test' }]);
    const domains = await database.query(`SELECT domain FROM domain ORDER BY domain`);
    expect(domains.rows).toEqual([{ domain: 'acme-pg.sip.example.test' }]);
  });

  it('refuses a node started with another base SIP domain on the same database', async () => {
    await expect(startPlatform({ port: 0, dataDir, databaseUrl: database.url, bootstrapKey, sipDomain: 'sip.other.test', audit: { key: auditKey } })).rejects.toThrow(
      /register under <slug>\.sip\.example\.test.*--sip-domain sip\.example\.test/,
    );
  });

  it('refuses a database migrated past the versions this release knows, saying so', async () => {
    const ahead = await createTestPostgresDatabase();
    try {
      const first = await startPlatform({ port: 0, dataDir, databaseUrl: ahead.url, bootstrapKey, audit: { key: auditKey } });
      await first.close();
      await ahead.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', '2099-01-01T00:00:00Z')`, [latestVersion + 1]);
      await expect(startPlatform({ port: 0, dataDir, databaseUrl: ahead.url, bootstrapKey, audit: { key: auditKey } })).rejects.toThrow(
        new RegExp(`${latestVersion + 1}`),
      );
    } finally {
      await ahead.drop();
    }
  });

  it('keeps keys revoked on one node refused on the other', async () => {
    const one = client(nodes[0]!);
    const created = await one.tenants.create({ name: 'Revoke', slug: 'revoke-pg', admin: { email: 'admin@revoke.test', name: 'Admin' } });
    const secret = created.adminKey!.secret;
    const tenantId = created.tenant.id;
    const onTwo = new Highrise({ baseUrl: nodes[1]!.url, apiKey: secret, maxRetries: 0 });
    await onTwo.tenant(tenantId).extensions.list();
    await one.tenant(tenantId).apiKeys.revoke(created.adminKey!.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await expectApiError(onTwo.tenant(tenantId).extensions.list())).status).toBe(401);
  });
});
