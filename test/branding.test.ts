// White-label branding (issue 11): provider → reseller → tenant inheritance through the real SDK,
// validation with the offending field, the tenant's logo counted in its storage, audit events, and
// the unauthenticated public view of a SIP domain (no leak, caching, per-address rate limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, NotFoundError, PublicBranding, UnprocessableEntityError, type Highrise } from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';

let tp: TestPlatform;
let provider: Highrise;
let slugs = 0;

/** A 1×1 PNG. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** A PNG signature followed by `size - 8` bytes: enough for the size checks, which read the signature only. */
const pngOfSize = (size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size - 8, 7)]).toString('base64');

beforeAll(async () => {
  tp = await startTestPlatform('branding');
  provider = tp.provider;
});

afterAll(async () => {
  await tp?.close();
});

async function resoldTenant(resellerName = 'Reseller') {
  const reseller = await provider.resellers.create({ name: resellerName });
  const resellerAdmin = tp.client((await provider.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId: reseller.id })).secret);
  const slug = `brand-${++slugs}`;
  const { tenant, adminKey } = await resellerAdmin.tenants.create({ name: 'Branded', slug, admin: { email: `a@${slug}.test`, name: 'A' } });
  return { reseller, resellerAdmin, tenant, admin: tp.client(adminKey!.secret) };
}

const publicBranding = async (query: string, headers: Record<string, string> = {}) => fetch(`${tp.platform.url}/v1/public/branding${query}`, { headers });

