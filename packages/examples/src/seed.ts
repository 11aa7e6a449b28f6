// The demo's directory, created once and found again on every later start: what exists is
// looked up by name and slug, so a restart (or a half-finished first run) creates only what is missing.
import type { Highrise } from '@highrise/sdk';

export const RESELLER_NAME = 'Northwind Telecom';

export const DEMO_TENANTS = [
  { key: 'acme', name: 'Acme Dental', slug: 'acme-dental', admin: { email: 'office@acme-dental.example', name: 'Acme front desk' } },
  { key: 'globex', name: 'Globex Law', slug: 'globex-law', admin: { email: 'it@globex-law.example', name: 'Globex IT' } },
] as const;

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
      (await hr.tenants.create({ name: spec.name, slug: spec.slug, resellerId: reseller.id, admin: spec.admin })).tenant;
    const tenantClient = hr.tenant(tenant.id);
    const numbers = new Set<string>();
    for await (const ext of tenantClient.extensions.list()) numbers.add(ext.number);
    for (const ext of DEMO_EXTENSIONS) {
      if (!numbers.has(ext.number)) await tenantClient.extensions.create(ext);
    }
    await seedTelephony(hr, tenant.id, DEMO_DIDS[spec.key]);
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
