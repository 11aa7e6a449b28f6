/**
 * Credential changes reaching phones already registered through Kamailio (issue 10; house rule:
 * "every credential change must reach open sockets"). The embedded edge drops what a changed
 * credential gave open sockets at once (test/sip-credentials.test.ts); Kamailio reads the directory
 * per request, so a phone's next request is refused anyway, but its binding in `location` (usrloc
 * db_mode 3) outlives the change unless the platform removes it: a colleague's call, a carrier's
 * DID call or a MESSAGE would still reach the old phone, on every node.
 *
 * Each phone here registers at node A BEFORE the change; the callers sit at node B, so "every node"
 * is checked too. After the change the old phone must be: not reached (calls, MESSAGE), unable to
 * call, to send MESSAGE or to refresh its registration, and its binding gone, within two seconds;
 * where the embedded edge closes the socket (tenant or reseller suspended, extension deleted), node A
 * closes it too (migration 0022 queues it, node A's one-second timer closes it).
 * Real Kamailio 5.6 (two nodes), the real platform on PostgreSQL, real sip.js phones.
 * Runs in integration-postgres (two nodes on the platform's own database), like test/kamailio-limits.test.ts.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Highrise, TrunkWithPassword } from '@highrise/sdk';
import { mintEdgeCredentials } from '@highrise/platform';
import { channelRows, startEdge, type KamailioNode, type TestEdge } from './support/edges';
import { testStoreIsPostgres } from './support/postgres';
import { createNodePhone, sendMessage, SipRejected, socketClosed, withTimeout, type NodePhone } from './support/sip-node';

interface Tenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  /** Extension row ids by number. */
  ids: Map<string, string>;
  password: (number: string) => string;
}

const methods = (p: NodePhone, method: string) => p.received.filter((r) => r.method === method);

