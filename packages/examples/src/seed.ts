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
    tenants.push({ key: spec.key, id: tenant.id, name: spec.name, slug: spec.slug, sipDomain: tenant.sipDomain });
  }
  return tenants;
}
