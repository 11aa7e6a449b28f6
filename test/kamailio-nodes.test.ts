/**
 * Two Kamailio nodes on one PostgreSQL (issue 10): registrations live in the database (usrloc
 * db_mode 3, docs/decisions/2026-12-01-kamailio-edge.md), and a WebSocket phone's connection lives on
 * the node it registered at, so a call from the other node goes through that node (Path). The wall
 * holds across nodes: a BYE forged from another tenant's connection is refused at either node.
 * Runs in `integration` on its own database (like test/kamailio.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Highrise } from '@highrise/sdk';
import { channelRows, startEdge, type KamailioNode, type TestEdge } from './support/edges';
import { createNodePhone, digestAuthorization, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';

interface Tenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  password: (number: string) => string;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');

describe('two Kamailio nodes on one database', () => {
  let edge: TestEdge;
  let nodeA: KamailioNode;
  let nodeB: KamailioNode;
  const phones: NodePhone[] = [];
  const raws: RawSip[] = [];
  let acme: Tenant;
  let globex: Tenant;

  async function tenant(slug: string): Promise<Tenant> {
    const { created } = await edge.tp.createTenant(slug, slug);
    const api = edge.tp.provider.tenant(created.tenant.id);
    const password = (number: string) => `pw-${slug}-${number}-nodes`;
    for (const number of ['101', '102', '103']) await api.extensions.create({ number, displayName: `${slug} ${number}`, sipPassword: password(number) });
    return { id: created.tenant.id, sipDomain: created.tenant.sipDomain, api, password };
  }

  async function phone(node: KamailioNode, t: Tenant, number: string): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl: node.wsUrl, domain: t.sipDomain, number, password: t.password(number) });
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  }

  beforeAll(async () => {
    edge = await startEdge('kamailio', 'kamailio-nodes');
    nodeA = { wsUrl: edge.wsUrl, kamailio: undefined as never, stop: async () => {} };
    nodeB = await edge.addKamailioNode();
    acme = await tenant('acme');
    globex = await tenant('globex');
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    await Promise.all(raws.splice(0).map((r) => r.close()));
    if (context.task.result?.state === 'fail') {
      console.log(`--- kamailio A log ---\n${edge.log().slice(-15_000)}`);
      console.log(`--- kamailio B log ---\n${nodeB.kamailio.log().slice(-15_000)}`);
    }
  });

  afterAll(async () => {
    await edge?.close();
  }, 30_000);

  /** Acme 102 at node B calls Acme 101 registered at node A; answered. */
  async function callAcrossNodes() {
    const a101 = await phone(nodeA, acme, '101');
    const a102 = await phone(nodeB, acme, '102');
    const call = a102.call('101');
    const incoming = await a101.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await vi.waitFor(() => expect(a101.received.map((r) => r.method)).toContain('ACK'));
    return { a101, a102, call, incoming };
  }

  it('reaches a phone registered at node A from a caller at node B, and either side hangs up', async () => {
    const { a101, a102, call, incoming } = await callAcrossNodes();
    // What the nodes tell each other (the node token, the Path) never reaches a phone.
    for (const request of a101.received) expect(request.raw).not.toMatch(/hrnode|X-Highrise-Node/i);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the caller’s BYE did not reach the callee');

    // The other way round, the callee at node A hangs up.
    const again = a102.call('101');
    const second = await a101.nextIncoming(5000);
    await second.answer();
    expect(await withTimeout(again.outcome, 5000, 'no answer')).toBe(200);
    await second.hangup();
    await withTimeout(again.ended, 5000, 'the callee’s BYE did not reach the caller');
  });

  it("refuses a BYE forged from another tenant's connection at either node, and the call goes on", async () => {
    const { a101, call, incoming } = await callAcrossNodes();
    const dialog = call.inviter.dialog!;
    const invite = invites(a101).at(-1)!.raw;
    // The caller's route set: both nodes' Record-Routes, in the order the callee got them.
    const routes = invite.split('\r\n').filter((line) => /^Record-Route:/i.test(line)).map((line) => line.replace(/^Record-Route:/i, 'Route:'));
    for (const node of [nodeB, nodeA]) {
      const attacker = await openRawSip(node.wsUrl);
      raws.push(attacker);
      const forged = rawRequest({ method: 'BYE', uri: dialog.remoteTarget.toString(), from: 'x', to: 'x', callId: dialog.callId, cseq: 99, headers: routes })
        .replace(/^From: .*$/m, `From: ${headerOf(invite, 'From')}`)
        .replace(/^To: .*$/m, `To: <sip:101@${acme.sipDomain}>;tag=${dialog.remoteTag}`);
      attacker.send(forged);
      let answer = await attacker.next((f) => headerOf(f, 'CSeq') === '99 BYE' && (statusOf(f) ?? 0) >= 200);
      if (statusOf(answer) === 407 || statusOf(answer) === 401) {
        // Answer a challenge as Globex 102 would: an authenticated attacker.
        const challenge = headerOf(answer, statusOf(answer) === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate')!;
        const auth = digestAuthorization(challenge, { username: '102', password: globex.password('102'), method: 'BYE', uri: dialog.remoteTarget.toString() }, 'Proxy-Authorization');
        attacker.send(forged.replace('CSeq: 99 BYE', 'CSeq: 100 BYE').replace(/^Content-Length:/m, `${auth}\r\nContent-Length:`));
        answer = await attacker.next((f) => headerOf(f, 'CSeq') === '100 BYE' && (statusOf(f) ?? 0) >= 200);
      }
      expect(statusOf(answer)).toBe(481);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(a101.received.filter((r) => r.method === 'BYE')).toEqual([]);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the real BYE did not end the call');
  });

  it('treats a phone claiming to be a node as a phone: challenged, and nothing reaches the callee', async () => {
    const a101 = await phone(nodeA, acme, '101');
    const raw = await openRawSip(nodeA.wsUrl);
    raws.push(raw);
    const frame = rawRequest({
      method: 'INVITE',
      uri: `sip:101@${acme.sipDomain}`,
      from: `sip:102@${acme.sipDomain}`,
      to: `sip:101@${acme.sipDomain}`,
      headers: ['Contact: <sip:x@raw.invalid;transport=ws>', 'X-Highrise-Node: forged-token sip:127.0.0.9:5060;transport=tcp', `Route: <sip:${new URL(nodeA.wsUrl).host};transport=tcp;lr;hrnode=forged-token>`],
    });
    raw.send(frame);
    const answer = await raw.next((f) => (statusOf(f) ?? 0) >= 200);
    expect(statusOf(answer)).toBe(407);
    await new Promise((r) => setTimeout(r, 200));
    expect(invites(a101)).toEqual([]);
  });

  it('keeps tenants apart across nodes: Globex at node B never reaches Acme 101 at node A', async () => {
    const a101 = await phone(nodeA, acme, '101');
    const g102 = await phone(nodeB, globex, '102');
    expect(await withTimeout(g102.call(`sip:101@${acme.sipDomain}`).outcome, 5000, 'no answer')).toBe(403);
    // Globex's own 101 is not registered anywhere.
    expect(await withTimeout(g102.call('101').outcome, 5000, 'no answer')).toBe(480);
    expect(invites(a101)).toEqual([]);
  });

  // Both branches of a fork through node A carry the caller's one Call-ID and From-tag: node A must
  // take each of them, not refuse the second as an INVITE reusing a live dialog (issue 10).
  it('rings both phones of an extension registered twice at node A from a caller at node B; one answers, the other is cancelled', async () => {
    const first = await phone(nodeA, acme, '101');
    const second = await phone(nodeA, acme, '101');
    const caller = await phone(nodeB, acme, '102');
    const call = caller.call('101');
    const [ringing1, ringing2] = await Promise.all([first.nextIncoming(5000), second.nextIncoming(5000)]);
    await ringing2.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await withTimeout(ringing1.ended, 5000, 'the other branch was not cancelled');
    expect(first.received.map((r) => r.method)).toContain('CANCEL');
    await vi.waitFor(() => expect(second.received.map((r) => r.method)).toContain('ACK'));
    // One call, one channel: node B counts it, node A (which only relays) does not count it again.
    expect(await channelRows(edge, acme.id)).toBe(1);
    // The cancelled branch left the dialog's parties at node A in place: the caller's BYE passes.
    await call.hangup();
    await withTimeout(ringing2.ended, 5000, 'the caller’s BYE did not reach the callee');
    await vi.waitFor(async () => expect(await channelRows(edge, acme.id)).toBe(0));
    expect(first.received.filter((r) => r.method === 'BYE')).toEqual([]);
  });

  it('forks a ring group whose members are both at node A: one refuses, the other answers later and hangs up', async () => {
    await acme.api.ringGroups.create({ number: '600', name: 'Both at A', strategy: 'simultaneous', members: ['101', '103'] });
    const a101 = await phone(nodeA, acme, '101');
    const a103 = await phone(nodeA, acme, '103');
    const caller = await phone(nodeB, acme, '102');
    const call = caller.call('600');
    const [ringing101, ringing103] = await Promise.all([a101.nextIncoming(5000), a103.nextIncoming(5000)]);
    // 101 refuses while 103 still rings: the call goes on, and 103's answer is the dialog's.
    await ringing101.reject(486);
    await new Promise((r) => setTimeout(r, 300));
    await ringing103.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    expect(await channelRows(edge, acme.id)).toBe(1);
    // The callee hangs up: its BYE passes node A, where 101's failed branch left the parties alone.
    await ringing103.hangup();
    await withTimeout(call.ended, 5000, 'the callee’s BYE did not reach the caller');
    await vi.waitFor(async () => expect(await channelRows(edge, acme.id)).toBe(0));
  });

  it('still refuses a forged BYE into a forked call at node A, from a phone of the same extension that did not answer', async () => {
    const first = await phone(nodeA, acme, '101');
    const second = await phone(nodeA, acme, '101');
    const caller = await phone(nodeB, acme, '102');
    const call = caller.call('101');
    const [ringing1, ringing2] = await Promise.all([first.nextIncoming(5000), second.nextIncoming(5000)]);
    await ringing1.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await withTimeout(ringing2.ended, 5000, 'the other branch was not cancelled');
    const dialog = call.inviter.dialog!;
    const invite = invites(second).at(-1)!.raw;
    const routes = invite.split('\r\n').filter((line) => /^Record-Route:/i.test(line)).map((line) => line.replace(/^Record-Route:/i, 'Route:'));
    // A raw socket at node A sends the answered callee's BYE toward the caller.
    const attacker = await openRawSip(nodeA.wsUrl);
    raws.push(attacker);
    const forged = rawRequest({ method: 'BYE', uri: dialog.remoteTarget.toString(), from: 'x', to: 'x', callId: dialog.callId, cseq: 99, headers: routes })
      .replace(/^From: .*$/m, `From: <sip:101@${acme.sipDomain}>;tag=${dialog.remoteTag}`)
      .replace(/^To: .*$/m, `To: ${headerOf(invite, 'From')}`);
    attacker.send(forged);
    expect(statusOf(await attacker.next((f) => headerOf(f, 'CSeq') === '99 BYE' && (statusOf(f) ?? 0) >= 200))).toBe(481);
    await new Promise((r) => setTimeout(r, 300));
    expect(caller.received.filter((r) => r.method === 'BYE')).toEqual([]);
    await call.hangup();
    await withTimeout(ringing1.ended, 5000, 'the real BYE did not end the call');
  });
});
