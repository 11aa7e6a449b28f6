/**
 * A tenant's limits hold across Kamailio nodes (issue 10; docs/decisions/2026-12-02-kamailio-limits-across-nodes.md):
 * channels and messages per minute are counted in the PostgreSQL every node already shares, so a
 * tenant's calls and messages through two nodes add up to one limit; a limit changed through the API
 * applies to the next call at every node; a node that goes away gives its calls back when its lease
 * runs out. Runs in integration-postgres (two nodes on the platform's own database).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Highrise } from '@highrise/sdk';
import { channelRows, startEdge, type KamailioNode, type TestEdge } from './support/edges';
import { testStoreIsPostgres } from './support/postgres';
import { createNodePhone, sendMessage, withTimeout, type NodePhone } from './support/sip-node';

interface Tenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  password: (number: string) => string;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');

/**
 * `from` dials `number`, registered by `callee`: the final status, or `'rang'` when the callee's phone
 * rang (it then refuses with 486), so an admitted call shows as such instead of as a timeout.
 */
async function attempt(from: NodePhone, number: string, callee: NodePhone): Promise<number | 'rang'> {
  const before = callee.incoming.length;
  const call = from.call(number);
  let status: number | undefined;
  void call.outcome.then((s) => (status = s));
  const deadline = Date.now() + 6000;
  while (status === undefined && Date.now() < deadline) {
    if (callee.incoming.length > before) {
      await callee.incoming[before]!.reject(486);
      await withTimeout(call.outcome, 5000, 'no final answer after 486');
      return 'rang';
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  if (status === undefined) throw new Error(`no final answer to ${number}`);
  return status;
}

/** Messages are counted per wall-clock minute: a test that needs one minute waits out a minute about to turn. */
async function awayFromMinuteTurn() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8000) await new Promise((r) => setTimeout(r, left + 500));
}

/** The dialog module's shortest keepalive interval (Kamailio 5.6). */
const KEEPALIVE_SECONDS = 30;

