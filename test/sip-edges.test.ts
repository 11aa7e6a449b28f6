/**
 * The SIP suites against both edges with the same code (issue 10): registration and "two tenants
 * both own 101", dial plans, ring groups, trunks, channel and message limits, and the attacks on the
 * wall (a forged in-dialog BYE into another tenant's dialog; cross-domain INVITE, MESSAGE, REFER and
 * REGISTER). `edgeKinds()` runs the embedded edge everywhere and Kamailio in integration-postgres.
 * Where an expectation differs by edge it says so, and why, next to it; a tenancy difference never does.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Highrise, TrunkWithPassword } from '@highrise/sdk';
import { edgeKinds, startEdge, type TestEdge } from './support/edges';
import { createNodePhone, digestAuthorization, sendMessage, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';

interface Tenant {
  id: string;
  slug: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  password: (number: string) => string;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');
const requestUriOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n')).split(' ')[1]!;

/** Every response frame a phone receives, to read a Reason header. */
function capture(p: NodePhone): string[] {
  const raw: string[] = [];
  const deliver = p.userAgent.transport.onMessage;
  p.userAgent.transport.onMessage = (message: string) => {
    if (message.startsWith('SIP/2.0')) raw.push(message);
    deliver?.(message);
  };
  return raw;
}

/**
 * Sends `frame` on a raw socket and answers a digest challenge once with `credentials` (a phone
 * would): the final status. Kamailio challenges every request; the embedded edge may answer at once.
 */