describe('branding inheritance', () => {
  it('resolves each field from the nearest level that sets it: tenant, then reseller, then provider, then the default', async () => {
    const { reseller, resellerAdmin, tenant, admin } = await resoldTenant();
    const untouched = await admin.tenant(tenant.id).branding.retrieve();
    expect(untouched.own).toEqual({ logo: null });
    expect(untouched.effective).toMatchObject({ productName: 'Highrise', colors: { accent: '#2563eb' }, poweredBy: true, logo: null });

    await provider.branding.update({ productName: 'ProviderVoice', colors: { accent: '#111111', text: '#222222' }, support: { email: 'help@provider.test' } });
    await resellerAdmin.branding.reseller(reseller.id).update({ productName: 'ResellerVoice', colors: { accent: '#333333' }, logo: { contentType: 'image/png', data: TINY_PNG } });
    const updated = await admin.tenant(tenant.id).branding.update({ colors: { background: '#444444' }, poweredBy: false, fontFamily: 'Inter, "Helvetica Neue", sans-serif' });

    expect(updated.level).toBe('tenant');
    expect(updated.own).toEqual({ colors: { background: '#444444' }, poweredBy: false, fontFamily: 'Inter, "Helvetica Neue", sans-serif', logo: null });
    expect(updated.effective).toEqual({
      productName: 'ResellerVoice',
      colors: { accent: '#333333', background: '#444444', text: '#222222' },
      fontFamily: 'Inter, "Helvetica Neue", sans-serif',
      support: { email: 'help@provider.test' },
      poweredBy: false,
      logo: { contentType: 'image/png', sizeBytes: Buffer.from(TINY_PNG, 'base64').byteLength, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    // The reseller sees its own level with the provider's values filled in beneath.
    expect((await resellerAdmin.branding.reseller(reseller.id).retrieve()).effective).toMatchObject({ productName: 'ResellerVoice', colors: { text: '#222222' } });
    await provider.branding.update({});
  });

  it('answers a reseller asking for another reseller’s branding exactly as for one that does not exist', async () => {
    const a = await resoldTenant('A');
    const b = await resoldTenant('B');
    await provider.branding.reseller(b.reseller.id).update({ productName: 'Secret B' });
    const foreign = await failure(a.resellerAdmin.branding.reseller(b.reseller.id).retrieve());
    const missing = await failure(a.resellerAdmin.branding.reseller('res_00000000000000000000000000').retrieve());
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect([foreign.status, foreign.code, foreign.message]).toEqual([missing.status, missing.code, missing.message]);
    const write = await failure(a.resellerAdmin.branding.reseller(b.reseller.id).update({ productName: 'Hijacked' }));
    expect([write.status, write.code]).toEqual([404, 'not_found']);
    expect((await provider.branding.reseller(b.reseller.id).retrieve()).own.productName).toBe('Secret B');
    // A tenant's own admin cannot see the levels above it.
    expect((await failure(a.admin.branding.retrieve())).status).toBe(403);
  });
});

describe('branding validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a colour that is not hex', { colors: { accent: 'red;}body{x' } }, 'colors.accent'],
    ['a font family that could leave its CSS value', { fontFamily: 'Inter; background:url(x)' }, 'fontFamily'],
    ['a support email that is not one', { support: { email: 'not-an-email' } }, 'support.email'],
    ['a support url that is not http(s)', { support: { url: 'javascript:alert(1)' } }, 'support.url'],
    ['a support phone with letters', { support: { phone: 'call me' } }, 'support.phone'],
    ['an SVG logo (SVG is not accepted)', { logo: { contentType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } }, 'logo.contentType'],
    ['bytes that are not the image they claim', { logo: { contentType: 'image/png', data: Buffer.from('<script>alert(1)</script>').toString('base64') } }, 'logo.data'],
    ['a JPEG declared as PNG', { logo: { contentType: 'image/png', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64') } }, 'logo.contentType'],
    ['a logo over 256 KB', { logo: { contentType: 'image/png', data: pngOfSize(256 * 1024 + 1) } }, 'logo.data'],
    ['an unknown field', { favicon: 'x' }, 'favicon'],
  ];
  it.each(cases)('refuses %s with 400 validation_error naming the field', async (_, body, field) => {
    const { tenant, admin } = await resoldTenant();
    const error = await failure(admin.tenant(tenant.id).branding.update(body as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('validation_error');
    expect(error.details.map((d) => d.field)).toContain(field);
    expect((await admin.tenant(tenant.id).branding.retrieve()).updatedAt).toBeNull();
  });
});

describe('logo storage', () => {
  it('counts the tenant’s logo in its storage usage and refuses one past its limit with 422 limit_exceeded', async () => {
    const { tenant, admin } = await resoldTenant();
    const logo = pngOfSize(100 * 1024);
    await admin.tenant(tenant.id).branding.update({ logo: { contentType: 'image/png', data: logo } });
    expect((await admin.tenant(tenant.id).usage.retrieve()).storage.used).toBe(100 * 1024);
    // Keeping the logo (no `logo` field) keeps its bytes; removing it frees them.
    await admin.tenant(tenant.id).branding.update({ productName: 'Kept' });
    expect((await admin.tenant(tenant.id).usage.retrieve()).storage.used).toBe(100 * 1024);

    await provider.tenants.update(tenant.id, { limits: { storageBytes: 150 * 1024 } });
    // Replacing the logo frees the old one's bytes first: 120 KB fits in 150 KB although 100 + 120 would not.
    await admin.tenant(tenant.id).branding.update({ logo: { contentType: 'image/png', data: pngOfSize(120 * 1024) } });
    const error = await failure(admin.tenant(tenant.id).branding.update({ logo: { contentType: 'image/png', data: pngOfSize(151 * 1024) } }));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect([error.code, error.message]).toEqual(['limit_exceeded', `the tenant's storage limit of ${150 * 1024} is reached`]);
    expect((await admin.tenant(tenant.id).branding.retrieve()).own.logo?.sizeBytes).toBe(120 * 1024);

    await admin.tenant(tenant.id).branding.update({ logo: null });
    expect((await admin.tenant(tenant.id).usage.retrieve()).storage.used).toBe(0);
  });
});

describe('branding audit', () => {
  it('writes branding.updated with the changed fields (never the logo bytes) at the tenant and platform levels', async () => {
    const { reseller, tenant, admin } = await resoldTenant();
    await admin.tenant(tenant.id).branding.update({ productName: 'Audited', logo: { contentType: 'image/png', data: TINY_PNG } });
    const [event] = (await admin.tenant(tenant.id).auditEvents.list({ action: 'branding.updated' })).data;
    expect(event).toMatchObject({ action: 'branding.updated', tenantId: tenant.id, target: { id: tenant.id, type: 'branding' } });
    expect(event!.changes).toMatchObject({ productName: { before: null, after: 'Audited' } });
    expect(JSON.stringify(event)).not.toContain(TINY_PNG.slice(0, 40));

    await provider.branding.reseller(reseller.id).update({ productName: 'Reseller audited' });
    const platformEvents = (await provider.auditEvents.list({ action: 'branding.updated' })).data;
    expect(platformEvents.some((e) => e.target.id === reseller.id && e.tenantId === null)).toBe(true);
  });
});

describe('public branding', () => {
  it('serves only the effective public fields for a tenant’s SIP domain, with ETag and Cache-Control, and the logo at its own URL', async () => {
    const { reseller, tenant, admin } = await resoldTenant('Reseller Name That Must Not Leak');
    await provider.branding.reseller(reseller.id).update({ colors: { accent: '#123456' } });
    await admin.tenant(tenant.id).branding.update({ productName: 'Acme Phone', logo: { contentType: 'image/png', data: TINY_PNG } });

    const r = await publicBranding(`?domain=${tenant.sipDomain}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const text = await r.text();
    const body = PublicBranding.parse(JSON.parse(text));
    expect(body).toMatchObject({ productName: 'Acme Phone', colors: { accent: '#123456' } });
    expect(Object.keys(body).sort()).toEqual(['colors', 'fontFamily', 'logoUrl', 'poweredBy', 'productName', 'support']);
    for (const secret of [tenant.id, reseller.id, 'Reseller Name That Must Not Leak', 'Branded', 'res_', 'ten_']) expect(text).not.toContain(secret);

    const again = await publicBranding(`?domain=${tenant.sipDomain}`, { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    const logo = await fetch(`${tp.platform.url}${body.logoUrl}`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await logo.arrayBuffer()).toString('base64')).toBe(TINY_PNG);
  });

  it('answers an unknown, a malformed and a suspended tenant’s domain with the same default as a tenant that sets nothing', async () => {
    await provider.branding.update({ productName: 'Platform Default' });
    const plain = await resoldTenant();
    const suspended = await resoldTenant();
    await suspended.admin.tenant(suspended.tenant.id).branding.update({ productName: 'Suspended Co' });
    await provider.tenants.suspend(suspended.tenant.id);
    // The plain tenant's reseller sets nothing either, so all four resolve to the provider's alone.
    const answers = await Promise.all(
      [plain.tenant.sipDomain, suspended.tenant.sipDomain, 'nobody.sip.localhost', '../../etc'].map(async (d) => {
        const r = await publicBranding(`?domain=${encodeURIComponent(d)}`);
        return { status: r.status, etag: r.headers.get('etag'), body: await r.text() };
      }),
    );
    expect(answers[0]!.status).toBe(200);
    expect(JSON.parse(answers[0]!.body).productName).toBe('Platform Default');
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    await provider.branding.update({});
  });

  it('limits requests per client address with 429 and Retry-After', async () => {
    const limited = await startTestPlatform('branding-limit');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await fetch(`${limited.platform.url}/v1/public/branding?domain=x.sip.localhost`)).status);
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      const refused = await fetch(`${limited.platform.url}/v1/public/branding/logo?domain=x.sip.localhost`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(statuses[60]).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('needs no key, and refuses a request without a domain with 400 naming the field', async () => {
    const r = await publicBranding('');
    expect(r.status).toBe(400);
    expect((await r.json()).error.details.map((d: { field: string }) => d.field)).toContain('query.domain');
  });
});