describe.skipIf(!testStoreIsPostgres())('credential changes reach phones registered through Kamailio', () => {
  let edge: TestEdge;
  let nodeA: KamailioNode;
  let nodeB: KamailioNode;
  let db: pg.Client;
  const phones: NodePhone[] = [];
  let slugs = 0;
  let dids = 0;

  beforeAll(async () => {
    edge = await startEdge('kamailio', 'kamailio-revocation');
    nodeA = { wsUrl: edge.wsUrl, kamailio: undefined as never, stop: async () => {} };
    nodeB = await edge.addKamailioNode();
    db = new pg.Client({ connectionString: edge.databaseUrl });
    await db.connect();
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop().catch(() => {})));
    if (context.task.result?.state === 'fail') {
      console.log(`--- kamailio A log ---\n${edge.log().slice(-15_000)}`);
      console.log(`--- kamailio B log ---\n${nodeB.kamailio.log().slice(-15_000)}`);
    }
  });

  afterAll(async () => {
    await db?.end();
    await edge?.close();
  }, 30_000);

  async function tenant(name: string, resellerId?: string): Promise<Tenant> {
    const slug = `rev-${name}-${++slugs}`;
    const { tenant: created } = await edge.tp.provider.tenants.create({ name: slug, slug, ...(resellerId ? { resellerId } : {}) });
    const api = edge.tp.provider.tenant(created.id);
    const password = (number: string) => `pw-${slug}-${number}`;
    const ids = new Map<string, string>();
    for (const number of ['101', '102']) ids.set(number, (await api.extensions.create({ number, displayName: `${slug} ${number}`, sipPassword: password(number) })).id);
    return { id: created.id, sipDomain: created.sipDomain, api, ids, password };
  }

  async function registered(p: NodePhone): Promise<NodePhone> {
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  }

  const digestPhone = (node: KamailioNode, t: Tenant, number: string) => registered(createNodePhone({ wsUrl: node.wsUrl, domain: t.sipDomain, number, password: t.password(number) }));

  /** A softphone as the widget registers with a token: its auth_ephemeral credentials, as the platform mints them. */
  async function ephemeralPhone(node: KamailioNode, t: Tenant, number: string): Promise<NodePhone> {
    // The tenant's first token makes its signing key; the credentials name the key's id (migration 0026).
    await t.api.softphoneTokens.create({ extension: number, ttlSeconds: 600 });
    const secret = (await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
    const keyId = (await db.query<{ token_key_id: string }>('SELECT token_key_id FROM subscriber WHERE owner_id = $1', [t.ids.get(number)])).rows[0]!.token_key_id;
    const credentials = mintEdgeCredentials(secret, { extension: number, extensionId: t.ids.get(number)!, keyId, sipDomain: t.sipDomain, expiresAt: new Date(Date.now() + 600_000) });
    return registered(createNodePhone({ wsUrl: node.wsUrl, domain: t.sipDomain, number, userAgentOptions: { authorizationUsername: credentials.username, authorizationPassword: credentials.password } }));
  }

  /** The carrier side of the tenant's trunk, registered at `node`; it answers any number it is sent. */
  async function carrier(node: KamailioNode, trunk: TrunkWithPassword): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl: node.wsUrl, domain: trunk.realm, number: trunk.username, password: trunk.password });
    const deliver = p.userAgent.transport.onMessage;
    p.userAgent.transport.onMessage = (message: string) => deliver?.(message.replace(/^INVITE sip:[^@\s]+@/, `INVITE sip:${trunk.username}@`));
    return registered(p);
  }

  async function did(t: Tenant, target: string): Promise<string> {
    const number = `+1415557${String(100 + ++dids).padStart(4, '0')}`;
    await edge.tp.provider.numbers.create({ number });
    const assigned = await t.api.numbers.assign({ number });
    await t.api.numbers.update(assigned.id, { routing: { type: 'extension', target } });
    return assigned.number;
  }

  /** The AOR's bindings every Kamailio node would dial (usrloc db_mode 3 reads only this table). */
  const bindings = async (t: Tenant, number: string) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM location WHERE username = $1 AND lower(domain) = lower($2)', [number, t.sipDomain])).rows[0]!.n);

  const outcome = (p: NodePhone, target: string) => withTimeout(p.call(target).outcome, 8000, `the call to ${target} got no final answer`);
  const refresh = (p: NodePhone) =>
    withTimeout(
      p.register().then(
        () => 200,
        (error: unknown) => (error instanceof SipRejected ? error.status : Promise.reject(error)),
      ),
      8000,
      'the REGISTER refresh got no final answer',
    );

  /**
   * The node holding the phone's connection closed it within three seconds of the change (it waits a
   * second, so that the BYEs of the tenant's calls in progress reach the phones first: case e).
   */
  const expectClosed = async (closing: Promise<{ code: number; reason: string }>) =>
    expect(await withTimeout(closing, 3000, 'the old WebSocket stayed open')).toEqual({ code: 1008, reason: 'Credentials revoked' });

  /**
   * The old phone can do nothing any more: no call, no MESSAGE, no refresh. A phone whose socket was
   * closed connects again first, as a widget would, and is refused all the same.
   */
  async function expectPowerless(old: NodePhone, t: Tenant) {
    if (!old.userAgent.transport.isConnected()) await old.userAgent.reconnect();
    expect(await outcome(old, '102')).toBe(403);
    expect(await sendMessage(old, `sip:102@${t.sipDomain}`, 'still here?')).toBe(403);
    expect(await refresh(old)).toBe(403);
  }

  /** Its binding is gone from the database within two seconds: no node can reach it. */
  const expectUnbound = (t: Tenant, number: string) => vi.waitFor(async () => expect(await bindings(t, number)).toBe(0), { timeout: 2000, interval: 50 });

  it('(a) suspending a tenant: its digest and token phones are unbound at once, reached by no DID call or colleague (not even once it is resumed), and refused', async () => {
    const t = await tenant('suspend');
    const number = await did(t, '101');
    const trunk = await t.api.trunks.create({ name: 'Carrier' });
    const pstn = await carrier(nodeB, trunk);
    const d101 = await digestPhone(nodeA, t, '101');
    const e102 = await ephemeralPhone(nodeA, t, '102');
    // Before: the carrier's DID call rings 101 (through node B, then node A's connection).
    const before = pstn.call(`sip:${number}@${t.sipDomain}`, { params: { fromUri: `sip:+16505550199@${t.sipDomain}` } });
    const ringing = await d101.nextIncoming(5000);
    await ringing.reject(486);
    expect(await withTimeout(before.outcome, 5000, 'no answer')).toBe(486);
    expect(await bindings(t, '101')).toBe(1);
    const closing = [socketClosed(d101), socketClosed(e102), socketClosed(pstn)];

    await edge.tp.provider.tenants.suspend(t.id);

    await expectUnbound(t, '101');
    await expectUnbound(t, '102');
    // The carrier's socket too (node B holds it), as the embedded edge closes a suspended tenant's trunks.
    for (const closed of closing) await expectClosed(closed);
    await pstn.userAgent.reconnect();
    expect(await refresh(pstn)).toBe(403);
    expect(await outcome(pstn, `sip:${number}@${t.sipDomain}`)).toBe(403);
    for (const old of [d101, e102]) await expectPowerless(old, t);

    // Resumed: what the phones proved before the suspension does not come back by itself.
    await edge.tp.provider.tenants.resume(t.id);
    expect(await refresh(pstn)).toBe(200);
    const colleague = await digestPhone(nodeB, t, '102');
    expect(await outcome(colleague, '101')).toBe(480);
    expect(await outcome(pstn, `sip:${number}@${t.sipDomain}`)).toBe(480);
    expect(await sendMessage(colleague, `sip:101@${t.sipDomain}`, 'hello?')).toBe(480);
    expect(methods(d101, 'INVITE')).toHaveLength(1);
    expect(methods(d101, 'MESSAGE')).toEqual([]);
  });

  it("(a) suspending a tenant's reseller: the same as suspending the tenant (as on the embedded edge)", async () => {
    const reseller = await edge.tp.provider.resellers.create({ name: 'Revocation Reseller' });
    const t = await tenant('reseller', reseller.id);
    const d101 = await digestPhone(nodeA, t, '101');
    const e102 = await ephemeralPhone(nodeA, t, '102');
    const closing = [socketClosed(d101), socketClosed(e102)];

    await edge.tp.provider.resellers.suspend(reseller.id);

    await expectUnbound(t, '101');
    await expectUnbound(t, '102');
    for (const closed of closing) await expectClosed(closed);
    for (const old of [d101, e102]) await expectPowerless(old, t);
    // Nor may anything of the tenant's register afresh.
    const fresh = createNodePhone({ wsUrl: nodeB.wsUrl, domain: t.sipDomain, number: '101', password: t.password('101') });
    phones.push(fresh);
    await fresh.start();
    expect(await refresh(fresh)).toBe(403);

    await edge.tp.provider.resellers.resume(reseller.id);
    expect(await refresh(fresh)).toBe(200);
    expect(await outcome(fresh, '102')).toBe(480);
    expect(methods(e102, 'INVITE')).toEqual([]);
  });

  // A deleted extension whose number is given to someone else at once: a digest phone (b) and a token phone (d).
  it.each([
    ['(b) deleting an extension: its phone is unbound at once, and a new 101 never rings the old phone', 'delete', digestPhone],
    ['(d) deleting the extension of a token (ephemeral) phone: unbound at once, not reached, refused', 'ephemeral', ephemeralPhone],
  ] as const)('%s', async (_name, slug, phoneOf) => {
    const t = await tenant(slug);
    const old = await phoneOf(nodeA, t, '101');
    const colleague = await digestPhone(nodeB, t, '102');
    const closing = socketClosed(old);

    await t.api.extensions.delete(t.ids.get('101')!);
    await expectUnbound(t, '101');
    await expectClosed(closing);
    // Someone else's 101.
    await t.api.extensions.create({ number: '101', displayName: 'New person', sipPassword: 'new-person-password' });

    expect(await outcome(colleague, '101')).toBe(480);
    expect(await sendMessage(colleague, `sip:101@${t.sipDomain}`, 'hello?')).toBe(480);
    expect(methods(old, 'INVITE')).toEqual([]);
    expect(methods(old, 'MESSAGE')).toEqual([]);
    await expectPowerless(old, t);
  });

  it('(e) suspending a tenant ends its calls in progress: BYE to both parties within seconds, the channel back, the call recorded; another tenant\'s call goes on', async () => {
    const t = await tenant('midcall');
    const other = await tenant('bystander');
    // The caller at node A, the callee at node B (the BYE to it goes through B); the other tenant's call on the same nodes.
    const [caller, callee] = [await digestPhone(nodeA, t, '101'), await digestPhone(nodeB, t, '102')];
    const [otherCaller, otherCallee] = [await digestPhone(nodeA, other, '101'), await digestPhone(nodeB, other, '102')];
    const answered = async (from: NodePhone, to: NodePhone) => {
      const call = from.call('102');
      const incoming = await to.nextIncoming(5000);
      await incoming.answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      return { call, incoming };
    };
    const theirs = await answered(caller, callee);
    const bystanders = await answered(otherCaller, otherCallee);
    expect(await channelRows(edge, t.id)).toBe(1);

    await edge.tp.provider.tenants.suspend(t.id);
    const suspendedAt = Date.now();

    await withTimeout(Promise.all([theirs.call.ended, theirs.incoming.ended]), 3000, 'the suspended tenant\'s call was not ended at both phones');
    expect([methods(caller, 'BYE').length, methods(callee, 'BYE').length]).toEqual([1, 1]);
    console.log(`both parties of the suspended tenant's call got BYE ${Date.now() - suspendedAt} ms after the suspension`);
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0), { timeout: 2000, interval: 50 });
    const callId = theirs.call.inviter.request.callId;
    await vi.waitFor(async () => expect((await t.api.calls.list({ limit: 10 })).data.find((c) => c.callId === callId)).toMatchObject({ from: '101', to: '102', disposition: 'answered', sipStatus: 200 }), { timeout: 5000, interval: 200 });

    // The wall: nothing of the other tenant's is ended.
    expect(methods(otherCaller, 'BYE')).toEqual([]);
    expect(methods(otherCallee, 'BYE')).toEqual([]);
    expect(await channelRows(edge, other.id)).toBe(1);
    await bystanders.call.hangup();
    await withTimeout(bystanders.incoming.ended, 5000, 'the other tenant\'s call could not be hung up');
    await vi.waitFor(async () => expect(await channelRows(edge, other.id)).toBe(0), { timeout: 2000, interval: 50 });
  });

  // The node ends the calls of a socket it closes as it closes it (REVOKED_CONNECTIONS), BYEs first,
  // not when the phone's side completes the close (which a hostile client may put off): a deleted
  // extension's (or a rotated token's) call in progress must not go on. Before, the call ended only
  // with the tcp:closed of the phone's side (about 2 s later here).
  it("(h) deleting the extension of a phone in a call: the node that closes its socket ends its call, the other party gets BYE, the channel comes back", async () => {
    const t = await tenant('midcall-delete');
    // The caller at node A, which admitted the call and holds its dialog; the callee at node B.
    const [caller, callee] = [await digestPhone(nodeA, t, '101'), await digestPhone(nodeB, t, '102')];
    const call = caller.call('102');
    const incoming = await callee.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    expect(await channelRows(edge, t.id)).toBe(1);
    const closing = socketClosed(caller);

    await t.api.extensions.delete(t.ids.get('101')!);
    await expectClosed(closing);
    await withTimeout(incoming.ended, 3000, "the deleted extension's call went on at the other party");
    expect(methods(callee, 'BYE')).toHaveLength(1);
    await vi.waitFor(async () => expect(await channelRows(edge, t.id)).toBe(0), { timeout: 3000, interval: 50 });
  });

  it("(c) changing an extension's password: the old phone is unbound at once and refused; a token phone of the same extension keeps its binding", async () => {
    const t = await tenant('password');
    const old = await digestPhone(nodeA, t, '101');
    const token101 = await ephemeralPhone(nodeA, t, '101');
    const colleague = await digestPhone(nodeB, t, '102');
    expect(await bindings(t, '101')).toBe(2);

    await t.api.extensions.update(t.ids.get('101')!, { sipPassword: 'a-brand-new-password-101' });

    await vi.waitFor(async () => expect(await bindings(t, '101')).toBe(1), { timeout: 2000, interval: 50 });
    const call = colleague.call('101');
    const incoming = await token101.nextIncoming(5000);
    await incoming.reject(486);
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(486);
    expect(await sendMessage(colleague, `sip:101@${t.sipDomain}`, 'hello?')).toBe(200);
    expect(methods(token101, 'MESSAGE')).toHaveLength(1);
    expect(methods(old, 'INVITE')).toEqual([]);
    expect(methods(old, 'MESSAGE')).toEqual([]);
    // Both sockets stay open, as on the embedded edge: the token phone's credentials still hold, and
    // the old digest phone can do nothing more on its own.
    expect([old.userAgent.transport.isConnected(), token101.userAgent.transport.isConnected()]).toEqual([true, true]);
    await expectPowerless(old, t);

    // The new password registers (beside the token phone).
    await registered(createNodePhone({ wsUrl: nodeA.wsUrl, domain: t.sipDomain, number: '101', password: 'a-brand-new-password-101' }));
    expect(await bindings(t, '101')).toBe(2);
  });

  /**
   * A REGISTER in flight while a credential changes (migration 0023). Kamailio checks the digest
   * against the row as it is, then usrloc INSERTs the binding: a change that commits in between, or
   * whose transaction is still open at the INSERT, found no binding to delete. The race is made
   * deterministic with a test-only trigger that holds a statement at an advisory lock this test
   * holds: Kamailio's INSERT (before the change), or the change's own transaction (after its unbind).
   */
  describe('a REGISTER in flight while the credential changes', () => {
    const HOLD = 7_023_001;
    let gate: pg.Client;

    beforeAll(async () => {
      gate = new pg.Client({ connectionString: edge.databaseUrl });
      await gate.connect();
      await db.query(`CREATE OR REPLACE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_advisory_xact_lock_shared(${HOLD});
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$`);
    });
    afterAll(async () => {
      await db.query('DROP FUNCTION IF EXISTS test_hold() CASCADE');
      await gate?.end();
    });

    /**
     * Holds each row statement `on` (e.g. `BEFORE INSERT ON location`) matching `when` until released.
     * Trigger names order triggers of one timing: `a_` fires before 0023's check, `z_` after 0022's unbind.
     */
    async function hold(name: string, on: string, when: string) {
      await gate.query('SELECT pg_advisory_lock($1)', [HOLD]);
      await db.query(`CREATE TRIGGER ${name} ${on} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION test_hold()`);
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await gate.query('SELECT pg_advisory_unlock($1)', [HOLD]);
        await db.query(`DROP TRIGGER IF EXISTS ${name} ${on.replace(/^.* ON /, 'ON ')}`);
      };
      /** Some statement is held right now. */
      const held = () => vi.waitFor(async () => expect((await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1", [HOLD])).rowCount).toBeGreaterThan(0), { timeout: 8000, interval: 20 });
      return { held, release };
    }

    const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

    /** Settles with the REGISTER's final status (200 or the refusal's). */
    const registering = (p: NodePhone) => {
      const status = refresh(p);
      let settled = false;
      void status.finally(() => (settled = true));
      return { status, settled: () => settled };
    };

    const changes = {
      password: (t: Tenant) => t.api.extensions.update(t.ids.get('101')!, { sipPassword: 'replaced-while-registering' }),
      deleted: (t: Tenant) => t.api.extensions.delete(t.ids.get('101')!),
      suspended: (t: Tenant) => edge.tp.provider.tenants.suspend(t.id),
    } as const;

    it.each([
      ['its password is replaced', 'password'],
      ['its extension is deleted', 'deleted'],
      ['its tenant is suspended', 'suspended'],
      ["its tenant's reseller is suspended", 'reseller'],
    ] as const)('(e) the change commits between Kamailio’s digest check and its INSERT (%s): the REGISTER is refused and nothing is bound', async (_name, change) => {
      const reseller = change === 'reseller' ? await edge.tp.provider.resellers.create({ name: 'Racing Reseller' }) : undefined;
      const t = await tenant(`race-${change}`, reseller?.id);
      const p = createNodePhone({ wsUrl: nodeA.wsUrl, domain: t.sipDomain, number: '101', password: t.password('101') });
      phones.push(p);
      await p.start();
      const insert = await hold('a_test_hold_insert', 'BEFORE INSERT ON location', `lower(NEW.domain) = ${literal(t.sipDomain.toLowerCase())}`);
      try {
        const register = registering(p);
        await insert.held();
        if (reseller) await edge.tp.provider.resellers.suspend(reseller.id);
        else await changes[change as keyof typeof changes](t);
        await insert.release();
        expect(await register.status).toBe(500);
      } finally {
        await insert.release();
      }
      // Every node dials only what this table holds.
      expect(await bindings(t, '101')).toBe(0);
    });

    it('(e) a token phone whose REGISTER is in flight when the password is replaced is bound all the same (its credentials name the row, not the password)', async () => {
      const t = await tenant('race-token');
      const insert = await hold('a_test_hold_insert', 'BEFORE INSERT ON location', `lower(NEW.domain) = ${literal(t.sipDomain.toLowerCase())}`);
      let register: ReturnType<typeof registering>;
      try {
        const secret = (await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
        // The tenant's first token makes its signing key; the credentials name the key's id (migration 0026).
        await t.api.softphoneTokens.create({ extension: '101', ttlSeconds: 600 });
        const keyId = (await db.query<{ token_key_id: string }>('SELECT token_key_id FROM subscriber WHERE owner_id = $1', [t.ids.get('101')])).rows[0]!.token_key_id;
        const credentials = mintEdgeCredentials(secret, { extension: '101', extensionId: t.ids.get('101')!, keyId, sipDomain: t.sipDomain, expiresAt: new Date(Date.now() + 600_000) });
        const p = createNodePhone({ wsUrl: nodeA.wsUrl, domain: t.sipDomain, number: '101', userAgentOptions: { authorizationUsername: credentials.username, authorizationPassword: credentials.password } });
        phones.push(p);
        await p.start();
        register = registering(p);
        await insert.held();
        await changes.password(t);
        await insert.release();
        expect(await register.status).toBe(200);
      } finally {
        await insert.release();
      }
      expect(await bindings(t, '101')).toBe(1);
      const colleague = await digestPhone(nodeB, t, '102');
      expect(await sendMessage(colleague, `sip:101@${t.sipDomain}`, 'still the token phone')).toBe(200);
    });

    /**
     * A token phone whose REGISTER races a rotation of its tenant's signing key (migration 0027): its
     * credentials were checked against the old key, and the rotation's unbind (0026) finds no binding yet.
     */
    it.each([
      ['the rotation commits between Kamailio’s check and its INSERT', 'committed'],
      ['the INSERT comes while the rotation’s transaction is still open, and waits for it', 'open'],
    ] as const)('(g) a token REGISTER in flight while the signing key is rotated (%s): the REGISTER is refused and nothing is bound', async (_name, order) => {
      const t = await tenant(`race-rotation-${order}`);
      const secret = (await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
      // The tenant's first token makes its signing key; the credentials name the key's id (migration 0026).
      await t.api.softphoneTokens.create({ extension: '101', ttlSeconds: 600 });
      const keyId = (await db.query<{ token_key_id: string }>('SELECT token_key_id FROM subscriber WHERE owner_id = $1', [t.ids.get('101')])).rows[0]!.token_key_id;
      const credentials = mintEdgeCredentials(secret, { extension: '101', extensionId: t.ids.get('101')!, keyId, sipDomain: t.sipDomain, expiresAt: new Date(Date.now() + 600_000) });
      const p = createNodePhone({ wsUrl: nodeA.wsUrl, domain: t.sipDomain, number: '101', userAgentOptions: { authorizationUsername: credentials.username, authorizationPassword: credentials.password } });
      phones.push(p);
      await p.start();
      const rotate = () => t.api.softphoneTokens.rotateSigningKey();
      if (order === 'committed') {
        const insert = await hold('a_test_hold_insert', 'BEFORE INSERT ON location', `lower(NEW.domain) = ${literal(t.sipDomain.toLowerCase())}`);
        try {
          const register = registering(p);
          await insert.held();
          await rotate();
          await insert.release();
          expect(await register.status).toBe(500);
        } finally {
          await insert.release();
        }
      } else {
        // The rotation's transaction stops after its upsert and 0026's unbind, before its commit.
        const open = await hold('z_test_hold_change', 'AFTER UPDATE ON tenant_signing_keys', `OLD.tenant_id = ${literal(t.id)}`);
        try {
          const rotating = rotate();
          await open.held();
          const register = registering(p);
          // Kamailio has checked the credentials (against the key as committed) and its INSERT has reached
          // the database: it is either done (200) or waiting for the rotation.
          await vi.waitFor(async () => expect(register.settled() || (await db.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'insert into location%'")).rowCount! > 0).toBe(true), { timeout: 8000, interval: 20 });
          await open.release();
          await rotating;
          expect(await register.status).toBe(500);
        } finally {
          await open.release();
        }
      }
      // Every node dials only what this table holds; and the old credentials are refused from now on.
      expect(await bindings(t, '101')).toBe(0);
      expect(await refresh(p)).toBe(403);
    });

    it.each([
      ['its password is replaced', 'password'],
      ["its tenant's reseller is suspended", 'reseller'],
    ] as const)('(f) the INSERT comes while the change’s transaction is still open (%s): it waits for the change, is refused, and nothing is bound', async (_name, change) => {
      const reseller = change === 'reseller' ? await edge.tp.provider.resellers.create({ name: 'Racing Reseller' }) : undefined;
      const t = await tenant(`open-${change}`, reseller?.id);
      const p = createNodePhone({ wsUrl: nodeA.wsUrl, domain: t.sipDomain, number: '101', password: t.password('101') });
      phones.push(p);
      await p.start();
      // The change's transaction stops after its own statement and 0022's unbind, before its commit.
      const open = reseller
        ? await hold('z_test_hold_change', 'AFTER UPDATE ON resellers', `OLD.id = ${literal(reseller.id)}`)
        : await hold('z_test_hold_change', 'AFTER UPDATE ON extensions', `OLD.id = ${literal(t.ids.get('101')!)}`);
      try {
        const changing = reseller ? edge.tp.provider.resellers.suspend(reseller.id) : changes.password(t);
        await open.held();
        const register = registering(p);
        // Kamailio has checked the digest (against the row as committed) and its INSERT has reached the
        // database: it is either done (200) or waiting for the change.
        await vi.waitFor(async () => expect(register.settled() || (await db.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'insert into location%'")).rowCount! > 0).toBe(true), { timeout: 8000, interval: 20 });
        await open.release();
        await changing;
        expect(await register.status).toBe(500);
      } finally {
        await open.release();
      }
      expect(await bindings(t, '101')).toBe(0);
    });
  });
});