async function authenticated(raw: RawSip, frame: string, credentials: { username: string; password: string }): Promise<string | undefined> {
  const callId = headerOf(frame, 'Call-ID');
  const final = (f: string) => (statusOf(f) ?? 0) >= 200 && headerOf(f, 'Call-ID') === callId;
  raw.send(frame);
  const first = await raw.next(final);
  const status = statusOf(first);
  if (status !== 401 && status !== 407) return first;
  const [method, uri] = frame.slice(0, frame.indexOf('\r\n')).split(' ') as [string, string];
  const challenge = headerOf(first, status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate')!;
  const auth = digestAuthorization(challenge, { ...credentials, method, uri }, status === 401 ? 'Authorization' : 'Proxy-Authorization');
  const retry = frame
    .replace(/^CSeq: (\d+) /m, (_, n: string) => `CSeq: ${Number(n) + 1} `)
    .replace(/branch=[^;\s]+/, `branch=z9hG4bK${randomBytes(6).toString('hex')}`)
    .replace(/^Content-Length:/m, `${auth}\r\nContent-Length:`);
  raw.send(retry);
  return raw.next(final);
}

describe.each(edgeKinds())('SIP through the %s edge', (kind) => {
  let edge: TestEdge;
  const phones: NodePhone[] = [];
  const raws: RawSip[] = [];
  let acme: Tenant;
  let globex: Tenant;
  let tenants = 0;
  let dids = 0;

  async function tenant(slug: string): Promise<Tenant> {
    const { created } = await edge.tp.createTenant(`${slug}-${++tenants}`, slug);
    const api = edge.tp.provider.tenant(created.tenant.id);
    const password = (number: string) => `pw-${slug}-${number}-edges`;
    for (const number of ['101', '102', '103']) await api.extensions.create({ number, displayName: `${slug} ${number}`, sipPassword: password(number) });
    return { id: created.tenant.id, slug, sipDomain: created.tenant.sipDomain, api, password };
  }

  async function unregistered(t: Tenant, number: string, password = t.password(number), domain = t.sipDomain): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl: edge.wsUrl, domain, number, password });
    phones.push(p);
    await p.start();
    return p;
  }

  async function phone(t: Tenant, number: string): Promise<NodePhone> {
    const p = await unregistered(t, number);
    await p.register();
    return p;
  }

  async function rejection(promise: Promise<unknown>): Promise<number | undefined> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return (error as { status?: number } | undefined)?.status;
  }

  async function raw(): Promise<RawSip> {
    const r = await openRawSip(edge.wsUrl);
    raws.push(r);
    return r;
  }

  beforeAll(async () => {
    edge = await startEdge(kind, `sip-edges-${kind}`);
    acme = await tenant('acme');
    globex = await tenant('globex');
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    await Promise.all(raws.splice(0).map((r) => r.close()));
    if (context.task.result?.state === 'fail' && edge?.log()) console.log(`--- kamailio log (last 20,000 characters) ---\n${edge.log().slice(-20_000)}`);
  });

  afterAll(async () => {
    await edge?.close();
  }, 30_000);

  describe('registration and the two 101s', () => {
    it("registers each tenant's 101 in its own domain, and refuses a credential outside it like an unknown extension", async () => {
      await phone(acme, '101');
      await phone(globex, '101');
      expect(await rejection((await unregistered(acme, '101', 'wrong-password-1')).register())).toBe(403);
      // Acme's 103 password is valid only in Acme's realm; Globex's 103 is someone else.
      expect(await rejection((await unregistered(globex, '103', acme.password('103'))).register())).toBe(403);
      expect(await rejection((await unregistered(globex, '999', acme.password('103'))).register())).toBe(403);
      // Nothing got registered as Globex 103.
      const caller = await phone(globex, '102');
      expect(await withTimeout(caller.call('103').outcome, 5000, 'no answer')).toBe(480);
    });

    it('puts Acme 102 through to Acme 101 and Globex 102 to Globex 101: each call rings its own tenant only', async () => {
      const [a101, a102, g101, g102] = [await phone(acme, '101'), await phone(acme, '102'), await phone(globex, '101'), await phone(globex, '102')];
      const call = a102.call('101');
      const incoming = await a101.nextIncoming(5000);
      await incoming.answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      // The callee hangs up, through the Record-Route.
      await incoming.hangup();
      await withTimeout(call.ended, 5000, 'the BYE did not reach the caller');
      expect(invites(g101)).toEqual([]);

      const theirs = g102.call('101');
      const theirIncoming = await g101.nextIncoming(5000);
      await theirIncoming.reject(486);
      expect(await withTimeout(theirs.outcome, 5000, 'no answer')).toBe(486);
      expect(invites(a101)).toHaveLength(1);
    });

    it("refuses an INVITE to 101 at the other tenant's domain, and answers 480 and 404 inside the tenant", async () => {
      const [a102, g101] = [await phone(acme, '102'), await phone(globex, '101')];
      expect(await withTimeout(a102.call(`sip:101@${globex.sipDomain}`).outcome, 5000, 'no answer')).toBe(403);
      expect(await withTimeout(a102.call('103').outcome, 5000, 'no answer')).toBe(480);
      expect(await withTimeout(a102.call('4242').outcome, 5000, 'no answer')).toBe(404);
      expect(invites(g101)).toEqual([]);
    });
  });

  describe('dial plans, ring groups and trunks', () => {
    it("routes the same pattern in two tenants to each tenant's own target", async () => {
      const [a, g] = [await tenant('rules-a'), await tenant('rules-g')];
      await a.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '102' } });
      await g.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '103' } });
      const [a101, a102, a103, g101, g102, g103] = [await phone(a, '101'), await phone(a, '102'), await phone(a, '103'), await phone(g, '101'), await phone(g, '102'), await phone(g, '103')];
      const call = a101.call('555');
      await (await a102.nextIncoming(5000)).answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      await call.hangup();
      const theirs = g101.call('555');
      await (await g103.nextIncoming(5000)).reject(486);
      expect(await withTimeout(theirs.outcome, 5000, 'no answer')).toBe(486);
      expect([invites(a103), invites(g102)]).toEqual([[], []]);
    });

    it("answers a reject rule with its status and Reason", async () => {
      const t = await tenant('reject');
      await t.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'premium numbers barred' } });
      const caller = await phone(t, '101');
      const frames = capture(caller);
      expect(await withTimeout(caller.call('777').outcome, 5000, 'no answer')).toBe(403);
      expect(headerOf(frames.find((f) => f.startsWith('SIP/2.0 403'))!, 'Reason')).toBe('SIP;cause=403;text="premium numbers barred"');
    });

    it('forks a simultaneous ring group to every member in the tenant, and cancels the rest on the answer', async () => {
      const t = await tenant('group');
      await t.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
      const [m101, m102, m103, g102] = [await phone(t, '101'), await phone(t, '102'), await phone(t, '103'), await phone(globex, '102')];
      const call = m101.call('600');
      const [ringing102, ringing103] = await Promise.all([m102.nextIncoming(5000), m103.nextIncoming(5000)]);
      await ringing103.answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      await withTimeout(ringing102.ended, 5000, 'the other branch was not cancelled');
      await call.hangup();
      await withTimeout(ringing103.ended, 5000, 'no BYE');
      expect(invites(g102)).toEqual([]);
    });

    it("sends a call out on the tenant's trunk with the rule's digits and the tenant's DID as caller id, and takes the carrier's call to a DID", async () => {
      const t = await tenant('trunk');
      const own = `+1415555${String(400 + ++dids).padStart(4, '0')}`;
      await edge.tp.provider.numbers.create({ number: own });
      const assigned = await t.api.numbers.assign({ number: own });
      // The caller id of an outbound call is the DID routed to the calling extension.
      await t.api.numbers.update(assigned.id, { routing: { type: 'extension', target: '101' } });
      const trunk: TrunkWithPassword = await t.api.trunks.create({ name: 'Carrier' });
      await t.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
      // The carrier: a UA registered with the trunk's credentials; it answers any number it is sent.
      const carrier = createNodePhone({ wsUrl: edge.wsUrl, domain: trunk.realm, number: trunk.username, password: trunk.password });
      const sent: string[] = [];
      const deliver = carrier.userAgent.transport.onMessage;
      carrier.userAgent.transport.onMessage = (message: string) => {
        if (!message.startsWith('INVITE ')) return deliver?.(message);
        sent.push(message);
        deliver?.(message.replace(/^INVITE sip:[^@\s]+@/, `INVITE sip:${trunk.username}@`));
      };
      phones.push(carrier);
      await carrier.start();
      await carrier.register();
      const m101 = await phone(t, '101');

      const out = m101.call('94155550123');
      const atCarrier = await carrier.nextIncoming(5000);
      expect(requestUriOf(sent[0]!)).toMatch(/^sip:\+14155550123@/);
      expect(headerOf(sent[0]!, 'From')).toContain(`<sip:${own}@${t.sipDomain}>`);
      await atCarrier.answer();
      expect(await withTimeout(out.outcome, 5000, 'no answer')).toBe(200);
      await out.hangup();
      await withTimeout(atCarrier.ended, 5000, 'the BYE did not reach the carrier');

      const inbound = carrier.call(`sip:${own}@${t.sipDomain}`, { params: { fromUri: `sip:+16505550199@${t.sipDomain}` } });
      const atExtension = await m101.nextIncoming(5000);
      await atExtension.answer();
      expect(await withTimeout(inbound.outcome, 5000, 'no answer')).toBe(200);
      await inbound.hangup();
      await withTimeout(atExtension.ended, 5000, 'the BYE did not reach the extension');
      await vi.waitFor(
        async () => expect((await t.api.calls.list({ limit: 100 })).data.find((c) => c.to === own)).toMatchObject({ from: '+16505550199', direction: 'inbound', disposition: 'answered' }),
        { timeout: 5000, interval: 200 },
      );

      // The trunk reaches its own tenant's DIDs only: Globex's number is unknown here.
      const foreign = `+1415555${String(400 + ++dids).padStart(4, '0')}`;
      await edge.tp.provider.numbers.create({ number: foreign });
      const theirs = await globex.api.numbers.assign({ number: foreign });
      await globex.api.numbers.update(theirs.id, { routing: { type: 'extension', target: '101' } });
      const g101 = await phone(globex, '101');
      const crossing = carrier.call(`sip:${foreign}@${t.sipDomain}`, { params: { fromUri: `sip:+16505550199@${t.sipDomain}` } });
      expect(await withTimeout(crossing.outcome, 5000, 'no answer')).toBe(404);
      expect(invites(g101)).toEqual([]);
    });
  });

  describe('limits', () => {
    it('holds a tenant to its channel limit, per tenant, and gives the channel back on BYE', async () => {
      const t = await tenant('channels');
      await edge.tp.provider.tenant(t.id).update({ limits: { channels: 1 } });
      const [m101, m102, m103, g101, g102] = [await phone(t, '101'), await phone(t, '102'), await phone(t, '103'), await phone(globex, '101'), await phone(globex, '102')];
      const first = m101.call('102');
      const answered = await m102.nextIncoming(5000);
      await answered.answer();
      expect(await withTimeout(first.outcome, 5000, 'no answer')).toBe(200);

      const frames = capture(m103);
      expect(await withTimeout(m103.call('101').outcome, 5000, 'no answer')).toBe(403);
      // The embedded edge names the limit in a Reason header; Kamailio's template refuses with a plain
      // 403 (the status is the contract, the phrase is the embedded edge's own).
      const reason = headerOf(frames.find((f) => f.startsWith('SIP/2.0 403'))!, 'Reason');
      if (kind === 'embedded') expect(reason).toBe('SIP;cause=403;text="channel limit reached (1)"');
      expect(invites(m101)).toEqual([]);

      // Another tenant at its own limit is not held back.
      const theirs = g101.call('102');
      await (await g102.nextIncoming(5000)).reject(486);
      expect(await withTimeout(theirs.outcome, 5000, 'no answer')).toBe(486);

      await first.hangup();
      await withTimeout(answered.ended, 5000, 'the BYE did not arrive');
      const again = m103.call('101');
      await (await m101.nextIncoming(5000)).reject(486);
      expect(await withTimeout(again.outcome, 5000, 'no answer')).toBe(486);
    });

    it('holds a tenant to its messages per minute, and delivers inside the tenant only', async () => {
      const t = await tenant('messages');
      await edge.tp.provider.tenant(t.id).update({ limits: { messagesPerMinute: 2 } });
      const [m101, m102, g102] = [await phone(t, '101'), await phone(t, '102'), await phone(globex, '102')];
      expect(await sendMessage(m101, `sip:102@${globex.sipDomain}`, 'across')).toBe(403);
      expect(await sendMessage(m101, `sip:102@${t.sipDomain}`, 'one')).toBe(200);
      expect(await sendMessage(m101, `sip:102@${t.sipDomain}`, 'two')).toBe(200);
      expect(await sendMessage(m101, `sip:102@${t.sipDomain}`, 'three')).toBe(403);
      expect(m102.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(2);
      expect(g102.received).toEqual([]);
    });
  });

  describe('attacks on the wall', () => {
    it("refuses a forged in-dialog BYE sent from another tenant's connection, and the call goes on", async () => {
      const [a101, a102] = [await phone(acme, '101'), await phone(acme, '102')];
      const attacker = await raw();
      const credentials = { username: '102', password: globex.password('102') };
      const registered = await authenticated(attacker, rawRequest({ method: 'REGISTER', uri: `sip:${globex.sipDomain}`, from: `sip:102@${globex.sipDomain}`, to: `sip:102@${globex.sipDomain}`, headers: ['Contact: <sip:attacker@raw.invalid;transport=ws>', 'Expires: 60'] }), credentials);
      expect(statusOf(registered!)).toBe(200);

      const call = a102.call('101');
      const incoming = await a101.nextIncoming(5000);
      await incoming.answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      await vi.waitFor(() => expect(a101.received.map((r) => r.method)).toContain('ACK'));

      // Everything the caller's BYE carries (Call-ID, tags, Route set), sent from Globex 102's connection.
      const invite = invites(a101).at(-1)!.raw;
      const dialog = call.inviter.dialog!;
      const routes = invite.split('\r\n').filter((line) => /^Record-Route:/i.test(line)).map((line) => line.replace(/^Record-Route:/i, 'Route:'));
      const forged = rawRequest({ method: 'BYE', uri: dialog.remoteTarget.toString(), from: 'x', to: 'x', callId: dialog.callId, cseq: 99, headers: routes })
        .replace(/^From: .*$/m, `From: ${headerOf(invite, 'From')}`)
        .replace(/^To: .*$/m, `To: <sip:101@${acme.sipDomain}>;tag=${dialog.remoteTag}`);
      const answer = await authenticated(attacker, forged, credentials);
      // The same answer as for a dialog that does not exist: no oracle for a live Call-ID.
      expect(statusOf(answer!)).toBe(481);
      await new Promise((r) => setTimeout(r, 300));
      expect(a101.received.filter((r) => r.method === 'BYE')).toEqual([]);

      await call.hangup();
      await withTimeout(incoming.ended, 5000, "the callee's session did not end on the real BYE");
    });

    // Out of dialog, the embedded edge does not implement REFER at all (405); Kamailio relays REFER
    // inside a tenant and refuses it across the wall (403). Either way alike for Globex and for nothing.
    const refused = { INVITE: 403, MESSAGE: 403, REFER: kind === 'embedded' ? 405 : 403, REGISTER: 403 } as const;
    it.each(Object.entries(refused))("refuses an authenticated Acme phone's %s toward Globex (%i), exactly as toward an unknown domain, and reaches nobody", async (method, status) => {
      const g101 = await phone(globex, '101');
      const attacker = await raw();
      const credentials = { username: '102', password: acme.password('102') };
      const answers: string[] = [];
      for (const domain of [globex.sipDomain, 'nowhere.sip.localhost']) {
        // REGISTER binds an AOR in the other domain (From = To there); the rest come from Acme 102.
        const from = method === 'REGISTER' ? `sip:102@${domain}` : `sip:102@${acme.sipDomain}`;
        const frame = rawRequest({
          method,
          uri: method === 'REGISTER' ? `sip:${domain}` : `sip:101@${domain}`,
          from,
          to: method === 'REGISTER' ? `sip:102@${domain}` : `sip:101@${domain}`,
          headers: ['Contact: <sip:attacker@raw.invalid;transport=ws>', ...(method === 'REFER' ? [`Refer-To: <sip:102@${domain}>`] : [])],
        });
        answers.push((await authenticated(attacker, frame, credentials))!);
      }
      expect(answers.map((a) => statusOf(a))).toEqual([status, status]);
      await new Promise((r) => setTimeout(r, 200));
      expect(g101.received).toEqual([]);
    });
  });
});
