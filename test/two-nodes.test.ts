/**
 * Two platform processes on one PostgreSQL database (issue 9, "Several nodes on one PostgreSQL"):
 * each node is the built platform in its own process (test/support/platform-node.mjs), killed with
 * SIGKILL where the test says so. What a user sees: a tenant made on one node is served by the
 * other at once, a revoked key is refused everywhere within a second, caps, Idempotency-Keys and
 * rate limits hold across nodes, every webhook reaches a real local receiver exactly once with both
 * nodes running, and a node killed mid-delivery or mid-port-order loses nothing and duplicates
 * nothing: the survivor takes the work over once the dead node's lease runs out.
 *
 * The isolation matrix through a second node runs in test/isolation.test.ts, which on PostgreSQL
 * builds its data through one node and probes through another.
 *
 * Runs in the integration-postgres project (HIGHRISE_TEST_STORE=postgres); skipped on SQLite,
 * where the platform is one process by design.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Highrise, type PortOrderCreateParams } from '@highrise/sdk';
import { createTestPostgresDatabase, testStoreIsPostgres, type TestPostgresDatabase } from './support/postgres';

const bootstrapKey = 'hr_test_bootstrap_two_nodes_0001';
const LEASE_MS = 6000;
const MAX_AUTH_FAILURES = 6;
const REDELIVERIES = 4;

interface Node {
  child: ChildProcess;
  url: string;
  pid: number;
  log: string[];
}

interface Received {
  eventId: string;
  deliveryId: string;
  type: string;
  tenantId: string | null;
  at: number;
  answered: number | 'stalled';
}

/** A webhook receiver on loopback that records every request and answers as `respond` says. */
async function startReceiver() {
  const received: Received[] = [];
  const receiver = {
    received,
    url: '',
    respond: (_event: { type: string; tenantId: string | null }): number | 'stall' => 200,
    /** Requests it answered 2xx to, by event id. */
    acknowledged: (eventId: string) => received.filter((r) => r.eventId === eventId && typeof r.answered === 'number' && r.answered < 300).length,
    /** Requests it answered 2xx to, by delivery id. */
    acknowledgedDelivery: (deliveryId: string) => received.filter((r) => r.deliveryId === deliveryId && typeof r.answered === 'number' && r.answered < 300).length,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { type: string; tenantId: string | null };
      const entry: Received = {
        eventId: String(req.headers['highrise-event-id']),
        deliveryId: String(req.headers['highrise-delivery-id']),
        type: body.type,
        tenantId: body.tenantId,
        at: Date.now(),
        answered: 'stalled',
      };
      received.push(entry);
      const answer = receiver.respond(body);
      if (answer === 'stall') return; // never answers: the sender's attempt hangs until it dies or times out
      entry.answered = answer;
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { receiver, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const script = join(import.meta.dirname, 'support', 'platform-node.mjs');
const built = join(import.meta.dirname, '..', 'packages', 'platform', 'dist', 'index.js');

// Each node is a process of its own on a 2-core machine shared with other suites: generous timeouts.
describe.runIf(testStoreIsPostgres())('two platform processes on one PostgreSQL database', { timeout: 120_000 }, () => {
  let database: TestPostgresDatabase;
  let dataDir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>['receiver'];
  let closeReceiver: () => Promise<void>;
  const nodes: Node[] = [];
  const children: ChildProcess[] = [];
  /** Refused keys so far: the failed-authentication window is per address, and every request here comes from 127.0.0.1. */
  let failedAuthentications = 0;

  function startNode(): Promise<Node> {
    const options = {
      databaseUrl: database.url,
      dataDir,
      bootstrapKey,
      sipDomain: 'sip.two-nodes.test',
      audit: { key: 'k'.repeat(32) },
      authFailureLimit: { maxFailures: MAX_AUTH_FAILURES, windowSeconds: 3600 },
      // The timeout stays under the lease (a live sender's POST ends before its lease does) and
      // leaves the SIGKILL test time to kill a stalled sender before its attempt times out.
      webhooks: { allowPrivateDestinations: true, pollIntervalMs: 50, timeoutMs: 4000, leaseMs: LEASE_MS, retryBaseMs: 300, redeliveryLimit: { max: REDELIVERIES, windowSeconds: 60 } },
      // Two seconds a carrier step: each state of the port order lasts long enough to be seen on a loaded machine.
      porting: { carrier: 'simulated', stepSeconds: 2, tickMs: 50, leaseMs: LEASE_MS },
    };
    const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      const log: string[] = [];
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const line of lines) {
          log.push(line);
          const started = /^url=(\S+) pid=(\d+)/.exec(line);
          if (started) resolve({ child, url: started[1]!, pid: Number(started[2]), log });
        }
      });
      child.on('exit', (code, signal) => reject(new Error(`platform node exited (${code ?? signal}) before listening:\n${log.join('\n')}`)));
    });
  }

  async function kill(node: Node): Promise<void> {
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    node.child.kill('SIGKILL');
    await exited;
    nodes.splice(nodes.indexOf(node), 1);
  }

  /** The node whose process holds `owner` (a lease owner is `host:pid:random`). */
  const nodeOf = (owner: string) => nodes.find((n) => owner.split(':').at(-2) === String(n.pid));

  const client = (node: Node, apiKey = bootstrapKey) => new Highrise({ baseUrl: node.url, apiKey, maxRetries: 0 });

  async function api(node: Node, method: string, path: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.key ?? bootstrapKey}`, ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${node.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  }

  beforeAll(async () => {
    expect(existsSync(built), 'the two-node suite runs the built platform: npm run build').toBe(true);
    database = await createTestPostgresDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'highrise-two-nodes-'));
    ({ receiver, close: closeReceiver } = await startReceiver());
    // Both at once: migrations and the bootstrap key run under the lock.
    nodes.push(...(await Promise.all([startNode(), startNode()])));
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closeReceiver?.();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves one API: a tenant created on node 1 is read, changed and suspended through node 2 at once', async () => {
    const [one, two] = [client(nodes[0]!), client(nodes[1]!)];
    const { tenant } = await one.tenants.create({ name: 'Acme', slug: 'acme-two-nodes' });
    expect((await two.tenants.retrieve(tenant.id)).name).toBe('Acme');
    await two.tenants.update(tenant.id, { name: 'Acme Two' });
    expect((await one.tenants.retrieve(tenant.id)).name).toBe('Acme Two');
    await one.tenants.suspend(tenant.id);
    expect((await two.tenants.retrieve(tenant.id)).status).toBe('suspended');
    await two.tenants.resume(tenant.id);
    expect((await one.tenants.retrieve(tenant.id)).status).toBe('active');
  });

  it('refuses a key revoked on node 1 on node 2 within a second', async () => {
    const created = await client(nodes[0]!).tenants.create({ name: 'Revoke', slug: 'revoke-two-nodes', admin: { email: 'a@revoke.test', name: 'A' } });
    const key = created.adminKey!;
    // Node 2 has the key in its cache before the revocation.
    expect((await api(nodes[1]!, 'GET', `/v1/tenants/${created.tenant.id}/extensions`, { key: key.secret })).status).toBe(200);
    await client(nodes[0]!).tenant(created.tenant.id).apiKeys.revoke(key.id);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 2000) {
      status = (await api(nodes[1]!, 'GET', `/v1/tenants/${created.tenant.id}/extensions`, { key: key.secret })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    // Counted before the assertions: the address's failure was counted by the platform even if this test fails.
    if (status === 401) failedAuthentications++;
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('lets exactly one of parallel creates through both nodes take the last place under a cap', async () => {
    const { tenant } = await client(nodes[0]!).tenants.create({ name: 'Capped', slug: 'capped-two-nodes', limits: { trunks: 10, extensions: 10 } });
    for (let i = 0; i < 9; i++) expect((await api(nodes[i % 2]!, 'POST', `/v1/tenants/${tenant.id}/trunks`, { body: { name: `t${i}` } })).status).toBe(201);
    for (let i = 0; i < 9; i++) expect((await api(nodes[i % 2]!, 'POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: `${200 + i}`, displayName: 'x' } })).status).toBe(201);
    const [trunks, extensions] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, (_, i) => api(nodes[i % 2]!, 'POST', `/v1/tenants/${tenant.id}/trunks`, { body: { name: `last${i}` } }))),
      Promise.all(Array.from({ length: 8 }, (_, i) => api(nodes[i % 2]!, 'POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: `${300 + i}`, displayName: 'x' } }))),
    ]);
    for (const answers of [trunks, extensions]) {
      expect(answers.map((a) => a.status).sort()).toEqual([201, 422, 422, 422, 422, 422, 422, 422]);
      expect(answers.filter((a) => a.status === 422).every((a) => a.json?.error.code === 'limit_exceeded')).toBe(true);
    }
    expect((await api(nodes[1]!, 'GET', `/v1/tenants/${tenant.id}/trunks?limit=100`)).json?.data).toHaveLength(10);
    expect((await api(nodes[0]!, 'GET', `/v1/tenants/${tenant.id}/extensions?limit=100`)).json?.data).toHaveLength(10);
  });

  it('runs a request with one Idempotency-Key once, whichever nodes it is sent to at once', async () => {
    for (let round = 0; round < 5; round++) {
      const slug = `idem-two-nodes-${round}`;
      const headers = { 'Idempotency-Key': `two-nodes-${round}` };
      const answers = await Promise.all(nodes.map((node) => api(node, 'POST', '/v1/tenants', { body: { name: 'Idem', slug }, headers })));
      for (const a of answers) {
        expect([201, 409]).toContain(a.status);
        if (a.status === 409) expect(a.json?.error.code).toBe('idempotency_key_in_use');
      }
      const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.json?.tenant.id));
      expect(ids.size).toBe(1);
      // A retry on either node afterwards replays the first answer.
      const replay = await api(nodes[(round + 1) % 2]!, 'POST', '/v1/tenants', { body: { name: 'Idem', slug }, headers });
      expect([replay.status, replay.json?.tenant.id]).toEqual([201, [...ids][0]]);
      const listed = (await api(nodes[0]!, 'GET', '/v1/tenants?limit=100')).json?.data as { slug: string }[];
      expect(listed.filter((t) => t.slug === slug)).toHaveLength(1);
    }
  });

  it('delivers every webhook exactly once with both nodes polling the queue', async () => {
    const endpoint = await api(nodes[0]!, 'POST', '/v1/webhook-endpoints', { body: { url: receiver.url, enabledEvents: ['extension.created', 'port_order.completed'] } });
    expect(endpoint.status).toBe(201);
    const { tenant } = await client(nodes[1]!).tenants.create({ name: 'Hooks', slug: 'hooks-two-nodes', limits: { extensions: 100 } });
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api(nodes[i % 2]!, 'POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: `${400 + i}`, displayName: `Ext ${i}` } })),
    );
    expect(created.every((c) => c.status === 201)).toBe(true);
    await vi.waitFor(() => expect(new Set(receiver.received.filter((r) => r.type === 'extension.created').map((r) => r.eventId)).size).toBe(40), { timeout: 15_000, interval: 50 });
    // Long enough for any second send (a poll every 50 ms on each node) to have happened.
    await new Promise((r) => setTimeout(r, 1000));
    const counts = new Map<string, number>();
    for (const r of receiver.received.filter((x) => x.type === 'extension.created')) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
    const twice = receiver.received.filter((r) => r.type === 'extension.created' && counts.get(r.eventId)! > 1);
    const { rows: attemptsOfTwice } = await database.query('SELECT delivery_id, seq, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = ANY($1)', [twice.map((r) => r.deliveryId)]);
    expect({ twice, attemptsOfTwice }, 'each event received once').toEqual({ twice: [], attemptsOfTwice: [] });
    expect(counts.size).toBe(40);
    const deliveries = (await api(nodes[1]!, 'GET', `/v1/webhook-endpoints/${endpoint.json!.id}/deliveries?limit=100`)).json?.data as { status: string; attempts: unknown[] }[];
    expect(deliveries.filter((d) => d.status === 'delivered' && d.attempts.length === 1)).toHaveLength(40);

    // The redelivery limit is per owner across nodes, not per node.
    const deliveryId = (deliveries[0] as unknown as { id: string }).id;
    const redeliveries = [];
    for (let i = 0; i <= REDELIVERIES; i++) redeliveries.push(await api(nodes[i % 2]!, 'POST', `/v1/webhook-endpoints/${endpoint.json!.id}/deliveries/${deliveryId}/redeliver`));
    expect(redeliveries.map((r) => r.status)).toEqual([...Array(REDELIVERIES).fill(201), 429]);
    // Each queued redelivery reaches the receiver once. Waited for here, not left running: they are
    // `extension.created` with the event id of the first delivery, and one still queued when the
    // next test starts stalling its own event would otherwise be the one stalled (and counted).
    const queued = redeliveries.filter((r) => r.status === 201).map((r) => r.json!.id as string);
    await vi.waitFor(() => expect(queued.map((id) => receiver.acknowledgedDelivery(id))).toEqual(queued.map(() => 1)), { timeout: 15_000, interval: 50 });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => queued.includes(r.deliveryId)), 'each redelivery received once').toHaveLength(REDELIVERIES);
  });

  it('hands a delivery whose node was killed mid-attempt to the survivor once the lease runs out, with the same event id', async () => {
    const { tenant } = await client(nodes[0]!).tenants.create({ name: 'Stall', slug: 'stall-two-nodes' });
    // Only this tenant's event stalls: an `extension.created` of another test (the redeliveries
    // above share one event id) must not be the one stalled, or every count below is off.
    let stalls = 1;
    receiver.respond = (event) => (event.type === 'extension.created' && event.tenantId === tenant.id && stalls-- > 0 ? 'stall' : 200);
    try {
      expect((await api(nodes[0]!, 'POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: '101', displayName: 'Stalled' } })).status).toBe(201);
      await vi.waitFor(() => expect(receiver.received.some((r) => r.tenantId === tenant.id && r.answered === 'stalled')).toBe(true), { timeout: 10_000, interval: 20 });
      const first = receiver.received.find((r) => r.tenantId === tenant.id && r.answered === 'stalled')!;
      // The node sending it holds its lease: that one dies, before it can record anything.
      const { rows } = await database.query('SELECT lease_owner FROM webhook_deliveries WHERE id = $1', [first.deliveryId]);
      const sender = nodeOf(String(rows[0].lease_owner));
      expect(sender, `lease owner ${rows[0].lease_owner} is one of the nodes`).toBeDefined();
      await kill(sender!);
      // Killed mid-attempt: nothing recorded, the lease (renewed just before the POST) still the dead node's.
      const { rows: held } = await database.query('SELECT status, attempt_count, lease_owner, leased_until FROM webhook_deliveries WHERE id = $1', [first.deliveryId]);
      expect(held[0], 'the sender died mid-attempt').toMatchObject({ status: 'pending', attempt_count: 0, lease_owner: rows[0].lease_owner });
      const leasedUntil = Date.parse(held[0].leased_until as string);

      // The lease runs 6 s; a loaded machine may take a good while longer to poll and resend.
      await vi.waitFor(() => expect(receiver.acknowledged(first.eventId)).toBe(1), { timeout: 40_000, interval: 50 });
      const again = receiver.received.filter((r) => r.eventId === first.eventId);
      // At least once across a crash: the receiver saw the unanswered attempt and the retry, with
      // the same event id (and delivery id) to dedupe on; only the retry was acknowledged.
      expect(again.map((r) => [r.eventId, r.deliveryId, r.answered])).toEqual([
        [first.eventId, first.deliveryId, 'stalled'],
        [first.eventId, first.deliveryId, 200],
      ]);
      // Not before the dead node's lease ran out (one clock: the nodes and this process share the machine).
      expect(again[1]!.at, 'taken over only after the lease ran out').toBeGreaterThanOrEqual(leasedUntil);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.filter((r) => r.eventId === first.eventId)).toHaveLength(2);
      const { rows: delivery } = await database.query('SELECT status, attempt_count, lease_owner FROM webhook_deliveries WHERE id = $1', [first.deliveryId]);
      expect(delivery[0]).toEqual({ status: 'delivered', attempt_count: 1, lease_owner: null });
    } finally {
      receiver.respond = () => 200;
      // Two nodes again for what follows, whatever happened here.
      while (nodes.length < 2) nodes.push(await startNode());
    }
  });

  it('completes a port order exactly once after the node driving it is killed mid-order', async () => {
    while (nodes.length < 2) nodes.push(await startNode());
    const hr = client(nodes[0]!);
    const { tenant } = await hr.tenants.create({ name: 'Port', slug: 'port-two-nodes' });
    await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });
    const numbers = ['+16463000101', '+16463000202', '+16463000303'];
    const params: PortOrderCreateParams = {
      numbers,
      losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-99887766', pin: '4321' },
      authorisedPerson: { name: 'Ada Admin', email: 'ada@port.test' },
      serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
      requestedFocDate: new Date().toISOString().slice(0, 10),
      defaultDestination: { type: 'extension', target: '101' },
    };
    const order = await hr.tenant(tenant.id).portOrders.create(params);
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    await hr.tenant(tenant.id).portOrders.documents.upload(order.id, { kind: 'loa', data: pdf, contentType: 'application/pdf', filename: 'loa.pdf' });
    await hr.tenant(tenant.id).portOrders.documents.upload(order.id, { kind: 'bill', data: png, contentType: 'image/png', filename: 'bill.png' });
    await client(nodes[1]!).tenant(tenant.id).portOrders.submit(order.id);
    // Driven by the automation (in_review lasts one carrier step: a loaded machine may only see the next state).
    await vi.waitFor(async () => expect(['in_review', 'foc_scheduled']).toContain((await hr.tenant(tenant.id).portOrders.retrieve(order.id)).status), { timeout: 10_000, interval: 25 });

    // Catch a tick in the act, the order still open: whoever holds the automation lease right now is killed with it.
    let holder: Node | undefined;
    let heldBy = '';
    let status = '';
    for (let i = 0; i < 2000 && !holder && status !== 'completed'; i++) {
      const { rows } = await database.query(
        `SELECT (SELECT owner FROM job_leases WHERE name = 'porting.automation') AS owner, (SELECT status FROM port_orders WHERE id = $1) AS status`,
        [order.id],
      );
      status = rows[0].status as string;
      if (rows[0].owner && status !== 'completed') [holder, heldBy] = [nodeOf(rows[0].owner as string), rows[0].owner as string];
    }
    expect(holder, `a node was caught mid-tick before the order completed (order ${status})`).toBeDefined();
    await kill(holder!);
    const survivor = client(nodes[0]!);
    await vi.waitFor(async () => expect((await survivor.tenant(tenant.id).portOrders.retrieve(order.id)).status).toBe('completed'), { timeout: 40_000, interval: 50 });
    // The dead node's lease does not stay: released before the kill, or run out and taken over by the survivor's next tick.
    await vi.waitFor(async () => expect((await database.query('SELECT owner FROM job_leases WHERE owner = $1', [heldBy])).rows).toEqual([]), { timeout: 20_000, interval: 100 });

    // A few more ticks change nothing.
    await new Promise((r) => setTimeout(r, 500));
    const timeline = (await survivor.tenant(tenant.id).portOrders.timeline(order.id)).data;
    expect(timeline.map((e) => e.to)).toEqual(['draft', 'submitted', 'in_review', 'foc_scheduled', 'completed']);
    const held = (await api(nodes[0]!, 'GET', `/v1/tenants/${tenant.id}/numbers?limit=100`)).json?.data as { number: string }[];
    expect(held.map((n) => n.number).sort()).toEqual([...numbers].sort());
    await vi.waitFor(() => expect(receiver.received.filter((r) => r.type === 'port_order.completed')).toHaveLength(1), { timeout: 10_000, interval: 50 });
    await new Promise((r) => setTimeout(r, 500));
    const completed = receiver.received.filter((r) => r.type === 'port_order.completed');
    expect(completed, 'one completion event, delivered once').toHaveLength(1);
    while (nodes.length < 2) nodes.push(await startNode());
  });
  // Last: the address stays over the limit for the rest of the window.
  it('counts failed authentications from one address across both nodes, those of earlier tests included', async () => {
    while (nodes.length < 2) nodes.push(await startNode());
    const statuses: number[] = [];
    const left = MAX_AUTH_FAILURES - failedAuthentications;
    for (let i = 0; i <= left; i++) statuses.push((await api(nodes[i % 2]!, 'GET', '/v1/tenants', { key: `hr_wrong_${i}_${'x'.repeat(40)}` })).status);
    // Each node alone saw only half: per-node windows would answer 401 to all of them.
    expect(statuses).toEqual([...Array(left).fill(401), 429]);
    expect((await api(nodes[1]!, 'GET', '/v1/tenants')).status, 'a valid key from the address still works').toBe(200);
  });
});
