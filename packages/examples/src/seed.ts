// The demo's directory, created once and found again on every later start: what exists is
// looked up by name and slug, so a restart (or a half-finished first run) creates only what is missing.
import type { Highrise } from '@highrise/sdk';

export const RESELLER_NAME = 'Northwind Telecom';

export const DEMO_TENANTS = [
  { key: 'acme', name: 'Acme Dental', slug: 'acme-dental', admin: { email: 'office@acme-dental.example', name: 'Acme front desk' } },
  { key: 'globex', name: 'Globex Law', slug: 'globex-law', admin: { email: 'it@globex-law.example', name: 'Globex IT' } },
] as const;

/**
 * Small enough to hit in the demo: while one call of the tenant rings or is up, a second one (from
 * the same phone opened in another tab) is refused with 403 "channel limit reached (1)". Only set
 * when the tenant is created, so a limit changed through the API survives a restart.
 */
export const DEMO_LIMITS = { channels: 1 } as const;

export const DEMO_EXTENSIONS = [
  { number: '101', displayName: 'Reception' },
  { number: '102', displayName: 'Back office' },
] as const;

export interface DemoTenant {
  key: (typeof DEMO_TENANTS)[number]['key'];
  id: string;
  name: string;
  slug: string;
  sipDomain: string;
}

export async function seedDemo(hr: Highrise): Promise<DemoTenant[]> {
  let reseller;
  for await (const r of hr.resellers.list()) if (r.name === RESELLER_NAME) reseller = r;
  reseller ??= await hr.resellers.create({ name: RESELLER_NAME });

  const existing = new Map<string, { id: string; sipDomain: string }>();
  for await (const t of hr.tenants.list()) existing.set(t.slug, t);

  const tenants: DemoTenant[] = [];
  for (const spec of DEMO_TENANTS) {
    const tenant =
      existing.get(spec.slug) ??
      (await hr.tenants.create({ name: spec.name, slug: spec.slug, resellerId: reseller.id, admin: spec.admin, limits: DEMO_LIMITS })).tenant;
    const tenantClient = hr.tenant(tenant.id);
    const numbers = new Set<string>();
    for await (const ext of tenantClient.extensions.list()) numbers.add(ext.number);
    for (const ext of DEMO_EXTENSIONS) {
      if (!numbers.has(ext.number)) await tenantClient.extensions.create(ext);
    }
    await seedTelephony(hr, tenant.id, DEMO_DIDS[spec.key]);
    if (spec.key === 'acme') await seedPortOrders(hr, tenant.id);
    tenants.push({ key: spec.key, id: tenant.id, name: spec.name, slug: spec.slug, sipDomain: tenant.sipDomain });
  }
  return tenants;
}

/** Each demo tenant's DID; both ring the tenant's own ring group 600 (101 and 102 at once). */
export const DEMO_DIDS: Record<DemoTenant['key'], string> = { acme: '+14155550100', globex: '+12125550100' };
export const DEMO_RING_GROUP = { number: '600', name: 'Front desk', strategy: 'simultaneous', members: ['101', '102'] } as const;

/** The tenant's ring group and DID, routed to the group; whatever exists already is left as it is. */
async function seedTelephony(hr: Highrise, tenantId: string, did: string): Promise<void> {
  const tenant = hr.tenant(tenantId);
  let hasGroup = false;
  for await (const g of tenant.ringGroups.list()) if (g.number === DEMO_RING_GROUP.number) hasGroup = true;
  if (!hasGroup) await tenant.ringGroups.create({ ...DEMO_RING_GROUP, members: [...DEMO_RING_GROUP.members] });

  let held;
  for await (const n of tenant.numbers.list()) if (n.number === did) held = n;
  if (!held) {
    let inInventory = false;
    for await (const n of hr.numbers.list({ assigned: false })) if (n.number === did) inInventory = true;
    if (!inInventory) await hr.numbers.create({ number: did });
    held = await tenant.numbers.assign({ number: did });
  }
  if (!held.routing) await tenant.numbers.update(held.id, { routing: { type: 'ring_group', target: DEMO_RING_GROUP.number } });
}

/**
 * Two port orders of Acme, submitted on the first start: one for today, which the simulated carrier
 * completes within a few steps, and one for a FOC date a month away, which stays in flight
 * (foc_scheduled) until then. Skipped once Acme has any port order.
 */
export const DEMO_PORTS = [
  { numbers: ['+16465550101', '+16465550102'], focInDays: 0 },
  { numbers: ['+16465550201'], focInDays: 30 },
] as const;

async function seedPortOrders(hr: Highrise, tenantId: string): Promise<void> {
  const porting = hr.tenant(tenantId).portOrders;
  if ((await porting.list({ limit: 1 })).data.length > 0) return;
  // A minimal PDF header is all the platform sniffs; the demo does not need a printable letter.
  const pdf = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');
  for (const port of DEMO_PORTS) {
    const order = await porting.create({
      numbers: [...port.numbers],
      losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-55501234', pin: '2468' },
      authorisedPerson: { name: 'Acme front desk', email: 'office@acme-dental.example' },
      serviceAddress: { line1: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
      requestedFocDate: new Date(Date.now() + port.focInDays * 86_400_000).toISOString().slice(0, 10),
      defaultDestination: { type: 'ring_group', target: DEMO_RING_GROUP.number },
    });
    await porting.documents.upload(order.id, { kind: 'loa', data: pdf, contentType: 'application/pdf', filename: 'loa.pdf' });
    await porting.documents.upload(order.id, { kind: 'bill', data: pdf, contentType: 'application/pdf', filename: 'bill.pdf' });
    await porting.submit(order.id);
  }
}
