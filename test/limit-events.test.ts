// Limits monitored (issue 12): `tenant.limit_warning` at 80 % and `tenant.limit_reached` at 100 %
// of a tenant's extension limit, told once per crossing, as real deliveries to a real receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyWebhook } from '@highrise/sdk';
import { startTestPlatform, type TestPlatform } from './support/platform';

let hp: TestPlatform;
let server: Server;
let url: string;
const bodies: { body: string; signature: string }[] = [];

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
