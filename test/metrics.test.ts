// GET /metrics (issue 12): Prometheus text behind its own token, 404 when none is configured,
// request counts labelled by route template and status, never by a tenant id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { openRawSip, rawRequest, statusOf } from './support/sip-node';

const TOKEN = 'metrics-token-for-tests-0001';
let withToken: TestPlatform;
let without: TestPlatform;

beforeAll(async () => {
  withToken = await startTestPlatform('metrics', { metricsToken: TOKEN });
  without = await startTestPlatform('metrics-off');
});

afterAll(async () => {
  await withToken?.close();
  await without?.close();
});

const scrape = (hp: TestPlatform, authorization?: string) => fetch(`${hp.platform.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });

describe('GET /metrics', () => {
  it('is 404 when no metrics token is configured, whatever is presented', async () => {
    expect((await scrape(without)).status).toBe(404);
    expect((await scrape(without, `Bearer ${without.bootstrapKey}`)).status).toBe(404);
  });

  it('refuses a missing or wrong token, and an API key, with 401', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token', `Bearer ${withToken.bootstrapKey}`, TOKEN]) {
      const r = await scrape(withToken, auth);
      expect(r.status, String(auth)).toBe(401);
      expect(await r.text()).not.toContain('highrise_');
    }
  });

  it('serves Prometheus text: requests by route template and status, SIP, webhooks and porting gauges, no tenant ids', async () => {
    const { created } = await withToken.createTenant('metered', 'Metered');
    const id = created.tenant.id;
    await withToken.provider.tenant(id).extensions.create({ number: '101', displayName: 'A' });
    await withToken.provider.tenant(id).retrieve();
    await fetch(`${withToken.platform.url}/v1/tenants/${id}/nothing-here`, { headers: { Authorization: `Bearer ${withToken.bootstrapKey}` } });
    const r = await scrape(withToken, `Bearer ${TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toContain('# TYPE highrise_http_requests_total counter');
    expect(text).toMatch(/highrise_http_requests_total\{route="\/v1\/tenants\/\{tenantId\}",method="GET",status="200"\} 1\n/);
    expect(text).toMatch(/highrise_http_requests_total\{route="\/v1\/tenants\/\{tenantId\}\/extensions",method="POST",status="201"\} 1\n/);
    expect(text).toMatch(/highrise_http_requests_total\{route="unmatched",method="GET",status="404"\} 1\n/);
    // The scrapes refused above count too, under their own template.
    expect(text).toMatch(/highrise_http_requests_total\{route="\/metrics",method="GET",status="401"\} 4\n/);
    for (const name of ['highrise_sip_registrations 0', 'highrise_sip_active_calls 0', 'highrise_sip_connections 0', 'highrise_webhook_attempts{outcome="failed"} 0']) expect(text).toContain(name);
    expect(text).toContain('# TYPE highrise_port_orders gauge');
    expect(text).toContain('# TYPE highrise_webhook_deliveries gauge');
    expect(text).not.toContain(id);
    expect(text).not.toContain('ten_');
  });

  it('counts SIP requests by method and responses by code and the method they answer, received and sent', async () => {
    const { created } = await withToken.createTenant('sip-metered', 'SIP metered');
    const domain = created.tenant.sipDomain;
    const raw = await openRawSip(withToken.platform.wsUrl);
    try {
      const aor = `sip:101@${domain}`;
      raw.send(rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: aor, to: aor, headers: [`Contact: <sip:101@raw.invalid;transport=ws>`, 'Expires: 60'] }));
      expect(statusOf(await raw.next((f) => statusOf(f) !== undefined))).toBe(401);
      // A method the edge does not know: counted as `other`, never under its own name.
      raw.send(rawRequest({ method: 'TENANTLEAK', uri: aor, from: aor, to: aor }));
      expect(statusOf(await raw.next((f) => statusOf(f) !== undefined))).toBe(405);
    } finally {
      await raw.close();
    }
    const text = await (await scrape(withToken, `Bearer ${TOKEN}`)).text();
    expect(text).toContain('# TYPE highrise_sip_requests_total counter');
    expect(text).toMatch(/highrise_sip_requests_total\{direction="received",method="REGISTER"\} 1\n/);
    expect(text).toMatch(/highrise_sip_requests_total\{direction="received",method="other"\} 1\n/);
    expect(text).toMatch(/highrise_sip_responses_total\{direction="sent",method="REGISTER",code="401"\} 1\n/);
    expect(text).toMatch(/highrise_sip_responses_total\{direction="sent",method="other",code="405"\} 1\n/);
    expect(text).not.toContain('TENANTLEAK');
    expect(text).not.toContain(domain);
  });
});
