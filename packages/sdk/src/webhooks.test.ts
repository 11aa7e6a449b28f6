import { describe, expect, it } from 'vitest';
import { buildWebhookSignatureHeader, isKnownWebhookEvent, verifyWebhook, WebhookVerificationError, type Tenant } from './index';

const secret = 'whsec_unitTestSecret0000000000000000';
const now = 1_790_000_000;
const verify = (body: string, header: Parameters<typeof verifyWebhook>[1]) => verifyWebhook(body, header, secret, { now: now * 1000 });
const tenant: Tenant = {
  id: 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B',
  object: 'tenant',
  name: 'Acme Dental',
  slug: 'acme-dental',
  status: 'active',
  sipDomain: 'acme-dental.sip.localhost',
  resellerId: null,
  limits: { extensions: 100, channels: 10, messagesPerMinute: 600, storageBytes: 104857600, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 },
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:00.000Z',
  deletedAt: null,
  purgeAt: null,
};
const envelope = { id: 'evt_01JD8X3E5Q7R2T4V6W8Y0Z1A2B', createdAt: '2026-11-28T10:00:00.000Z', tenantId: tenant.id };

describe('verifyWebhook and event types', () => {
  it('verifies and returns an event of a type this SDK does not know, as such', async () => {
    const body = JSON.stringify({ ...envelope, type: 'voicemail.received', data: { id: 'vm_1', seconds: 12 } });
    const event = await verify(body, await buildWebhookSignatureHeader(body, secret, { timestamp: now }));
    expect(event).toEqual(JSON.parse(body));
    expect(isKnownWebhookEvent(event)).toBe(false);
  });

  it('still refuses an unknown type whose signature does not match', async () => {
    const body = JSON.stringify({ ...envelope, type: 'voicemail.received', data: {} });
    const header = await buildWebhookSignatureHeader(body, 'whsec_someoneElse000000000000000000', { timestamp: now });
    await expect(verify(body, header)).rejects.toMatchObject({ reason: 'no_matching_signature' });
  });

  it('types data by event type, and keeps fields and enum values from a newer platform', async () => {
    const data = { ...tenant, status: 'archived', region: 'eu-west' };
    const body = JSON.stringify({ ...envelope, type: 'tenant.suspended', data });
    const event = await verify(body, await buildWebhookSignatureHeader(body, secret, { timestamp: now }));
    if (!isKnownWebhookEvent(event)) throw new Error('tenant.suspended is a known type');
    switch (event.type) {
      case 'tenant.suspended':
        expect(event.data.slug).toBe('acme-dental'); // a Tenant: `slug` type-checks only after narrowing
        expect(event.data.status).toBe('archived');
        break;
      default:
        throw new Error(`unexpected ${event.type}`);
    }
    expect(event.data).toEqual(data);
  });

  it("accepts the header as Node gives it (string, string[], undefined, the whole headers object) and as fetch's Headers", async () => {
    const body = JSON.stringify({ ...envelope, type: 'tenant.created', data: tenant });
    const header = await buildWebhookSignatureHeader(body, secret, { timestamp: now });
    const [t, v1] = header.split(',');
    expect((await verify(body, header)).type).toBe('tenant.created');
    expect((await verify(body, [t!, v1!])).type).toBe('tenant.created');
    expect((await verify(body, new Headers({ 'Highrise-Signature': header }))).type).toBe('tenant.created');
    expect((await verify(body, { 'content-type': 'application/json', 'highrise-signature': header })).type).toBe('tenant.created');
    const missing = await verify(body, undefined).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WebhookVerificationError);
    expect(missing).toMatchObject({ reason: 'malformed_header' });
  });

  it('refuses a signed body that is not an event envelope', async () => {
    const body = JSON.stringify({ type: 'tenant.created' });
    await expect(verify(body, await buildWebhookSignatureHeader(body, secret, { timestamp: now }))).rejects.toMatchObject({ reason: 'malformed_body' });
  });
});