describe.skipIf(!testStoreIsPostgres())('a tenant’s limits across two Kamailio nodes', () => {
  let edge: TestEdge;
  let nodeA: { wsUrl: string };
  let nodeB: KamailioNode;
  const phones: NodePhone[] = [];
  const extraNodes: KamailioNode[] = [];
  let tenants = 0;

  async function tenant(slug: string): Promise<Tenant> {
    const { created } = await edge.tp.createTenant(`${slug}-${++tenants}`, slug);
    const api = edge.tp.provider.tenant(created.tenant.id);
    const password = (number: string) => `pw-${slug}-${number}-limits`;
    for (const number of ['101', '102', '103', '104', '105', '106']) await api.extensions.create({ number, displayName: `${slug} ${number}`, sipPassword: password(number) });
    return { id: created.tenant.id, sipDomain: created.tenant.sipDomain, api, password };
  }

  async function phone(node: { wsUrl: string }, t: Tenant, number: string): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl: node.wsUrl, domain: t.sipDomain, number, password: t.password(number) });
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  }

  /** `from` calls `to` (both registered); answered. */
  async function answeredCall(from: NodePhone, to: NodePhone, number: string) {
    const call = from.call(number);
    const incoming = await to.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    return { call, incoming };
  }

  beforeAll(async () => {
    // One failed dialog keepalive ends a call (production: two), so a vanished party is found within the test.
    edge = await startEdge('kamailio', 'kamailio-limits', {}, ['--dialog-keepalive', String(KEEPALIVE_SECONDS), '--dialog-keepalive-failures', '1']);
    nodeA = { wsUrl: edge.wsUrl };
    nodeB = await edge.addKamailioNode();
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    if (context.task.result?.state === 'fail') {
      console.log(`--- kamailio A log ---\n${edge.log().slice(-12_000)}`);
      console.log(`--- kamailio B log ---\n${nodeB.kamailio.log().slice(-12_000)}`);
    }
    await Promise.all(extraNodes.splice(0).map((n) => n.stop()));
  });

  afterAll(async () => {
    await edge?.close();
  }, 30_000);

  it('holds a channel limit of 1 across nodes, and gives the channel back on BYE', async () => {
    const t = await tenant('chan');
    await t.api.update({ limits: { channels: 1 } });
    const [a101, a102, b103] = [await phone(nodeA, t, '101'), await phone(nodeA, t, '102'), await phone(nodeB, t, '103')];
    // Calls that are never answered give their channel back too: nobody registered, busy, cancelled.
    expect(await withTimeout(b103.call('105').outcome, 5000, 'no answer')).toBe(480);
    expect(await attempt(b103, '102', a102)).toBe('rang');
    const cancelled = a101.call('103');
    await b103.nextIncoming(5000);
    await cancelled.cancel();
    expect(await withTimeout(cancelled.outcome, 5000, 'no answer')).toBe(487);

    const first = await answeredCall(a101, a102, '102');
    // A call from a phone at the other node: the tenant's one channel is in use at node A.
    expect(await attempt(b103, '101', a101)).toBe(403);
    expect(invites(a101)).toEqual([]);

    await first.call.hangup();
    await withTimeout(first.incoming.ended, 5000, 'the BYE did not arrive');
    // The channel is free again, at node B too.
    const again = await answeredCall(b103, a101, '101');
    // And now node B holds it: node A refuses.
    expect(await attempt(a102, '103', b103)).toBe(403);
    await again.call.hangup();
    await withTimeout(again.incoming.ended, 5000, 'the BYE did not arrive');
    // Nothing is left counted: every call above, answered or not, gave its channel back.
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0));
  });

  it('lets exactly one of parallel INVITEs at both nodes through a channel limit of 1', async () => {
    const t = await tenant('racy');
    await t.api.update({ limits: { channels: 1 } });
    const callee = await phone(nodeA, t, '101');
    const callers = [await phone(nodeA, t, '102'), await phone(nodeA, t, '103'), await phone(nodeB, t, '104'), await phone(nodeB, t, '105'), await phone(nodeB, t, '106')];
    const calls = callers.map((p) => p.call('101'));
    const outcomes: number[] = [];
    for (const c of calls) void c.outcome.then((status) => outcomes.push(status));
    // The callee never answers: the call that got through rings until cancelled.
    await new Promise((r) => setTimeout(r, 3000));
    const through = invites(callee).length;
    for (const c of calls) await c.cancel().catch(() => {});
    expect({ through, refused: outcomes.filter((o) => o === 403).length }).toEqual({ through: 1, refused: callers.length - 1 });
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0));
  });

  it('holds a messages-per-minute limit across nodes', async () => {
    const t = await tenant('msgs');
    await t.api.update({ limits: { messagesPerMinute: 2 } });
    await awayFromMinuteTurn();
    const [a101, b102] = [await phone(nodeA, t, '101'), await phone(nodeB, t, '102')];
    expect(await sendMessage(a101, `sip:102@${t.sipDomain}`, 'one')).toBe(200);
    expect(await sendMessage(b102, `sip:101@${t.sipDomain}`, 'two')).toBe(200);
    // The third of the minute, at either node.
    expect(await sendMessage(b102, `sip:101@${t.sipDomain}`, 'three')).toBe(403);
    expect(await sendMessage(a101, `sip:102@${t.sipDomain}`, 'four')).toBe(403);
    expect(b102.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(1);
    expect(a101.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(1);

    // Raised through the API: the next message passes at both nodes.
    await t.api.update({ limits: { messagesPerMinute: 4 } });
    expect(await sendMessage(b102, `sip:101@${t.sipDomain}`, 'five')).toBe(200);
    expect(await sendMessage(a101, `sip:102@${t.sipDomain}`, 'six')).toBe(200);
  });

  it('applies a channel limit raised through the API on both nodes at once', async () => {
    const t = await tenant('raise');
    await t.api.update({ limits: { channels: 1 } });
    const [a101, a102, a103, b104, b105, b106] = [
      await phone(nodeA, t, '101'),
      await phone(nodeA, t, '102'),
      await phone(nodeA, t, '103'),
      await phone(nodeB, t, '104'),
      await phone(nodeB, t, '105'),
      await phone(nodeB, t, '106'),
    ];
    const calls = [await answeredCall(a101, b104, '104')];
    expect(await attempt(b105, '102', a102)).toBe(403);

    await t.api.update({ limits: { channels: 3 } });
    calls.push(await answeredCall(b105, a102, '102'));
    calls.push(await answeredCall(a103, b106, '106'));
    // Three in use across the two nodes: the fourth is refused at either.
    const spare = await phone(nodeB, t, '101');
    expect(await attempt(spare, '103', a103)).toBe(403);
    expect(await attempt(a102, '105', b105)).toBe(403);
    for (const { call, incoming } of calls) {
      await call.hangup();
      await withTimeout(incoming.ended, 5000, 'the BYE did not arrive');
    }
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0));
  });

  it('renews the leases of the calls a live node holds', async () => {
    const t = await tenant('lease');
    const [a101, b102] = [await phone(nodeA, t, '101'), await phone(nodeB, t, '102')];
    const { call, incoming } = await answeredCall(a101, b102, '102');
    const leaseOf = async () => {
      const client = new pg.Client({ connectionString: edge.databaseUrl });
      await client.connect();
      try {
        const rows = (await client.query('SELECT EXTRACT(EPOCH FROM lease_until) AS until FROM kamailio_channels WHERE tenant_id = $1', [t.id])).rows;
        expect(rows).toHaveLength(1);
        return Number(rows[0].until);
      } finally {
        await client.end();
      }
    };
    const first = await leaseOf();
    // The node's timer (every 10 s) moves it on while the call lasts: a call longer than the lease
    // (30 s) is still counted.
    await vi.waitFor(async () => expect(await leaseOf()).toBeGreaterThan(first), { timeout: 15_000, interval: 500 });
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not arrive');
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0));
  }, 30_000);

  // A party that vanishes without a BYE (tab closed, network gone) must not hold the tenant's channel
  // for the dialog's 12 h: the edge's keepalives find it gone, hang up the other party and give the
  // channel back. The caller vanishes (a phone of the node that admitted the call) on one call, the
  // callee (held at the other node) on another; a third call, both parties live, answers the same
  // keepalives and goes on.
  it('hangs up a call whose party vanished without a BYE, and gives its channel back; a live call answers the keepalives and goes on', async () => {
    const t = await tenant('gone');
    await t.api.update({ limits: { channels: 3 } });
    const [a101, a103, a105] = [await phone(nodeA, t, '101'), await phone(nodeA, t, '103'), await phone(nodeA, t, '105')];
    const [b102, b104, b106] = [await phone(nodeB, t, '102'), await phone(nodeB, t, '104'), await phone(nodeB, t, '106')];
    const callerGone = await answeredCall(a101, b102, '102');
    const calleeGone = await answeredCall(a103, b104, '104');
    const live = await answeredCall(a105, b106, '106');
    expect(await channelRows(edge, t.id)).toBe(3);

    a101.dropConnection();
    b104.dropConnection();
    const droppedAt = Date.now();
    // The first keepalive comes KEEPALIVE_SECONDS after the answer; unanswered for 5 s it fails, and
    // the dialog module ends the call 10 s later.
    const window = (KEEPALIVE_SECONDS + 5 + 10 + 10) * 1000;
    const endedAfter = (ended: Promise<void>) => ended.then(() => Date.now() - droppedAt);
    const [callerMs, calleeMs] = await withTimeout(Promise.all([endedAfter(callerGone.incoming.ended), endedAfter(calleeGone.call.ended)]), window, 'a survivor got no BYE');
    // The caller's socket closed at the node holding the dialog: ended at once, not by a keepalive.
    expect(callerMs).toBeLessThan(5000);
    console.log(`after the drop, the call whose caller vanished ended in ${callerMs} ms, the one whose callee (at the other node) vanished in ${calleeMs} ms (keepalive every ${KEEPALIVE_SECONDS} s, 1 failure)`);
    expect([b102, a103].map((p) => p.received.filter((r) => r.method === 'BYE').length)).toEqual([1, 1]);
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(1), { timeout: 2000, interval: 100 });

    // The live call got its keepalives on its own connections, answered them, and goes on.
    expect([a105, b106].map((p) => p.received.filter((r) => r.method === 'OPTIONS').length >= 1)).toEqual([true, true]);
    expect([a105, b106].map((p) => p.received.filter((r) => r.method === 'BYE').length)).toEqual([0, 0]);
    await live.call.hangup();
    await withTimeout(live.incoming.ended, 5000, 'the BYE did not arrive');
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0), { timeout: 2000, interval: 100 });
  }, 90_000);

  it('gives a stopped node’s calls back when its lease runs out', async () => {
    const t = await tenant('dies');
    await t.api.update({ limits: { channels: 1 } });
    const nodeC = await edge.addKamailioNode();
    extraNodes.push(nodeC);
    const [c101, c102, b103, b104] = [await phone(nodeC, t, '101'), await phone(nodeC, t, '102'), await phone(nodeB, t, '103'), await phone(nodeB, t, '104')];
    await answeredCall(c101, c102, '102');
    expect(await attempt(b103, '104', b104)).toBe(403);

    // The node goes away holding the call (Kamailio runs no dialog:end at shutdown): the channel is
    // still counted, until the node's lease on it runs out.
    await nodeC.stop();
    const stoppedAt = Date.now();
    expect(await channelRows(edge, t.id)).toBe(1);
    expect(await attempt(b103, '104', b104)).toBe(403);
    await vi.waitFor(async () => expect(await attempt(b103, '104', b104)).toBe('rang'), { timeout: 60_000, interval: 2000 });
    console.log(`a stopped node's channel came back after ${Date.now() - stoppedAt} ms`);
  }, 90_000);
});
