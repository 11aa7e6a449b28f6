import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../../store/kysely/index';
import { auditKeyFrom } from '../audit-key';
import type { DomainContext } from '../context';
import { createExtension } from '../extensions';
import type { Actor } from '../principal';
import { accessTenant, createTenant, type TenantAccess } from '../tenants';
import { startPortingAutomation, type PortingAutomation } from './automation';
import { createPortOrder, portTimeline, retrievePortOrder, updatePortOrder } from './orders';

// Draft expiry on the domain's clock: a real store, the real loop driven by tick(), and time moved by hand.
const DAY = 86_400_000;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null };

let clock: number;
let ctx: DomainContext;
let acme: TenantAccess;
const loops: PortingAutomation[] = [];
const loop = () => {
  // A tick interval far beyond the test: only tick() runs the loop here.
  const automation = startPortingAutomation(ctx, { tickMs: 3_600_000 });
  loops.push(automation);
  return automation;
};

const draft = async (number: string) =>
  (await createPortOrder(ctx, provider, acme, {
    numbers: [number],
    losingCarrier: { name: 'Old Telco', accountNumber: 'A-1', pin: '1234' },
    authorisedPerson: { name: 'Ada' },
    serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
    requestedFocDate: '2030-01-15',
    defaultDestination: { type: 'extension', target: '101' },
  })).order;

beforeEach(async () => {
  clock = Date.parse('2026-12-01T09:00:00Z');
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(clock) };
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id);
  await createExtension(ctx, provider, acme, { number: '101', displayName: 'Reception' });
});
afterEach(async () => {
  for (const automation of loops.splice(0)) await automation.stop();
  await ctx.store.close();
});

describe('draft expiry', () => {
  it('cancels a draft unchanged for 30 days, as the platform; a change starts the 30 days again', async () => {
    const old = await draft('+16465550111');
    const edited = await draft('+16465550112');
    const automation = loop();
    clock += 20 * DAY;
    await updatePortOrder(ctx, provider, acme, edited.id, { requestedFocDate: '2030-02-01' });

    clock += 9 * DAY; // day 29
    await automation.tick();
    expect((await retrievePortOrder(acme, old.id)).order.status).toBe('draft');

    clock += 2 * DAY; // day 31
    await automation.tick();
    expect((await retrievePortOrder(acme, old.id)).order).toMatchObject({ status: 'cancelled', cancelledAt: new Date(clock).toISOString() });
    expect((await retrievePortOrder(acme, edited.id)).order.status).toBe('draft');
    expect((await portTimeline(acme, old.id, { limit: 10 })).items.at(-1)).toMatchObject({
      action: 'cancel',
      fromStatus: 'draft',
      toStatus: 'cancelled',
      actorType: 'system',
      message: 'draft expired: unchanged for 30 days',
    });

    clock += 20 * DAY; // day 51: 31 days after the edit
    await automation.tick();
    expect((await retrievePortOrder(acme, edited.id)).order.status).toBe('cancelled');
  });

  it('expires each draft once, across restarts of the loop', async () => {
    const order = await draft('+16465550113');
    clock += 31 * DAY;
    await loop().tick();
    await loop().tick();
    const cancels = (await portTimeline(acme, order.id, { limit: 10 })).items.filter((e) => e.action === 'cancel');
    expect(cancels).toHaveLength(1);
    expect((await acme.scope.portOrders.countOpen())).toBe(0);
  });
});
