// The SDK against the real platform: started in-process on a free loopback port with a fresh
// SQLite directory, spoken to only through `@highrise/sdk`'s public entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '@highrise/platform';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  Highrise,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
  type TenantCreateParams,
  type TenantCreateResponse,
} from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let bootstrapKey: string;
/** The provider owner, holding the bootstrap key. */
let provider: Highrise;
let acme: TenantCreateResponse;
let globex: TenantCreateResponse;
/** Each tenant's own admin, holding the key returned when the tenant was created. */
let acmeAdmin: Highrise;
let globexAdmin: Highrise;

const client = (apiKey: string) => testPlatform!.client(apiKey);

beforeAll(async () => {
  testPlatform = await startTestPlatform('sdk', { bootstrapKey: 'hr_test_bootstrap_sdk_integration_0001' });
  ({ platform, bootstrapKey, provider } = testPlatform);
  ({ created: acme, admin: acmeAdmin } = await testPlatform.createTenant('acme-dental', 'Acme Dental', { email: 'office@acme-dental.test', name: 'Ada Acme' }));
  ({ created: globex, admin: globexAdmin } = await testPlatform.createTenant('globex-law', 'Globex Law', { email: 'it@globex-law.test', name: 'Gus Globex' }));
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('tenants', () => {
  it('creates a tenant with its SIP domain and an admin key shown once', async () => {
    expect(acme.tenant).toMatchObject({ name: 'Acme Dental', slug: 'acme-dental', status: 'active', resellerId: null });
    expect(acme.tenant.id).toMatch(/^ten_/);
    expect(acme.tenant.sipDomain).toMatch(/^acme-dental\./);
    expect(globex.tenant.sipDomain).not.toBe(acme.tenant.sipDomain);
    expect(acme.adminKey?.secret).toMatch(/^hr_(live|test)_/);
    expect(acme.adminKey?.secret).not.toBe(globex.adminKey?.secret);
    expect(await provider.tenants.retrieve(acme.tenant.id)).toEqual(acme.tenant);
  });

  it('lets the provider see both tenants and a tenant admin only its own', async () => {
    const providerSees: string[] = [];
    for await (const tenant of provider.tenants.list()) providerSees.push(tenant.id);
    expect(providerSees).toEqual(expect.arrayContaining([acme.tenant.id, globex.tenant.id]));

    const acmeSees = await acmeAdmin.tenants.list();
    expect(acmeSees.data.map((t) => t.id)).toEqual([acme.tenant.id]);
    expect(acmeSees.hasNextPage()).toBe(false);
  });

  it('updates a tenant through its scoped client', async () => {
    const renamed = await acmeAdmin.tenant(acme.tenant.id).update({ name: 'Acme Dental Care' });
    expect(renamed).toMatchObject({ id: acme.tenant.id, name: 'Acme Dental Care', slug: 'acme-dental' });
    expect((await acmeAdmin.tenant(acme.tenant.id).retrieve()).name).toBe('Acme Dental Care');
    await acmeAdmin.tenant(acme.tenant.id).update({ name: 'Acme Dental' });
  });

  it('returns the same tenant twice for one explicit idempotency key, and creates it once', async () => {
    const params: TenantCreateParams = { name: 'Initech', slug: 'initech' };
    const first = await provider.tenants.create(params, { idempotencyKey: 'sdk-test-initech-1' });
    const again = await provider.tenants.create(params, { idempotencyKey: 'sdk-test-initech-1' });
    expect(again).toEqual(first);
    // Without the key the same create is a second attempt, which the slug now refuses.
    const duplicate = await failure(provider.tenants.create(params));
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect(duplicate.code).toBe('tenant_exists');
  });

  it('refuses the same idempotency key with a different body', async () => {
    await provider.tenants.create({ name: 'Umbrella', slug: 'umbrella' }, { idempotencyKey: 'sdk-test-umbrella-1' });
    const error = await failure(provider.tenants.create({ name: 'Umbrella', slug: 'umbrella-2' }, { idempotencyKey: 'sdk-test-umbrella-1' }));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    // The first request's tenant stands; the second body created nothing.
    const slugs: string[] = [];
    for await (const tenant of provider.tenants.list({ limit: 100 })) slugs.push(tenant.slug);
    expect(slugs).toContain('umbrella');
    expect(slugs).not.toContain('umbrella-2');
  });

  it('does not let a tenant admin create tenants', async () => {
    const error = await failure(acmeAdmin.tenants.create({ name: 'Sneaky', slug: 'sneaky' }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.code).toBe('permission_denied');
  });
});

describe('extensions', () => {
  it('lets both tenants own extension 101, each in its own namespace', async () => {
    const acme101 = await acmeAdmin.tenant(acme.tenant.id).extensions.create({ number: '101', displayName: 'Acme Reception' });
    const globex101 = await globexAdmin.tenant(globex.tenant.id).extensions.create({ number: '101', displayName: 'Globex Reception' });
    expect(acme101).toMatchObject({ number: '101', tenantId: acme.tenant.id, sipUri: `sip:101@${acme.tenant.sipDomain}` });
    expect(globex101).toMatchObject({ number: '101', tenantId: globex.tenant.id, sipUri: `sip:101@${globex.tenant.sipDomain}` });
    expect(acme101.id).not.toBe(globex101.id);
    expect(acme101.sipPassword.length).toBeGreaterThanOrEqual(12);
    // The password is shown on create only.
    expect(await acmeAdmin.tenant(acme.tenant.id).extensions.retrieve(acme101.id)).not.toHaveProperty('sipPassword');
  });

  it('refuses a second 101 in the same tenant with extension_exists', async () => {
    const error = await failure(provider.tenant(acme.tenant.id).extensions.create({ number: '101', displayName: 'Duplicate' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'extension_exists' });
    expect(error.requestId).toBeTruthy();
  });

  it('updates and deletes an extension', async () => {
    const acmeExtensions = acmeAdmin.tenant(acme.tenant.id).extensions;
    const temp = await acmeExtensions.create({ number: '199', displayName: 'Temp', sipPassword: 'a-long-enough-secret' });
    expect(temp.sipPassword).toBe('a-long-enough-secret');
    expect((await acmeExtensions.update(temp.id, { displayName: 'Temporary' })).displayName).toBe('Temporary');
    expect(await acmeExtensions.delete(temp.id)).toEqual({ id: temp.id, object: 'extension', deleted: true });
    expect(await failure(acmeExtensions.retrieve(temp.id))).toBeInstanceOf(NotFoundError);
  });

  it('pages through every extension with for await', async () => {
    const globexExtensions = globexAdmin.tenant(globex.tenant.id).extensions;
    for (const number of ['201', '202', '203', '204', '205']) {
      await globexExtensions.create({ number, displayName: `Desk ${number}` });
    }
    const first = await globexExtensions.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage()).toBe(true);

    const numbers: string[] = [];
    for await (const extension of globexExtensions.list({ limit: 2 })) numbers.push(extension.number);
    expect(numbers.sort()).toEqual(['101', '201', '202', '203', '204', '205']);
  });
});

describe('isolation between tenants', () => {
  it('answers NotFoundError for another tenant and everything in it, exactly as for a missing one', async () => {
    const globexScope = acmeAdmin.tenant(globex.tenant.id);
    const globex101 = (await globexAdmin.tenant(globex.tenant.id).extensions.list()).data.find((e) => e.number === '101')!;
    const attempts = {
      'retrieve tenant': () => acmeAdmin.tenants.retrieve(globex.tenant.id),
      'update tenant': () => globexScope.update({ name: 'Owned' }),
      'list extensions': async () => globexScope.extensions.list(),
      'retrieve extension': () => globexScope.extensions.retrieve(globex101.id),
      'update extension': () => globexScope.extensions.update(globex101.id, { displayName: 'Owned' }),
      'delete extension': () => globexScope.extensions.delete(globex101.id),
      'create extension': () => globexScope.extensions.create({ number: '666', displayName: 'Intruder' }),
      'create softphone token': () => globexScope.softphoneTokens.create({ extension: '101', ttlSeconds: 300 }),
    };
    for (const [what, attempt] of Object.entries(attempts)) {
      const error = await failure(attempt());
      expect(error, what).toBeInstanceOf(NotFoundError);
      expect(error.code, what).toBe('not_found');
    }
    const missing = await failure(acmeAdmin.tenants.retrieve('ten_00000000000000000000000000'));
    const foreign = await failure(acmeAdmin.tenants.retrieve(globex.tenant.id));
    expect({ status: foreign.status, code: foreign.code, message: foreign.message }).toEqual({
      status: missing.status,
      code: missing.code,
      message: missing.message,
    });
    // And nothing changed on Globex's side.
    expect((await globexAdmin.tenant(globex.tenant.id).retrieve()).name).toBe('Globex Law');
    expect((await globexAdmin.tenant(globex.tenant.id).extensions.retrieve(globex101.id)).displayName).toBe('Globex Reception');
  });
});

describe('softphone tokens', () => {
  it('issues a token whose SIP URI is the extension in its tenant’s domain', async () => {
    const before = Date.now();
    const token = await acmeAdmin.tenant(acme.tenant.id).softphoneTokens.create({ extension: '101', ttlSeconds: 600 });
    expect(token.sipUri).toBe(`sip:101@${acme.tenant.sipDomain}`);
    expect(token.wsUrl).toBe(platform.wsUrl);
    expect(token.token.length).toBeGreaterThan(20);
    const expiresIn = Date.parse(token.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(601_000);
  });

  it('refuses a token for an extension the tenant does not have', async () => {
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).softphoneTokens.create({ extension: '777', ttlSeconds: 600 }));
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe('bad input', () => {
  it('answers an unknown key with AuthenticationError', async () => {
    const error = await failure(client('hr_test_not_a_real_key_0000').tenants.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('answers a bad field with BadRequestError naming the field', async () => {
    const error = await failure(provider.tenants.create({ name: 'Bad Slug Inc', slug: 'Not A Slug!' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('validation_error');
    expect(error.details.map((d) => d.field)).toEqual(['slug']);
  });

  it('sends the pinned Highrise-Version, which the platform checks', async () => {
    const pinnedTooOld = new Highrise({ baseUrl: platform.url, apiKey: bootstrapKey, version: '2020-01-01', maxRetries: 0 });
    const error = await failure(pinnedTooOld.tenants.list());
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('api_version_unknown');
    expect(error.details.map((d) => d.field)).toEqual(['header.Highrise-Version']);
  });

  it('names an unknown field too', async () => {
    const params = { number: '301', displayName: 'Desk', colour: 'red' } as unknown as { number: string; displayName: string };
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).extensions.create(params));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.details).toContainEqual({ field: 'colour', issue: expect.any(String) });
  });
});
