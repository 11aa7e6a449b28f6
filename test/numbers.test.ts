// Numbers (DIDs) against the real platform through the SDK: the provider's inventory, assignment
// to tenants, routing and release, with the error codes a client switches on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, Highrise, NotFoundError, PermissionDeniedError, PhoneNumber, type TenantCreateResponse } from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';

let testPlatform: TestPlatform | undefined;
let provider: Highrise;
let acme: TenantCreateResponse;
let globex: TenantCreateResponse;
let acmeAdmin: Highrise;
let globexAdmin: Highrise;

let next = 101;
/** A fresh valid San Francisco number per call, so tests do not depend on each other. */
const freshNumber = () => `+1 (415) 555-0${next++}`;
const e164 = (spelled: string) => `+${spelled.replace(/\D/g, '')}`;

beforeAll(async () => {
  testPlatform = await startTestPlatform('numbers');
  provider = testPlatform.provider;
  ({ created: acme, admin: acmeAdmin } = await testPlatform.createTenant('acme-numbers', 'Acme', { email: 'a@acme.test', name: 'A' }));
  ({ created: globex, admin: globexAdmin } = await testPlatform.createTenant('globex-numbers', 'Globex', { email: 'g@globex.test', name: 'G' }));
  await provider.tenant(acme.tenant.id).extensions.create({ number: '101', displayName: 'Acme 101' });
  await provider.tenant(globex.tenant.id).extensions.create({ number: '101', displayName: 'Globex 101' });
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('the provider inventory', () => {
  it('normalises a number to E.164 and lists it as available', async () => {
    const added = await provider.numbers.create({ number: '+1 (415) 555-0100' });
    expect(PhoneNumber.parse(added)).toMatchObject({ number: '+14155550100', tenantId: null, routing: null, assignedAt: null });
    expect(added.id).toMatch(/^num_/);
    const available = [];
    for await (const n of provider.numbers.list({ assigned: false, limit: 2 })) available.push(n.number);
    expect(available).toContain('+14155550100');
    expect((await provider.numbers.retrieve(added.id)).number).toBe('+14155550100');
  });

  it('refuses a number that is not valid E.164 with a 400 naming the field', async () => {
    for (const bad of ['4155550100', '+1 415 555', 'not a number', '+14155550100 x12']) {
      const error = await failure(provider.numbers.create({ number: bad }));
      expect(error, bad).toBeInstanceOf(BadRequestError);
      expect(error.code).toBe('validation_error');
      expect(error.details).toEqual([{ field: 'number', issue: expect.stringContaining('E.164') }]);
    }
  });

  it('holds a number once: a second spelling of the same number is 409 number_exists', async () => {
    const spelled = freshNumber();
    await provider.numbers.create({ number: spelled });
    const error = await failure(provider.numbers.create({ number: e164(spelled) }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('number_exists');
  });

  it('is for the provider only', async () => {
    expect(await failure(acmeAdmin.numbers.create({ number: freshNumber() }))).toBeInstanceOf(PermissionDeniedError);
    expect(await failure(acmeAdmin.numbers.list().then((p) => p))).toBeInstanceOf(PermissionDeniedError);
  });
});

describe('assigning numbers to tenants', () => {
  it('takes the number from inventory; another tenant then gets 409 number_taken', async () => {
    const spelled = freshNumber();
    const added = await provider.numbers.create({ number: spelled });
    const assigned = await provider.tenant(acme.tenant.id).numbers.assign({ number: spelled });
    expect(assigned).toMatchObject({ id: added.id, number: e164(spelled), tenantId: acme.tenant.id, routing: null });
    expect((await provider.numbers.retrieve(added.id)).tenantId).toBe(acme.tenant.id);

    const taken = await failure(provider.tenant(globex.tenant.id).numbers.assign({ number: e164(spelled) }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.code).toBe('number_taken');
    const again = await failure(provider.tenant(acme.tenant.id).numbers.assign({ number: spelled }));
    expect(again.code).toBe('number_exists');
  });

  it('answers 404 number_not_found for a number that is not in inventory', async () => {
    const error = await failure(provider.tenant(acme.tenant.id).numbers.assign({ number: '+442079460958' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('number_not_found');
  });

  it('does not let a tenant key help itself from inventory', async () => {
    const spelled = freshNumber();
    await provider.numbers.create({ number: spelled });
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).numbers.assign({ number: spelled }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
  });

  it('shows each tenant only its own numbers, and a foreign number id as not found', async () => {
    const spelled = freshNumber();
    await provider.numbers.create({ number: spelled });
    const own = await provider.tenant(globex.tenant.id).numbers.assign({ number: spelled });
    const globexList = [];
    for await (const n of globexAdmin.tenant(globex.tenant.id).numbers.list()) globexList.push(n.id);
    expect(globexList).toContain(own.id);
    const acmeList = [];
    for await (const n of acmeAdmin.tenant(acme.tenant.id).numbers.list()) acmeList.push(n.id);
    expect(acmeList).not.toContain(own.id);

    const foreign = await failure(acmeAdmin.tenant(acme.tenant.id).numbers.retrieve(own.id));
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(foreign.code).toBe('not_found');
    expect((await failure(acmeAdmin.tenant(acme.tenant.id).numbers.update(own.id, { routing: null }))).status).toBe(404);
    expect((await failure(acmeAdmin.tenant(acme.tenant.id).numbers.release(own.id))).status).toBe(404);
    expect((await failure(acmeAdmin.tenant(globex.tenant.id).numbers.list())).status).toBe(404);
    expect((await globexAdmin.tenant(globex.tenant.id).numbers.retrieve(own.id)).tenantId).toBe(globex.tenant.id);
  });
});

describe('routing and releasing', () => {
  it('routes a number to an extension of the tenant, and refuses a target the tenant does not have', async () => {
    const spelled = freshNumber();
    await provider.numbers.create({ number: spelled });
    const did = await provider.tenant(acme.tenant.id).numbers.assign({ number: spelled });
    const routed = await acmeAdmin.tenant(acme.tenant.id).numbers.update(did.id, { routing: { type: 'extension', target: '101' } });
    expect(routed.routing).toEqual({ type: 'extension', target: '101' });

    const missing = await failure(acmeAdmin.tenant(acme.tenant.id).numbers.update(did.id, { routing: { type: 'ring_group', target: '600' } }));
    expect(missing).toBeInstanceOf(BadRequestError);
    expect(missing.details).toEqual([{ field: 'routing.target', issue: 'no ring group 600 in this tenant' }]);
    const badType = await failure(acmeAdmin.tenant(acme.tenant.id).numbers.update(did.id, { routing: { type: 'voicemail' as 'extension', target: '1' } }));
    expect(badType.details?.[0]?.field).toBe('routing.type');
    expect((await acmeAdmin.tenant(acme.tenant.id).numbers.retrieve(did.id)).routing).toEqual({ type: 'extension', target: '101' });
  });

  it('releases a number back to inventory, unrouted, ready for another tenant', async () => {
    const spelled = freshNumber();
    await provider.numbers.create({ number: spelled });
    const did = await provider.tenant(acme.tenant.id).numbers.assign({ number: spelled });
    await acmeAdmin.tenant(acme.tenant.id).numbers.update(did.id, { routing: { type: 'extension', target: '101' } });
    expect(await acmeAdmin.tenant(acme.tenant.id).numbers.release(did.id)).toEqual({ id: did.id, object: 'number', deleted: true });

    expect(await provider.numbers.retrieve(did.id)).toMatchObject({ tenantId: null, routing: null, assignedAt: null });
    expect((await failure(acmeAdmin.tenant(acme.tenant.id).numbers.retrieve(did.id))).status).toBe(404);
    const reassigned = await provider.tenant(globex.tenant.id).numbers.assign({ number: spelled });
    expect(reassigned).toMatchObject({ id: did.id, tenantId: globex.tenant.id, routing: null });
  });

  it('lets the provider delete only an unassigned number', async () => {
    const spelled = freshNumber();
    const added = await provider.numbers.create({ number: spelled });
    await provider.tenant(acme.tenant.id).numbers.assign({ number: spelled });
    const held = await failure(provider.numbers.delete(added.id));
    expect(held.code).toBe('number_taken');
    await provider.tenant(acme.tenant.id).numbers.release(added.id);
    expect((await provider.numbers.delete(added.id)).deleted).toBe(true);
    expect((await failure(provider.numbers.retrieve(added.id))).status).toBe(404);
  });
});
