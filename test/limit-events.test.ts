// Limits monitored (issue 12): `tenant.limit_warning` at 80 % and `tenant.limit_reached` at 100 %
// of a tenant's limits (extensions through the API; channels and messages at the SIP edge, with
// real sip.js phones), told once per crossing, as real deliveries to a real receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyWebhook } from '@highrise/sdk';
import { Messager, UserAgent } from 'sip.js';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, type NodePhone } from './support/sip-node';
import { createExtension } from './support/sip-provision';

let hp: TestPlatform;
let server: Server;
let url: string;
const bodies: { body: string; signature: string }[] = [];
const phones: NodePhone[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['highrise-signature']) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  hp = await startTestPlatform('limit-events', { webhooks: { allowPrivateDestinations: true, pollIntervalMs: 20, retryBaseMs: 100, maxAttempts: 3, timeoutMs: 2000 } });
});

afterAll(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  await hp?.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

it('tells 80 % and 100 % of the extension limit once per crossing, and again after falling back below', async () => {
  const { created } = await hp.createTenant('limited', 'Limited');
  const tenant = hp.provider.tenant(created.tenant.id);
  await tenant.update({ limits: { extensions: 5 } });
  const endpoint = await hp.provider.webhookEndpoints.create({ url, enabledEvents: ['tenant.limit_warning', 'tenant.limit_reached'] });
  const ids: string[] = [];
  for (const n of ['101', '102', '103', '104', '105']) ids.push((await tenant.extensions.create({ number: n, displayName: n })).id);
  // Past the limit: refused, and nothing more is told.
  await expect(tenant.extensions.create({ number: '106', displayName: 'x' })).rejects.toMatchObject({ status: 422 });
  // Back to 3 of 5 (60 %), then up again: both thresholds are crossed again.
  await tenant.extensions.delete(ids[4]!);
  await tenant.extensions.delete(ids[3]!);
  await tenant.extensions.create({ number: '107', displayName: 'y' });
  await tenant.extensions.create({ number: '108', displayName: 'z' });

  const deadline = Date.now() + 5000;
  while (bodies.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const events = await Promise.all(bodies.map((b) => verifyWebhook(b.body, b.signature, endpoint.secret)));
  const told = events
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((e) => [e.type, e.tenantId, (e.data as { limit: string }).limit, (e.data as { used: number }).used, (e.data as { max: number }).max]);
  expect(told).toEqual([
    ['tenant.limit_warning', created.tenant.id, 'extensions', 4, 5],
    ['tenant.limit_reached', created.tenant.id, 'extensions', 5, 5],
    ['tenant.limit_warning', created.tenant.id, 'extensions', 4, 5],
    ['tenant.limit_reached', created.tenant.id, 'extensions', 5, 5],
  ]);
});

/** The limit events told so far for one tenant, verified, as [type, limit, used, max], oldest first. */
async function toldFor(tenantId: string, secret: string, expected: number): Promise<[string, string, number, number][]> {
  const deadline = Date.now() + 5000;
  const mine = async () => (await Promise.all(bodies.map((b) => verifyWebhook(b.body, b.signature, secret).catch(() => undefined)))).filter((e) => e?.tenantId === tenantId);
  while ((await mine()).length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  return (await mine())
    .sort((a, b) => a!.id.localeCompare(b!.id))
    .map((e) => { const d = e!.data as { limit: string; used: number; max: number }; return [e!.type, d.limit, d.used, d.max]; });
}

it('tells the SIP edge crossing a tenant\'s channel and message limits', async () => {
  const { created } = await hp.createTenant('sip-limited', 'SIP limited');
  const tenantId = created.tenant.id;
  // Channels 1: the first call crosses 80 % and 100 % in one step. Messages 5 a minute: the 4th and the 5th.
  await hp.provider.tenant(tenantId).update({ limits: { channels: 1, messagesPerMinute: 5 } });
  const endpoint = await hp.provider.webhookEndpoints.create({ url, enabledEvents: ['tenant.limit_warning', 'tenant.limit_reached'] });
  const phone = async (number: string) => {
    await createExtension(hp.platform.url, hp.bootstrapKey, tenantId, number, `pw-${number}-limit-events`);
    const p = createNodePhone({ wsUrl: hp.platform.wsUrl, domain: created.tenant.sipDomain, number, password: `pw-${number}-limit-events` });
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  };
  const [a, b] = [await phone('101'), await phone('102')];

  const call = a.call('102');
  const incoming = await b.nextIncoming();
  await incoming.answer();
  expect(await call.outcome).toBe(200);
  await call.hangup();
  await incoming.ended;

  for (let i = 0; i < 6; i++) {
    await new Promise<number>((resolve, reject) => {
      new Messager(a.userAgent, UserAgent.makeURI(`sip:102@${created.tenant.sipDomain}`)!, `hello ${i}`)
        .message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } })
        .catch(reject);
    });
  }
  // The 6th message was refused: it tells nothing more.
  expect(await toldFor(tenantId, endpoint.secret, 4)).toEqual([
    ['tenant.limit_warning', 'channels', 1, 1],
    ['tenant.limit_reached', 'channels', 1, 1],
    ['tenant.limit_warning', 'messages', 4, 5],
    ['tenant.limit_reached', 'messages', 5, 5],
  ]);
});
