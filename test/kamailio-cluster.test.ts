/**
 * Two platform nodes and two Kamailio nodes on one PostgreSQL (issue 10, "Done when";
 * docs/decisions/2026-12-02-kamailio-platform-nodes.md). Each platform node is the built platform in
 * a process of its own (test/support/platform-process.ts), so it can die (SIGKILL) or hang (SIGSTOP);
 * each Kamailio node is rendered with both platform nodes (`--platform-url` twice: dispatcher.list)
 * and runs in its own process group, so it can die too. Phones are sip.js UAs
 * (test/support/sip-node.ts).
 *
 * Kamailio picks a platform node per call by a hash of the Call-ID, so a test that needs node 1 to
 * have been asked places calls until it was (seen in node 1's metrics, or in the Kamailio log when
 * node 1 cannot answer): at most MAX_CALLS, each of which has an even chance of going to node 1 first.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Highrise } from '@highrise/sdk';
import { startKamailioNode, type KamailioNode } from './support/edges';
import { startPlatformProcess, type PlatformProcess } from './support/platform-process';
import { createTestPostgresDatabase, testStoreIsPostgres, type TestPostgresDatabase } from './support/postgres';
import { createNodePhone, withTimeout, type NodePhone } from './support/sip-node';

const bootstrapKey = 'hr_test_bootstrap_kamailio_cluster_0001';
const metricsToken = 'metrics-token-kamailio-cluster-0001';
const MAX_CALLS = 12;

async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Tenant {
  id: string;
  sipDomain: string;
  password: (number: string) => string;
}

describe.runIf(testStoreIsPostgres())('two platform nodes and two Kamailio nodes on one PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestPostgresDatabase;
  let platform1: PlatformProcess;
  let platform2: PlatformProcess;
  let kamailio1: KamailioNode;
  let kamailio2: KamailioNode;
  let tenant: Tenant;
  const phones: NodePhone[] = [];

  const provider = (node: PlatformProcess) => new Highrise({ baseUrl: node.url, apiKey: bootstrapKey, maxRetries: 0 });

  /** Routing requests a platform node answered 200 so far (its operator metrics). */
  async function routesAnswered(node: PlatformProcess): Promise<number> {
    const response = await fetch(`${node.url}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).split('\n').filter((l) => l.startsWith('highrise_http_requests_total{') && l.includes('route="/internal/sip/route"') && l.includes('status="200"'));
    return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  async function phone(node: KamailioNode, number: string, failover: KamailioNode[] = []): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl: node.wsUrl, domain: tenant.sipDomain, number, password: tenant.password(number), failoverWsUrls: failover.map((n) => n.wsUrl) });
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  }

  /** Calls answered so far in this suite (all the tenant's): what its answered records must come to. */
  let answeredSoFar = 0;

  /** `caller` calls `number`, the callee answers, the caller hangs up; the time to the 200 OK. */
  async function answeredCall(caller: NodePhone, callee: NodePhone, number: string): Promise<number> {
    const started = Date.now();
    const call = caller.call(number);
    const incoming = await callee.nextIncoming(15_000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 15_000, 'no answer')).toBe(200);
    const setupMs = Date.now() - started;
    answeredSoFar++;
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not reach the callee');
    return setupMs;
  }

  /** Calls until `done()` (at most MAX_CALLS), every one answered; the setup times. */
  async function callUntil(caller: NodePhone, callee: NodePhone, number: string, done: () => Promise<boolean> | boolean): Promise<number[]> {
    const setups: number[] = [];
    while (setups.length < MAX_CALLS) {
      setups.push(await answeredCall(caller, callee, number));
      if (await done()) return setups;
    }
    throw new Error(`not done after ${MAX_CALLS} calls (setup times ${setups.join(', ')} ms)`);
  }

  const answeredRecords = async (node: PlatformProcess) =>
    (await provider(node).tenant(tenant.id).calls.list({ limit: 100 })).data.filter((c) => c.disposition === 'answered').length;

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    const options = { databaseUrl: database.url, bootstrapKey, metricsToken, audit: { key: 'k'.repeat(32) } };
    // Both at once: migrations and the bootstrap key run under the database's lock.
    [platform1, platform2] = await Promise.all([startPlatformProcess('cluster-1', options), startPlatformProcess('cluster-2', options)]);
    const platformUrls = [platform1.url, platform2.url];
    // Rendered one after the other: the first render writes the shared secrets, the second reads them.
    kamailio1 = await startKamailioNode(database.url, platformUrls, '127.0.0.1');
    kamailio2 = await startKamailioNode(database.url, platformUrls, '127.0.0.2');
  }, 90_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    if (context.task.result?.state === 'fail') {
      for (const [name, log] of [
        ['kamailio 1', kamailio1?.kamailio.log()],
        ['kamailio 2', kamailio2?.kamailio.log()],
        ['platform 1', platform1?.log()],
        ['platform 2', platform2?.log()],
      ] as const) {
        console.log(`--- ${name} log ---\n${(log ?? '').slice(-10_000)}`);
      }
    }
  });

  afterAll(async () => {
    await Promise.all([kamailio1?.stop(), kamailio2?.stop()]);
    await Promise.all([platform1?.stop(), platform2?.stop()]);
    await database?.drop();
  }, 30_000);

  it('a tenant created through platform node 2 takes calls at once, routed by node 1 as well', async () => {
    const before = await routesAnswered(platform1);
    const api = provider(platform2);
    const { tenant: created } = await api.tenants.create({ name: 'Acme', slug: 'acme-cluster' });
    tenant = { id: created.id, sipDomain: created.sipDomain, password: (n) => `pw-cluster-${n}` };
    for (const number of ['101', '102']) await api.tenant(created.id).extensions.create({ number, displayName: `Acme ${number}`, sipPassword: tenant.password(number) });

    // At once: no wait between the API's answer and the first REGISTER and call.
    const a101 = await phone(kamailio1, '101');
    const a102 = await phone(kamailio2, '102');
    const setups = await callUntil(a102, a101, '101', async () => (await routesAnswered(platform1)) > before);
    // Every call's record reached a platform node, and either node reads them.
    expect(answeredSoFar).toBe(setups.length);
    await vi.waitFor(async () => expect(await answeredRecords(platform1)).toBe(answeredSoFar), { timeout: 10_000, interval: 200 });
  });

  it('routes calls through platform node 2 while node 1 hangs (SIGSTOP), and takes node 1 back when it answers again', async () => {
    const a101 = await phone(kamailio1, '101');
    const a102 = await phone(kamailio2, '102');
    const answeredBefore = await routesAnswered(platform1);
    const logFrom = kamailio2.kamailio.log().length;
    const timedOut = () => kamailio2.kamailio.log().slice(logFrom).split('platform node 1 did not answer').length - 1;
    const hung = () => timedOut() > 0;
    platform1.pause();
    let setups: number[];
    try {
      setups = await callUntil(a102, a101, '101', hung);
    } finally {
      platform1.resume();
    }
    // The call that met the hung node waited out its 2 s timeout once; the node was skipped after that.
    console.log(`setup times with platform node 1 hung: ${setups.join(', ')} ms`);
    expect(Math.max(...setups)).toBeLessThan(8000);
    await vi.waitFor(async () => expect(await answeredRecords(platform2)).toBe(answeredSoFar), { timeout: 10_000, interval: 200 });

    // Skipped for 10 s, not for good: node 1 answers routing requests again. The requests that timed
    // out sat in node 1's accept queue and are answered (and counted) on SIGCONT, though Kamailio
    // gave up on them and still skips the node: only an answer beyond those is a fresh one.
    const before = answeredBefore + timedOut();
    const resumedAt = Date.now();
    await vi.waitFor(
      async () => {
        await answeredCall(a102, a101, '101');
        expect(await routesAnswered(platform1)).toBeGreaterThan(before);
      },
      { timeout: 40_000, interval: 500 },
    );
    console.log(`platform node 1 back in rotation ${Date.now() - resumedAt} ms after SIGCONT`);
  });

  it('routes calls and keeps their records through platform node 2 when node 1 dies (SIGKILL)', async () => {
    const a101 = await phone(kamailio1, '101');
    const a102 = await phone(kamailio2, '102');
    // Against the suite's total: a count read here could miss the previous test's last record, still
    // in the outbox (drained every 250 ms), and expect one too few.
    const logFrom = kamailio2.kamailio.log().length;
    await platform1.kill();
    const setups = await callUntil(a102, a101, '101', () => kamailio2.kamailio.log().slice(logFrom).includes('platform node 1 did not answer'));
    console.log(`setup times with platform node 1 dead: ${setups.join(', ')} ms`);
    expect(setups.length).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await answeredRecords(platform2)).toBe(answeredSoFar), { timeout: 10_000, interval: 200 });
  });

  it('tries a node marked down when no other is left: the only live node, hung once, answers the next call at once', async () => {
    // Node 1 is dead (above); node 2 hangs for one call, which ends 503 (no node answered).
    const a101 = await phone(kamailio1, '101');
    const a102 = await phone(kamailio2, '102');
    platform2.pause();
    let hungOutcome: number;
    try {
      hungOutcome = await withTimeout(a102.call('101').outcome, 15_000, 'no final answer');
    } finally {
      platform2.resume();
    }
    expect(hungOutcome).toBe(503);
    // Both nodes are marked down now; without the last-resort pass this call would be 503 for 10 s.
    const started = Date.now();
    await answeredCall(a102, a101, '101');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a phone whose Kamailio node dies re-registers at the other node within 10 s and is reached there', async () => {
    const a101 = await phone(kamailio1, '101', [kamailio2]);
    const a102 = await phone(kamailio2, '102');
    const failover = a101.nextFailover(10_000);
    const killedAt = Date.now();
    await kamailio1.kamailio.kill();
    const { wsUrl, registeredAt } = await failover;
    const reregisterMs = registeredAt - killedAt;
    console.log(`re-registered at Kamailio node 2 ${reregisterMs} ms after node 1 was killed`);
    expect(wsUrl).toBe(kamailio2.wsUrl);
    expect(reregisterMs).toBeLessThan(10_000);
    // One binding, through node 2 now: nothing left that routes through the dead node.
    const bindings = await onDatabase(database.url, (client) => client.query<{ path: string }>("SELECT path FROM location WHERE username = '101'"));
    expect(bindings.rows.map((r) => new URL(r.path.replace(/^<sip:/, 'http://').replace(/;.*$/, '')).hostname)).toEqual(['127.0.0.2']);
    await answeredCall(a102, a101, '101');
  });
});
