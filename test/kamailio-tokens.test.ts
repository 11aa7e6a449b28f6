/**
 * Softphone tokens at the Kamailio edge (issue 10): a platform started with `kamailio.wsUrls`
 * (`highrise start --kamailio-ws-url`) answers a token request with Kamailio's nodes and digest
 * credentials that Kamailio's `auth_ephemeral` checks with nothing but the shared secret, so no
 * REGISTER waits on the platform. Real Kamailio 5.6 rendered by `highrise kamailio-config` on a
 * fresh PostgreSQL database, real sip.js phones using exactly what the token response carries.
 * docs/decisions/2026-12-02-softphone-tokens-at-kamailio.md.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SoftphoneToken } from '@highrise/sdk';
import { mintEdgeCredentials, signingKeyId } from '@highrise/platform';
import { createTestPostgresDatabase, type TestPostgresDatabase } from './support/postgres';
import { startTestPlatform, type TestPlatform, type TestTenant } from './support/platform';
import { freePort, KAMAILIO_BIN } from './support/kamailio';
import { startKamailioNode, type KamailioNode } from './support/edges';
import { createNodePhone, SipRejected, socketClosed, withTimeout, type NodePhone } from './support/sip-node';

describe('softphone tokens at the Kamailio edge', () => {
  let database: TestPostgresDatabase;
  let tp: TestPlatform;
  let node: KamailioNode | undefined;
  /** Node 1 is real; node 2 is only named (the token lists both, in order). */
  let wsUrls: string[];
  let acme: TestTenant;
  let globex: TestTenant;
  const phones: NodePhone[] = [];
  /** Extension row ids by `<slug> <number>`: the credentials sign them in. */
  const extensionIds = new Map<string, string>();

  beforeAll(async () => {
    if (!existsSync(KAMAILIO_BIN)) throw new Error(`${KAMAILIO_BIN} is missing: apt-get install kamailio kamailio-websocket-modules kamailio-postgres-modules … (see .ci/run)`);
    database = await createTestPostgresDatabase();
    const port = await freePort();
    wsUrls = [`ws://127.0.0.1:${port}/`, `ws://127.0.0.2:${port}/`];
    tp = await startTestPlatform('kamailio-tokens', { databaseUrl: database.url, kamailio: { wsUrls } });
    acme = await tp.createTenant('acme', 'Acme');
    globex = await tp.createTenant('globex', 'Globex');
    for (const t of [acme, globex]) {
      for (const number of ['101', '102']) extensionIds.set(`${t.created.tenant.slug} ${number}`, (await t.admin.tenant(t.created.tenant.id).extensions.create({ number, displayName: number })).id);
    }
    node = await startKamailioNode(database.url, tp.platform.url, '127.0.0.1', port);
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop().catch(() => {})));
    if (node && process.env.KAMAILIO_LOG_FILE) writeFileSync(process.env.KAMAILIO_LOG_FILE, node.kamailio.log());
    if (node && context.task.result?.state === 'fail') console.log(`--- kamailio log (the last 20,000 characters) ---\n${node.kamailio.log().slice(-20_000)}`);
  });

  afterAll(async () => {
    await node?.stop();
    await tp?.close();
    await database?.drop();
  }, 30_000);

  const token = (t: TestTenant, extension: string, ttlSeconds = 600): Promise<SoftphoneToken> => t.admin.tenant(t.created.tenant.id).softphoneTokens.create({ extension, ttlSeconds });

  /** A phone that authenticates exactly as the widget does with this token: its digest credentials, no bearer. */
  function phoneWith(t: TestTenant, extension: string, credentials: { username: string; password: string }): NodePhone {
    const p = createNodePhone({
      wsUrl: wsUrls[0]!,
      domain: t.created.tenant.sipDomain,
      number: extension,
      userAgentOptions: { authorizationUsername: credentials.username, authorizationPassword: credentials.password },
    });
    phones.push(p);
    return p;
  }

  async function registerWith(t: TestTenant, extension: string, credentials: { username: string; password: string }): Promise<number> {
    const p = phoneWith(t, extension, credentials);
    await p.start();
    return p.register().then(
      () => 200,
      (error: unknown) => {
        if (error instanceof SipRejected) return error.status;
        throw error;
      },
    );
  }

  it("names Kamailio's nodes and carries auth_ephemeral credentials that expire with the token, in the response and in the token", async () => {
    const issued = await token(acme, '101');
    const extensionId = extensionIds.get('acme 101')!;
    expect(issued.wsUrl).toBe(wsUrls[0]);
    expect(issued.wsUrls).toEqual(wsUrls);
    const expiry = Date.parse(issued.expiresAt) / 1000;
    // They name the tenant's signing key, by an id Kamailio reads from the subscriber view (never the seed).
    const keyId = signingKeyId((await database.query('SELECT secret FROM tenant_signing_keys WHERE tenant_id = $1', [acme.created.tenant.id])).rows[0]!.secret as string);
    expect((await database.query('SELECT token_key_id FROM subscriber WHERE owner_id = $1', [extensionId])).rows[0]).toEqual({ token_key_id: keyId });
    expect(issued.sipCredentials).toEqual({ username: `${expiry}:101.${extensionId}.${keyId}@${acme.created.tenant.sipDomain}`, password: expect.any(String), expiresAt: issued.expiresAt });
    // The widget is given the token alone: it reads the same credentials, the nodes and the platform from it.
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ ws: wsUrls, sip: { username: issued.sipCredentials!.username, password: issued.sipCredentials!.password }, api: tp.platform.url });
    // Minted with the secret kamailio-config rendered into kamailio.cfg (one row, whoever wrote it first).
    const secret = (await database.query("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value as string;
    expect(mintEdgeCredentials(secret, { extension: '101', extensionId, keyId, sipDomain: acme.created.tenant.sipDomain, expiresAt: new Date(Date.parse(issued.expiresAt)) }).password).toBe(issued.sipCredentials!.password);
  });

  it("registers with the token's credentials and calls another token phone through Kamailio", async () => {
    const [a101, a102] = [await token(acme, '101'), await token(acme, '102')];
    const caller = phoneWith(acme, '101', a101.sipCredentials!);
    const callee = phoneWith(acme, '102', a102.sipCredentials!);
    for (const p of [caller, callee]) {
      await p.start();
      await p.register();
    }
    const call = caller.call('102');
    const incoming = await callee.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not reach 102');
  });

  it('refuses expired credentials, a stretched expiry, and another tenant’s credentials', async () => {
    const issued = await token(acme, '101');
    const good = issued.sipCredentials!;
    const secret = (await database.query("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value as string;
    const expiry = Number(good.username.slice(0, good.username.indexOf(':')));
    const rest = good.username.slice(good.username.indexOf(':'));
    // What the platform minted for a token that expired a second ago.
    const keyId = /\.([0-9a-f]{16})@/.exec(good.username)![1]!;
    const expired = mintEdgeCredentials(secret, { extension: '101', extensionId: extensionIds.get('acme 101')!, keyId, sipDomain: acme.created.tenant.sipDomain, expiresAt: new Date(Date.now() - 1000) });
    expect(await registerWith(acme, '101', expired)).toBe(403);
    // A later expiry written into the username without the secret: the signature no longer matches.
    expect(await registerWith(acme, '101', { username: `${expiry + 86_400}${rest}`, password: good.password })).toBe(403);
    // Globex's 101 credentials are no good for Acme's 101, nor Acme's for Globex's.
    const theirs = (await token(globex, '101')).sipCredentials!;
    expect(await registerWith(acme, '101', theirs)).toBe(403);
    expect(await registerWith(globex, '101', good)).toBe(403);
    // …while each registers in its own tenant.
    expect(await registerWith(acme, '101', good)).toBe(200);
    expect(await registerWith(globex, '101', theirs)).toBe(200);
  });

  it("a rotated signing key stops the earlier tokens at Kamailio at once: their phone is unbound and its socket closed, their credentials refused; a later token works, and another tenant's token phone is untouched", async () => {
    const [leaked, theirs] = [await token(acme, '101'), await token(globex, '101')];
    const old = phoneWith(acme, '101', leaked.sipCredentials!);
    const other = phoneWith(globex, '101', theirs.sipCredentials!);
    for (const p of [old, other]) {
      await p.start();
      await p.register();
    }
    const closing = socketClosed(old);
    const otherClosed = vi.fn();
    void socketClosed(other).then(otherClosed);

    await acme.admin.tenant(acme.created.tenant.id).softphoneTokens.rotateSigningKey();

    // The node holding the old phone's connection closes it within three seconds (migration 0026 queues it;
    // the node leaves a queued connection a second, for BYEs of calls in progress to go first).
    expect(await withTimeout(closing, 3000, 'the leaked token’s WebSocket stayed open')).toEqual({ code: 1008, reason: 'Credentials revoked' });
    // Connecting again with the leaked credentials, as the widget would, gets nowhere.
    expect(await registerWith(acme, '101', leaked.sipCredentials!)).toBe(403);
    // Tokens minted after the rotation work; the old phone is not reached by their calls.
    const [new101, new102] = [await token(acme, '101'), await token(acme, '102')];
    const caller = phoneWith(acme, '102', new102.sipCredentials!);
    await caller.start();
    await caller.register();
    expect(await withTimeout(caller.call('101').outcome, 5000, 'no answer')).toBe(480);
    expect(await registerWith(acme, '101', new101.sipCredentials!)).toBe(200);
    const ringing = caller.call('101');
    await (await phones.at(-1)!.nextIncoming(5000)).reject(486); // the phone registerWith just registered
    expect(await withTimeout(ringing.outcome, 5000, 'no answer')).toBe(486);
    expect(old.received.filter((r) => r.method === 'INVITE')).toEqual([]);

    // Globex's token phone stays registered on its open socket and takes its calls.
    const colleague = phoneWith(globex, '102', (await token(globex, '102')).sipCredentials!);
    await colleague.start();
    await colleague.register();
    const call = colleague.call('101');
    await (await other.nextIncoming(5000)).reject(486);
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(486);
    expect(other.userAgent.transport.isConnected()).toBe(true);
    expect(otherClosed).not.toHaveBeenCalled();
  });
});
