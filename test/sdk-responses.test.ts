// What the SDK tells a caller about each answer of the real platform: the request id, whether an
// idempotent POST was replayed, the raw Response; and that the platform's real bodies pass the
// strict check too (lenient is the default, so drift between schema and platform would hide).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Highrise, NotFoundError } from '@highrise/sdk';
import { startTestPlatform, type TestPlatform } from './support/platform';

let testPlatform: TestPlatform;
let strict: Highrise;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sdk-responses');
  strict = new Highrise({ baseUrl: testPlatform.platform.url, apiKey: testPlatform.bootstrapKey, maxRetries: 0, validateResponses: 'strict' });
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('response metadata from the real platform', () => {
  it('carries the Request-Id of each answer and says when a POST was replayed', async () => {
    const params = { name: 'Replay Dental', slug: 'replay-dental' };
    const first = await strict.tenants.create(params, { idempotencyKey: 'replay-dental-1' }).withResponse();
    expect(first.requestId).toMatch(/\S/);
    expect(first.requestId).toBe(first.response.headers.get('request-id'));
    expect(first.data._requestId).toBe(first.requestId);
    expect(first.idempotentReplayed).toBe(false);

    const again = await strict.tenants.create(params, { idempotencyKey: 'replay-dental-1' });
    expect(again._idempotentReplayed).toBe(true);
    expect(again.tenant.id).toBe(first.data.tenant.id);
    expect(again._requestId).not.toBe(first.requestId);
  });

  it('hands over the raw Response with asResponse()', async () => {
    const response = await strict.tenants.list({ limit: 1 }).then(() => strict.permissions.list().asResponse());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(Array.isArray(((await response.json()) as { data: unknown[] }).data)).toBe(true);
  });

  it('puts the request id on errors too', async () => {
    const error = await strict.tenants.retrieve('ten_doesnotexist000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).requestId).toMatch(/\S/);
  });

  it('collects a list across pages with toArray({ limit })', async () => {
    const acme = testPlatform.provider.tenant((await testPlatform.createTenant('toarray-co', 'ToArray Co')).created.tenant.id);
    for (const number of ['201', '202', '203', '204', '205']) await acme.extensions.create({ number, displayName: `Desk ${number}` });
    const page = await acme.extensions.list({ limit: 2 });
    expect(page._requestId).toMatch(/\S/);
    expect((await page.getNextPage())._requestId).not.toBe(page._requestId);
    const three = await acme.extensions.list({ limit: 2 }).toArray({ limit: 3 });
    expect(three.map((e) => e.number)).toEqual(['201', '202', '203']);
    expect(await acme.extensions.list({ limit: 2 }).toArray()).toHaveLength(5);
  });
});
