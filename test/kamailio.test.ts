/**
 * Kamailio as the SIP edge (issue 10), for real: a fresh PostgreSQL database migrated by
 * `highrise migrate up`, two tenants that both own 101 and 102 written through the async store,
 * `highrise kamailio-config` rendering the configuration, and Kamailio 5.6 (Debian) serving sip.js
 * phones over WebSocket on a loopback port.
 *
 * The routing endpoint is not the platform here: --platform-url names a small HTTP server in this
 * file that stands in for it, so these tests control the decision. By default it drops every
 * connection, so the edge uses the fallback this suite renders it with (`--routing-fallback location`:
 * the registered AOR in the caller's own domain; without the flag the edge answers 503, tested
 * below); the routing tests make it answer with SipRoutingDecision documents, to check the edge's
 * half of the contract. Kamailio in front of the real platform, with no fallback, is
 * test/kamailio-routing.test.ts.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { Messager, UserAgent } from 'sip.js';
import { SipRoutingRequest, type SipRoutingDecision } from '@highrise/sdk';
import { mintEdgeCredentials, openKyselyStore, signingKeyId, type AsyncStore, type TenantRow } from '@highrise/platform';
import { createNodePhone, headerOf, openRawSip, rawInDialog, rawRequest, SipRejected, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';
import { freePort, KAMAILIO_BIN, startKamailio, type RunningKamailio } from './support/kamailio';
import { systemScope } from '@highrise/platform';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../packages/platform/dist/cli.js', import.meta.url));
const serverUrl = process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASE = 'sip.localhost';
const T0 = new Date().toISOString();
const LIMITS: TenantRow['limits'] = { extensions: 100, channels: 10, messagesPerMinute: 600, storageBytes: 104857600, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 };

const domainOf = (slug: string) => `${slug}.${BASE}`;
const passwordOf = (slug: string, number: string) => `pw-${slug}-${number}-secret`;
const ha1 = (user: string, realm: string, password: string) => createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

async function rejection(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SipRejected) return error.status;
    throw error;
  }
  return 200;
}

/** Digest REGISTER over a raw socket, as an attacker's own well-behaved phone would. */
async function rawRegister(raw: RawSip, domain: string, user: string, password: string): Promise<number> {
  const contact = `Contact: <sip:${user}@${randomBytes(4).toString('hex')}.invalid;transport=ws>;expires=300`;
  const callId = randomBytes(8).toString('hex');
  raw.send(rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:${user}@${domain}`, to: `sip:${user}@${domain}`, callId, cseq: 1, headers: [contact] }));
  const challenge = await raw.next((f) => statusOf(f) !== undefined);
  if (statusOf(challenge) !== 401) return statusOf(challenge)!;
  const nonce = /nonce="([^"]+)"/.exec(headerOf(challenge, 'WWW-Authenticate') ?? '')![1]!;
  const uri = `sip:${domain}`;
  const response = createHash('md5').update(`${ha1(user, domain, password)}:${nonce}:${createHash('md5').update(`REGISTER:${uri}`).digest('hex')}`).digest('hex');
  const auth = `Authorization: Digest username="${user}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
  raw.send(rawRequest({ method: 'REGISTER', uri, from: `sip:${user}@${domain}`, to: `sip:${user}@${domain}`, callId, cseq: 2, headers: [contact, auth] }));
  return statusOf(await raw.next((f) => statusOf(f) !== undefined))!;
}

/** What sip.js's dialog (Inviter.dialog) holds, as far as a test writing in-dialog frames needs it. */
interface CallDialog {
  callId: string; localTag: string; remoteTag: string; localURI: { toString(): string }; remoteURI: { toString(): string };
  remoteTarget: { toString(): string }; routeSet: string[]; localSequenceNumber: number | undefined; incrementLocalSequenceNumber(): void;
}

/** An in-dialog request a dialog's own party writes itself and sends on its own connection. */
function sendInDialog(from: NodePhone, call: { inviter: { dialog?: unknown } }, method: string, options: { uri?: string; headers?: string[] } = {}): string {
  const dialog = call.inviter.dialog as CallDialog;
  // Taken from the dialog's own counter, so the phone's later BYE still has a higher CSeq.
  dialog.incrementLocalSequenceNumber();
  const cseq = dialog.localSequenceNumber!;
  const frame = [
    `${method} ${options.uri ?? dialog.remoteTarget.toString()} SIP/2.0`,
    `Via: SIP/2.0/WSS raw.invalid;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    ...dialog.routeSet.map((r) => `Route: ${r}`),
    `From: <${dialog.localURI.toString()}>;tag=${dialog.localTag}`,
    `To: <${dialog.remoteURI.toString()}>;tag=${dialog.remoteTag}`,
    `Call-ID: ${dialog.callId}`,
    `CSeq: ${cseq} ${method}`,
    ...(options.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  void from.userAgent.transport.send(frame);
  return `${cseq} ${method}`;
}

/** A digest REGISTER over plain TCP SIP (not WebSocket) to the edge's port; the final status. */
async function tcpRegister(port: number, domain: string, user: string, password: string, contact: string): Promise<number> {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  let buffer = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const nextStatus = async (): Promise<{ status: number; frame: string }> => {
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const length = Number(/^Content-Length:\s*(\d+)/im.exec(buffer.slice(0, end))?.[1] ?? 0);
        const frame = buffer.slice(0, end + 4 + length);
        buffer = buffer.slice(end + 4 + length);
        return { status: statusOf(frame)!, frame };
      }
      await withTimeout(new Promise<void>((resolve) => waiters.push(resolve)), 3000, 'no answer over TCP');
    }
  };
  const callId = randomBytes(8).toString('hex');
  const local = `127.0.0.1:${socket.localPort}`;
  const request = (cseq: number, extra: string[]) =>
    rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:${user}@${domain}`, to: `sip:${user}@${domain}`, callId, cseq, headers: [`Contact: <${contact}>;expires=300`, ...extra] })
      .replace(/^Via: SIP\/2\.0\/WS raw\.invalid/m, `Via: SIP/2.0/TCP ${local}`);
  try {
    socket.write(request(1, []));
    const challenge = await nextStatus();
    if (challenge.status !== 401) return challenge.status;
    const nonce = /nonce="([^"]+)"/.exec(headerOf(challenge.frame, 'WWW-Authenticate') ?? '')![1]!;
    const uri = `sip:${domain}`;
    const response = createHash('md5').update(`${ha1(user, domain, password)}:${nonce}:${createHash('md5').update(`REGISTER:${uri}`).digest('hex')}`).digest('hex');
    socket.write(request(2, [`Authorization: Digest username="${user}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`]));
    return (await nextStatus()).status;
  } finally {
    socket.destroy();
  }
}

/** A digest-authenticated INVITE over a raw socket with a Call-ID and From tag of the sender's choosing; the final status. */
async function rawInvite(raw: RawSip, domain: string, user: string, password: string, target: string, callId: string, fromTag: string): Promise<number> {
  const uri = `sip:${target}@${domain}`;
  const request = (cseq: number, extra: string[]) =>
    rawRequest({ method: 'INVITE', uri, from: `sip:${user}@${domain}`, to: uri, callId, cseq, headers: [`Contact: <sip:${user}@${randomBytes(4).toString('hex')}.invalid;transport=ws>`, ...extra] }).replace(/^From: (.*);tag=\w+$/m, `From: $1;tag=${fromTag}`);
  const final = (f: string) => (statusOf(f) ?? 0) >= 200 && headerOf(f, 'Call-ID') === callId;
  raw.send(request(1, []));
  const challenge = await raw.next(final);
  if (statusOf(challenge) !== 401 && statusOf(challenge) !== 407) return statusOf(challenge)!;
  const header = statusOf(challenge) === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const nonce = /nonce="([^"]+)"/.exec(headerOf(challenge, header) ?? '')![1]!;
  const response = createHash('md5').update(`${ha1(user, domain, password)}:${nonce}:${createHash('md5').update(`INVITE:${uri}`).digest('hex')}`).digest('hex');
  const auth = `${statusOf(challenge) === 401 ? 'Authorization' : 'Proxy-Authorization'}: Digest username="${user}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
  raw.send(request(2, [auth]));
  return statusOf(await raw.next(final, 5000))!;
}

describe('Kamailio edge on the platform database', () => {
  const dbName = `highrise_kam_${randomBytes(6).toString('hex')}`;
  const dbUrl = (() => {
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  const outDir = mkdtempSync(join(tmpdir(), 'highrise-kamailio-'));
  let store: AsyncStore & { close(): Promise<void> };
  let kamailio: RunningKamailio | undefined;
  let wsUrl: string;
  const phones: NodePhone[] = [];
  const raws: RawSip[] = [];

  const phone = (slug: string, number: string, password = passwordOf(slug, number), domain = domainOf(slug)) => {
    const p = createNodePhone({ wsUrl, domain, number, password });
    phones.push(p);
    return p;
  };

  async function addTenant(slug: string, numbers: string[], limits: Partial<TenantRow['limits']> = {}): Promise<string> {
    const id = `ten_${slug}${randomBytes(3).toString('hex')}`;
    await store.tenants.insert({ id, resellerId: null, name: slug, slug, status: 'active', limits: { ...LIMITS, ...limits }, createdAt: T0, updatedAt: T0 });
    for (const number of numbers) await addExtension(id, slug, number);
    return id;
  }

  async function addExtension(tenantId: string, slug: string, number: string): Promise<string> {
    const { id } = await store.tenant(systemScope('test fixture', tenantId)).extensions.insert({
      id: `ext_${slug}${number}${randomBytes(3).toString('hex')}`,
      number,
      displayName: `${slug} ${number}`,
      ha1: ha1(number, domainOf(slug), passwordOf(slug, number)),
      createdAt: T0,
      updatedAt: T0,
    });
    return id;
  }

  let acmeId: string;
  /** The stand-in routing endpoint: null drops the connection (the platform unreachable). */
  let decide: ((request: SipRoutingRequest) => SipRoutingDecision) | null = null;
  const routingCalls: { authorization: string | undefined; body: unknown }[] = [];
  let routingServer: Server;
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => resolve(text));
    });

  beforeAll(async () => {
    if (!existsSync(KAMAILIO_BIN)) throw new Error(`${KAMAILIO_BIN} is missing: apt-get install kamailio kamailio-websocket-modules kamailio-postgres-modules … (see .ci/run)`);
    if (!existsSync(cli)) throw new Error('packages/platform/dist/cli.js is missing: npm run build');
    await admin(`CREATE DATABASE ${dbName} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    const migrated = await run(process.execPath, [cli, 'migrate', 'up', '--database-url', dbUrl], { timeout: 30_000 });
    expect(migrated.stdout).toContain('0012 kamailio_edge');
    store = await openKyselyStore({ postgres: { url: dbUrl, poolSize: 2 } });
    acmeId = await addTenant('acme', ['101', '102']);
    await addTenant('globex', ['101', '102']);

    const port = await freePort();
    routingServer = createServer(async (req, res) => {
      const text = await readBody(req);
      // Kamailio also reports how each routed call ended; this stand-in keeps no call records.
      if (req.url === '/internal/sip/call-record') return res.writeHead(204).end();
      routingCalls.push({ authorization: req.headers.authorization, body: JSON.parse(text) as unknown });
      if (!decide) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(decide(SipRoutingRequest.parse(JSON.parse(text)))));
    });
    await new Promise<void>((resolve) => routingServer.listen(0, '127.0.0.1', resolve));
    const routingPort = (routingServer.address() as { port: number }).port;
    const rendered = await run(
      process.execPath,
      [cli, 'kamailio-config', '--database-url', dbUrl, '--platform-url', `http://127.0.0.1:${routingPort}`, '--listen', `127.0.0.1:${port}`, '--out', outDir, '--sip-domain', BASE, '--routing-fallback', 'location', ...(process.env.KAMAILIO_DEBUG ? ['--debug', process.env.KAMAILIO_DEBUG] : [])],
      { timeout: 30_000 },
    );
    expect(rendered.stdout).toContain(`ws://127.0.0.1:${port}/`);
    kamailio = await startKamailio(join(outDir, 'kamailio.cfg'), port);
    console.log(`kamailio (pid ${kamailio.pid}) listening on 127.0.0.1:${port} after ${kamailio.startupMs} ms`);
    wsUrl = `ws://127.0.0.1:${port}/`;
  }, 60_000);

  afterEach((context) => {
    if (context.task.result?.state !== 'fail' || !kamailio) return;
    console.log(`--- kamailio log (the last 20,000 characters) ---\n${kamailio.log().slice(-20_000)}`);
    if (process.env.KAMAILIO_LOG_FILE) writeFileSync(process.env.KAMAILIO_LOG_FILE, kamailio.log());
  });

  afterAll(async () => {
    for (const p of phones) await p.stop().catch(() => {});
    for (const r of raws) await r.close().catch(() => {});
    await kamailio?.stop();
    await new Promise((resolve) => routingServer?.close(resolve));
    await store?.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    rmSync(outDir, { recursive: true, force: true });
  }, 30_000);

  it("registers each tenant's 101 in its own domain and refuses it across domains", async () => {
    const acme101 = phone('acme', '101');
    const globex101 = phone('globex', '101');
    await acme101.start();
    await globex101.start();
    await acme101.register();
    await globex101.register();

    // Acme's 101 password presented in Globex's domain, and a password that is nobody's.
    const crossed = phone('acme', '101', passwordOf('acme', '101'), domainOf('globex'));
    await crossed.start();
    expect(await rejection(crossed.register())).toBe(403);
    const wrong = phone('acme', '101', 'not-the-password');
    await wrong.start();
    expect(await rejection(wrong.register())).toBe(403);
    const nowhere = phone('nowhere', '101', passwordOf('acme', '101'));
    await nowhere.start();
    expect(await rejection(nowhere.register())).toBe(403);

    // usrloc db_mode 3: the registrations are rows any edge node reads.
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const rows = (await client.query<{ username: string; domain: string }>('SELECT username, domain FROM location ORDER BY domain')).rows;
      expect(rows).toEqual([
        { username: '101', domain: domainOf('acme') },
        { username: '101', domain: domainOf('globex') },
      ]);
    } finally {
      await client.end();
    }
  });

  it('puts Acme 102 through to Acme 101 and never rings Globex 101', async () => {
    const acme101 = phone('acme', '101');
    const acme102 = phone('acme', '102');
    const globex101 = phone('globex', '101');
    for (const p of [acme101, acme102, globex101]) {
      await p.start();
      await p.register();
    }
    const call = acme102.call('101', { extraHeaders: [`P-Asserted-Identity: <sip:101@${domainOf('acme')}>`, 'Remote-Party-ID: <sip:911@x>;party=calling'] });
    const incoming = await acme101.nextIncoming(5000);
    await withTimeout(call.ringing, 5000, 'no 180 reached the caller');
    // The identity is what authenticated: asserted identities from the phone are removed.
    const delivered = acme101.received.filter((r) => r.method === 'INVITE').at(-1)!.raw;
    expect(headerOf(delivered, 'P-Asserted-Identity')).toBeUndefined();
    expect(headerOf(delivered, 'Remote-Party-ID')).toBeUndefined();
    expect(headerOf(delivered, 'From')).toContain(`sip:102@${domainOf('acme')}`);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no final answer')).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, "the callee's session did not end on BYE");
    expect(globex101.received.filter((r) => r.method === 'INVITE')).toEqual([]);

    // Dialling, or messaging, Globex's domain from Acme is refused at the wall.
    expect(await withTimeout(acme102.call(`sip:101@${domainOf('globex')}`).outcome, 5000, 'no answer')).toBe(403);
    const messaged = await new Promise<number>((resolve) => {
      new Messager(acme102.userAgent, UserAgent.makeURI(`sip:101@${domainOf('globex')}`)!, 'hello')
        .message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } })
        .catch(() => resolve(0));
    });
    expect(messaged).toBe(403);
    expect(globex101.received.filter((r) => r.method === 'INVITE' || r.method === 'MESSAGE')).toEqual([]);
  });

  it("refuses a forged in-dialog BYE sent from another tenant's socket", async () => {
    const acme101 = phone('acme', '101');
    const acme102 = phone('acme', '102');
    for (const p of [acme101, acme102]) {
      await p.start();
      await p.register();
    }
    const attacker = await openRawSip(wsUrl);
    raws.push(attacker);
    expect(await rawRegister(attacker, domainOf('globex'), '102', passwordOf('globex', '102'))).toBe(200);

    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no final answer')).toBe(200);

    // Everything a BYE from the caller carries, the Route set included, but sent from Globex's socket.
    const invite = acme101.received.filter((r) => r.method === 'INVITE').at(-1)!.raw;
    const route = headerOf(invite, 'Record-Route')!;
    const dialog = call.inviter.dialog!;
    const forged = rawRequest({ method: 'BYE', uri: dialog.remoteTarget.toString(), from: 'x', to: 'x', callId: dialog.callId, cseq: 99, headers: [`Route: ${route}`] })
      .replace(/^From: .*$/m, `From: ${headerOf(invite, 'From')}`)
      .replace(/^To: .*$/m, `To: <sip:101@${domainOf('acme')}>;tag=${dialog.remoteTag}`);
    attacker.send(forged);
    const answer = await attacker.next((f) => statusOf(f) !== undefined && headerOf(f, 'CSeq') === '99 BYE');
    // 481, as for a dialog that does not exist: no oracle for another tenant's live Call-ID.
    expect(statusOf(answer)).toBe(481);
    await new Promise((r) => setTimeout(r, 300));
    expect(acme101.received.filter((r) => r.method === 'BYE')).toEqual([]);

    // The dialog's own party still hangs up.
    await call.hangup();
    await withTimeout(incoming.ended, 5000, "the callee's session did not end on the real BYE");
  });

  /** Acme 102 calls Acme 101, answered; Globex 101 registered alongside. */
  async function answeredAcmeCall() {
    const [acme101, acme102, globex101] = [phone('acme', '101'), phone('acme', '102'), phone('globex', '101')];
    for (const p of [acme101, acme102, globex101]) {
      await p.start();
      await p.register();
    }
    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no final answer')).toBe(200);
    return { acme101, acme102, globex101, call, incoming };
  }

  it("keeps a party's in-dialog requests inside its dialog: a forged Request-URI aiming at another tenant's phone goes nowhere", async () => {
    const { acme101, acme102, globex101, call, incoming } = await answeredAcmeCall();
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const received = (await client.query<{ received: string }>("SELECT received FROM location WHERE username = '101' AND domain = $1 ORDER BY id DESC LIMIT 1", [domainOf('globex')])).rows[0]!.received;
    await client.end();
    // Globex 101's own connection, as the registrar saw it: sip:127.0.0.1:PORT;transport=ws
    const [, host, port] = /^sip:([^:]+):(\d+)/.exec(received)!;
    const forgedTargets = [`sip:101@${host}:${port};transport=ws`, `sip:101@${randomBytes(3).toString('hex')}.invalid;transport=ws;alias=${host}~${port}~5`];
    for (const uri of forgedTargets) {
      sendInDialog(acme102, call, 'INFO', { uri });
      sendInDialog(acme102, call, 'INVITE', { uri });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(globex101.received.filter((r) => r.method === 'INFO' || r.method === 'INVITE')).toEqual([]);
    expect(acme101.received.filter((r) => r.method === 'INFO')).toEqual([]);

    // The dialog's own Request-URI still reaches the other party.
    sendInDialog(acme102, call, 'INFO');
    await withTimeout(
      (async () => {
        while (!acme101.received.some((r) => r.method === 'INFO')) await new Promise((r) => setTimeout(r, 50));
      })(),
      3000,
      'the in-dialog INFO did not reach the callee',
    );
    await call.hangup();
    await withTimeout(incoming.ended, 5000, "the callee's session did not end on BYE");
  });

  it("does not let another tenant's INVITE reusing a live Call-ID become a party of that dialog", async () => {
    const { acme101, call, incoming } = await answeredAcmeCall();
    const dialog = call.inviter.dialog as unknown as CallDialog;
    const attacker = await openRawSip(wsUrl);
    raws.push(attacker);
    // Globex 102's own credentials, Acme's live Call-ID: with the caller's tag, and with one of its own.
    expect(await rawInvite(attacker, domainOf('globex'), '102', passwordOf('globex', '102'), '199', dialog.callId, dialog.localTag)).toBe(403);
    expect(await rawInvite(attacker, domainOf('globex'), '102', passwordOf('globex', '102'), '199', dialog.callId, 'own-tag')).toBeGreaterThanOrEqual(400);
    // Its BYE into Acme's dialog is still refused...
    attacker.send(
      rawInDialog(
        { callId: dialog.callId, from: `<${dialog.localURI.toString()}>;tag=${dialog.localTag}`, to: `<${dialog.remoteURI.toString()}>;tag=${dialog.remoteTag}`, target: dialog.remoteTarget.toString(), cseq: 500 },
        'BYE',
        { headers: dialog.routeSet.map((r) => `Route: ${r}`) },
      ),
    );
    const refused = await attacker.next((f) => headerOf(f, 'CSeq') === '501 BYE');
    // 481, as for a dialog that does not exist (no oracle for a live Call-ID).
    expect(statusOf(refused)).toBe(481);
    expect(acme101.received.filter((r) => r.method === 'BYE')).toEqual([]);
    // ...and the real caller's BYE still ends the call.
    await call.hangup();
    await withTimeout(incoming.ended, 5000, "the callee's session did not end on the real caller's BYE");
  });

  // A quote: JSON to the platform could not carry it, and the call would go unrecorded. A space: the
  // edge could not find the call to end it (a suspended tenant's), or would find another's.
  it.each([
    ['a quote', `'x`],
    ['a space', ` ${'f'.repeat(8)}`],
  ])('refuses an INVITE whose Call-ID holds %s', async (_what, tail) => {
    const raw = await openRawSip(wsUrl);
    raws.push(raw);
    expect(await rawInvite(raw, domainOf('acme'), '102', passwordOf('acme', '102'), '101', `${randomBytes(6).toString('hex')}${tail}`, 'quote-tag')).toBe(400);
    // An ordinary Call-ID from the same phone still gets past this check.
    expect(await rawInvite(raw, domainOf('acme'), '102', passwordOf('acme', '102'), '199', randomBytes(8).toString('hex'), 'plain-tag')).not.toBe(400);
  });

  it('removes identity headers a phone asserts in-dialog too', async () => {
    const { acme101, acme102, call, incoming } = await answeredAcmeCall();
    sendInDialog(acme102, call, 'INFO', { headers: [`P-Asserted-Identity: <sip:911@${domainOf('acme')}>`, `P-Preferred-Identity: <sip:911@${domainOf('acme')}>`, 'Remote-Party-ID: <sip:911@x>;party=calling'] });
    await withTimeout(
      (async () => {
        while (!acme101.received.some((r) => r.method === 'INFO')) await new Promise((r) => setTimeout(r, 50));
      })(),
      3000,
      'the in-dialog INFO did not reach the callee',
    );
    const info = acme101.received.find((r) => r.method === 'INFO')!.raw;
    expect(headerOf(info, 'P-Asserted-Identity')).toBeUndefined();
    expect(headerOf(info, 'P-Preferred-Identity')).toBeUndefined();
    expect(headerOf(info, 'Remote-Party-ID')).toBeUndefined();
    await call.hangup();
    await withTimeout(incoming.ended, 5000, "the callee's session did not end on BYE");
  });

  it('refuses an extension REGISTER over plain TCP (its contact would be dialled as written)', async () => {
    await addExtension(acmeId, 'acme', '162');
    expect(await tcpRegister(kamailio!.port, domainOf('acme'), '162', passwordOf('acme', '162'), 'sip:162@169.254.169.254:80')).toBe(403);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const rows = (await client.query("SELECT contact FROM location WHERE username = '162'")).rows;
    await client.end();
    expect(rows).toEqual([]);
  });

  it("stores a trunk's REGISTER over plain TCP with its own connection as the target, not the contact it wrote", async () => {
    const password = 'trunk-password-tcp-0123456789';
    await store.tenant(systemScope('test fixture', acmeId)).trunks.insert({ id: `trk_${randomBytes(4).toString('hex')}`, name: 'tcp carrier', username: 'trunk-tcp1', ha1: ha1('trunk-tcp1', domainOf('acme'), password), callerId: null, createdAt: T0, updatedAt: T0 });
    expect(await tcpRegister(kamailio!.port, domainOf('acme'), 'trunk-tcp1', password, 'sip:trunk@169.254.169.254:80')).toBe(200);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const rows = (await client.query<{ received: string | null }>("SELECT received FROM location WHERE username = 'trunk-tcp1'")).rows;
    await client.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.received).toMatch(/^sip:127\.0\.0\.1:\d+;transport=tcp$/);
  });

  it('caps an address of record at 10 contacts', async () => {
    await addExtension(acmeId, 'acme', '161');
    const raw = await openRawSip(wsUrl);
    raws.push(raw);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await rawRegister(raw, domainOf('acme'), '161', passwordOf('acme', '161')));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBeGreaterThanOrEqual(400);
  });

  it('registers an extension, and a tenant, created after Kamailio started', async () => {
    await addExtension(acmeId, 'acme', '103');
    const acme103 = phone('acme', '103');
    await acme103.start();
    await acme103.register();

    await addTenant('initech', ['101']);
    const initech101 = phone('initech', '101');
    await initech101.start();
    await initech101.register();
  });

  it('accepts the ephemeral credentials a softphone token carries, only in their own tenant, before they expire and while the extension exists', async () => {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const secret = (await client.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
    // The credentials name the tenant's current signing key (made with its first token).
    const keyId = signingKeyId(await store.tenant(systemScope('test fixture', acmeId)).signingKey.getOrInsert(randomBytes(32).toString('base64url'), T0));
    const acme101Id = (await client.query<{ owner_id: string }>("SELECT owner_id FROM subscriber WHERE username = '101' AND domain = $1", [domainOf('acme')])).rows[0]!.owner_id;
    await client.end();
    const withCredentials = (slug: string, creds: { username: string; password: string }, domain = domainOf(slug)) => {
      const p = createNodePhone({ wsUrl, domain, number: '101', userAgentOptions: { authorizationUsername: creds.username, authorizationPassword: creds.password } });
      phones.push(p);
      return p;
    };
    const later = new Date(Date.now() + 600_000);
    const good = withCredentials('acme', mintEdgeCredentials(secret, { extension: '101', extensionId: acme101Id, keyId, sipDomain: domainOf('acme'), expiresAt: later }));
    await good.start();
    await good.register();

    const crossed = withCredentials('acme', mintEdgeCredentials(secret, { extension: '101', extensionId: acme101Id, keyId, sipDomain: domainOf('acme'), expiresAt: later }), domainOf('globex'));
    await crossed.start();
    expect(await rejection(crossed.register())).toBe(403);
    const expired = withCredentials('acme', mintEdgeCredentials(secret, { extension: '101', extensionId: acme101Id, keyId, sipDomain: domainOf('acme'), expiresAt: new Date(Date.now() - 1000) }));
    await expired.start();
    expect(await rejection(expired.register())).toBe(403);
    const forgedKey = withCredentials('acme', mintEdgeCredentials('not-the-edge-secret', { extension: '101', extensionId: acme101Id, keyId, sipDomain: domainOf('acme'), expiresAt: later }));
    await forgedKey.start();
    expect(await rejection(forgedKey.register())).toBe(403);

    // Credentials outlive nothing: the extension deleted after minting is refused at once.
    const temp = await addExtension(acmeId, 'acme', '150');
    const minted = mintEdgeCredentials(secret, { extension: '150', extensionId: temp, keyId, sipDomain: domainOf('acme'), expiresAt: later });
    const before = createNodePhone({ wsUrl, domain: domainOf('acme'), number: '150', userAgentOptions: { authorizationUsername: minted.username, authorizationPassword: minted.password } });
    phones.push(before);
    await before.start();
    await before.register();
    await store.tenant(systemScope('test fixture', acmeId)).extensions.delete(temp);
    const after = createNodePhone({ wsUrl, domain: domainOf('acme'), number: '150', userAgentOptions: { authorizationUsername: minted.username, authorizationPassword: minted.password } });
    phones.push(after);
    await after.start();
    expect(await rejection(after.register())).toBe(403);

    // Nor a 150 created again in its place: the credentials name the deleted row, not the number.
    const recreated = await addExtension(acmeId, 'acme', '150');
    const withOld = createNodePhone({ wsUrl, domain: domainOf('acme'), number: '150', userAgentOptions: { authorizationUsername: minted.username, authorizationPassword: minted.password } });
    phones.push(withOld);
    await withOld.start();
    expect(await rejection(withOld.register())).toBe(403);
    const fresh = mintEdgeCredentials(secret, { extension: '150', extensionId: recreated, keyId, sipDomain: domainOf('acme'), expiresAt: later });
    const withFresh = createNodePhone({ wsUrl, domain: domainOf('acme'), number: '150', userAgentOptions: { authorizationUsername: fresh.username, authorizationPassword: fresh.password } });
    phones.push(withFresh);
    await withFresh.start();
    await withFresh.register();
  });

  it("takes a token's credentials only while they name the tenant's current signing key, and those minted before migration 0026 (no key id) only until the key they were minted under is rotated", async () => {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const tenantId = await addTenant('keyco', ['101']);
      const domain = domainOf('keyco');
      const scope = store.tenant(systemScope('test fixture', tenantId));
      const secret = (await client.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
      const extensionId = (await client.query<{ owner_id: string }>("SELECT owner_id FROM subscriber WHERE username = '101' AND domain = $1", [domain])).rows[0]!.owner_id;
      const seed = await scope.signingKey.getOrInsert(randomBytes(32).toString('base64url'), T0);
      // What migration 0026 recorded for every key that existed when it ran.
      await client.query('INSERT INTO kamailio_legacy_token_keys (tenant_id, key_id) VALUES ($1, $2)', [tenantId, signingKeyId(seed)]);
      const later = new Date(Date.now() + 600_000);
      const minted = (keyId: string) => mintEdgeCredentials(secret, { extension: '101', extensionId, keyId, sipDomain: domain, expiresAt: later });
      // The username as the platform minted it before 0026: <expiry>:<ext>.<extension id>@<domain>.
      const legacyUsername = `${Math.floor(later.getTime() / 1000)}:101.${extensionId}@${domain}`;
      const legacy = { username: legacyUsername, password: createHmac('sha1', secret).update(legacyUsername).digest('base64') };
      const register = async (creds: { username: string; password: string }) => {
        const p = createNodePhone({ wsUrl, domain, number: '101', userAgentOptions: { authorizationUsername: creds.username, authorizationPassword: creds.password } });
        phones.push(p);
        await p.start();
        return rejection(p.register());
      };
      const bindings = async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM location WHERE lower(domain) = $1', [domain])).rows[0]!.n);

      expect(await register(minted(signingKeyId(seed)))).toBe(200);
      expect(await register(legacy)).toBe(200);
      // Well signed, but naming a key that is not the tenant's.
      expect(await register(minted(signingKeyId('some other seed')))).toBe(403);
      expect(await bindings()).toBe(2);

      const rotated = randomBytes(32).toString('base64url');
      await scope.signingKey.set(rotated, T0);
      expect(await bindings()).toBe(0);
      expect(await register(minted(signingKeyId(seed)))).toBe(403);
      expect(await register(legacy)).toBe(403);
      expect(await register(minted(signingKeyId(rotated)))).toBe(200);
    } finally {
      await client.end();
    }
  });

  it('refuses a suspended tenant and a deleted extension on their very next REGISTER', async () => {
    const hooliId = await addTenant('hooli', ['101']);
    const gone = await addExtension(hooliId, 'hooli', '102');
    const hooli101 = phone('hooli', '101');
    const hooli102 = phone('hooli', '102');
    await hooli101.start();
    await hooli102.start();
    await hooli101.register();
    await hooli102.register();

    await store.tenant(systemScope('test fixture', hooliId)).extensions.delete(gone);
    expect(await rejection(phone('hooli', '102').start().then(() => phones.at(-1)!.register()))).toBe(403);
    await store.tenants.update(hooliId, { status: 'suspended', updatedAt: new Date().toISOString() });
    expect(await rejection(phone('hooli', '101').start().then(() => phones.at(-1)!.register()))).toBe(403);
  });

  it("lets a tenant's trunk register under its own username in its own domain only", async () => {
    const trunkPassword = 'trunk-password-0123456789';
    await store.tenant(systemScope('test fixture', acmeId)).trunks.insert({ id: `trk_${randomBytes(4).toString('hex')}`, name: 'carrier', username: 'trunk-abc123', ha1: ha1('trunk-abc123', domainOf('acme'), trunkPassword), callerId: null, createdAt: T0, updatedAt: T0 });
    const trunk = phone('acme', 'trunk-abc123', trunkPassword);
    await trunk.start();
    await trunk.register();
    const elsewhere = phone('acme', 'trunk-abc123', trunkPassword, domainOf('globex'));
    await elsewhere.start();
    expect(await rejection(elsewhere.register())).toBe(403);
  });

  it("holds a tenant to its channel limit with a dialog profile, and gives the channel back on BYE", async () => {
    await addTenant('limited', ['101', '102', '103'], { channels: 1 });
    const [l101, l102, l103] = [phone('limited', '101'), phone('limited', '102'), phone('limited', '103')];
    for (const p of [l101, l102, l103]) {
      await p.start();
      await p.register();
    }
    const first = l102.call('101');
    const incoming = await l101.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(first.outcome, 5000, 'no answer')).toBe(200);
    // The tenant's one channel is taken: a second call is refused at the edge.
    expect(await withTimeout(l103.call('101').outcome, 5000, 'no answer')).toBe(403);
    await first.hangup();
    await withTimeout(incoming.ended, 5000, 'no BYE');

    const second = l103.call('101');
    const again = await l101.nextIncoming(5000);
    await again.reject(486);
    expect(await withTimeout(second.outcome, 5000, 'no answer')).toBe(486);
  });

  it('keeps the channel counted when a BYE is refused, and gives it back on the proper BYE', async () => {
    await addTenant('strict', ['101', '102', '103'], { channels: 1 });
    const [s101, s102, s103] = [phone('strict', '101'), phone('strict', '102'), phone('strict', '103')];
    for (const p of [s101, s102, s103]) {
      await p.start();
      await p.register();
    }
    const first = s102.call('101');
    const incoming = await s101.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(first.outcome, 5000, 'no answer')).toBe(200);
    // The caller's own BYE, on its own connection, but refused: a Request-URI that is not the callee,
    // and a Via without a branch.
    sendInDialog(s102, first, 'BYE', { uri: `sip:101@127.0.0.1:1;transport=ws` });
    const dialog = first.inviter.dialog as unknown as CallDialog;
    const noBranch = rawInDialog(
      { callId: dialog.callId, from: `<${dialog.localURI.toString()}>;tag=${dialog.localTag}`, to: `<${dialog.remoteURI.toString()}>;tag=${dialog.remoteTag}`, target: dialog.remoteTarget.toString(), cseq: 1000 },
      'BYE',
      { branch: null, headers: dialog.routeSet.map((r) => `Route: ${r}`) },
    ).replace(/^Via: SIP\/2\.0\/WS /m, 'Via: SIP/2.0/WSS ');
    void s102.userAgent.transport.send(noBranch);
    await new Promise((r) => setTimeout(r, 500));
    expect(s101.received.filter((r) => r.method === 'BYE')).toEqual([]);
    // Still one call up: the tenant's one channel is still taken.
    expect(await withTimeout(s103.call('101').outcome, 5000, 'no answer')).toBe(403);
    await first.hangup();
    await withTimeout(incoming.ended, 5000, 'no BYE');
    const second = s103.call('101');
    const again = await s101.nextIncoming(5000);
    await again.reject(486);
    expect(await withTimeout(second.outcome, 5000, 'no answer')).toBe(486);
  });

  it('lets exactly one of several parallel INVITEs through a channel limit of 1', async () => {
    const callers = ['102', '103', '104', '105', '106', '107'];
    await addTenant('racy', ['101', ...callers], { channels: 1 });
    const callee = phone('racy', '101');
    await callee.start();
    await callee.register();
    const phonesOf = callers.map((n) => phone('racy', n));
    for (const p of phonesOf) {
      await p.start();
      await p.register();
    }
    const calls = phonesOf.map((p) => p.call('101'));
    const outcomes: number[] = [];
    for (const c of calls) void c.outcome.then((status) => outcomes.push(status), () => {});
    // The callee never answers: every call that got through rings until cancelled.
    await new Promise((r) => setTimeout(r, 2500));
    const through = callee.received.filter((r) => r.method === 'INVITE').length;
    for (const c of calls) await c.hangup().catch(() => {});
    expect({ through, refused: outcomes.filter((o) => o === 403).length }).toEqual({ through: 1, refused: callers.length - 1 });
  }, 30_000);

  it('holds a tenant to its messages per minute', async () => {
    await addTenant('chatty', ['101', '102'], { messagesPerMinute: 2 });
    const [c101, c102] = [phone('chatty', '101'), phone('chatty', '102')];
    for (const p of [c101, c102]) {
      await p.start();
      await p.register();
    }
    const send = (text: string) =>
      new Promise<number>((resolve) => {
        new Messager(c102.userAgent, UserAgent.makeURI(`sip:101@${domainOf('chatty')}`)!, text)
          .message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } })
          .catch(() => resolve(0));
      });
    // The edge counts per tenant and clock minute: keep the three sends inside one minute.
    const seconds = new Date().getUTCSeconds();
    if (seconds >= 55) await new Promise((r) => setTimeout(r, (60 - seconds) * 1000 + 200));
    expect([await send('one'), await send('two'), await send('three')]).toEqual([200, 200, 403]);
    expect(c101.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(2);
  });

  it('kamailio-config refuses a base domain other than the one this database already uses, and keeps its secrets', async () => {
    const other = mkdtempSync(join(tmpdir(), 'highrise-kamailio-other-'));
    try {
      const args = ['kamailio-config', '--database-url', dbUrl, '--platform-url', 'http://127.0.0.1:1', '--listen', '127.0.0.1:5999', '--out', other];
      const refused = await run(process.execPath, [cli, ...args, '--sip-domain', 'sip.example.com']).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toContain('pass --sip-domain sip.localhost');
      // Rendering again (another node) gives the same secrets: every node accepts the others' nonces.
      await run(process.execPath, [cli, ...args]);
      const secretsOf = (text: string) => text.split('\n').filter((line) => /"secret"/.test(line));
      expect(secretsOf(readFileSync(join(other, 'kamailio.cfg'), 'utf8'))).toEqual(secretsOf(readFileSync(join(outDir, 'kamailio.cfg'), 'utf8')));
      expect(secretsOf(readFileSync(join(other, 'kamailio.cfg'), 'utf8'))).toHaveLength(2);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("runs as its own restricted role (--kamailio-database-url) and answers 503, not a dial-plan bypass, when the routing endpoint is unreachable", async () => {
    // The role deploy/kamailio/README.md documents, with exactly its grants.
    const role = `kam_${randomBytes(4).toString('hex')}`;
    const other = mkdtempSync(join(tmpdir(), 'highrise-kamailio-role-'));
    let second: RunningKamailio | undefined;
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      await client.query(`CREATE ROLE ${role} LOGIN`);
      await client.query(`GRANT SELECT ON version, domain, domain_attrs, subscriber TO ${role}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON location, location_attrs TO ${role}`);
      await client.query(`GRANT USAGE ON SEQUENCE location_id_seq, location_attrs_id_seq TO ${role}`);
      await client.query(`GRANT INSERT ON kamailio_call_outbox TO ${role}`);
      await client.query(`GRANT USAGE ON SEQUENCE kamailio_call_outbox_id_seq TO ${role}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON kamailio_channels, kamailio_message_counts TO ${role}`);
      await client.query(`GRANT SELECT, DELETE ON kamailio_revoked_connections TO ${role}`);
      await client.query(`GRANT SELECT, DELETE ON kamailio_ended_calls TO ${role}`);
      const kamailioUrl = new URL(dbUrl);
      kamailioUrl.username = role;
      kamailioUrl.password = '';
      const port = await freePort();
      await run(process.execPath, [cli, 'kamailio-config', '--database-url', dbUrl, '--kamailio-database-url', kamailioUrl.toString(), '--platform-url', 'http://127.0.0.1:1', '--listen', `127.0.0.1:${port}`, '--out', other]);
      const cfg = readFileSync(join(other, 'kamailio.cfg'), 'utf8');
      expect(cfg).toContain(`#!define DBURL "postgres://${role}@`);
      expect(cfg).not.toContain(`"${new URL(dbUrl).username}@`);
      second = await startKamailio(join(other, 'kamailio.cfg'), port);
      const at = (number: string) => {
        const p = createNodePhone({ wsUrl: `ws://127.0.0.1:${port}/`, domain: domainOf('acme'), number, password: passwordOf('acme', number) });
        phones.push(p);
        return p;
      };
      const [acme101, acme102] = [at('101'), at('102')];
      for (const p of [acme101, acme102]) {
        await p.start();
        await p.register();
      }
      expect(await withTimeout(acme102.call('101').outcome, 5000, 'no answer')).toBe(503);
      await new Promise((r) => setTimeout(r, 200));
      expect(acme101.received.filter((r) => r.method === 'INVITE')).toEqual([]);
      // The role's grants are enough for the tenant's shared channel count (no fallback to this node's).
      expect(second.log()).not.toContain('shared channel count unavailable');
      // …and for the queue of connections to close (migration 0022): the node takes what is queued for it.
      const socket = `tcp:127.0.0.1:${port}`;
      await client.query("INSERT INTO kamailio_revoked_connections (socket, received) VALUES ($1, 'sip:127.0.0.1:9;transport=ws')", [socket]);
      await vi.waitFor(async () => expect((await client.query('SELECT 1 FROM kamailio_revoked_connections WHERE socket = $1', [socket])).rowCount).toBe(0), { timeout: 5000, interval: 100 });
      expect(second.log()).not.toContain('revoked: no queue');
      // …and for the queue of calls to end (migration 0024), read on the same timer.
      expect(second.log()).not.toContain('ended: no queue');
      // …and for a token's credentials: the view gives the signing key's id, while the seed stays out of reach.
      const seed = await store.tenant(systemScope('test fixture', acmeId)).signingKey.getOrInsert(randomBytes(32).toString('base64url'), T0);
      const secret = (await client.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.ephemeral_secret'")).rows[0]!.value;
      const acme101Id = (await client.query<{ owner_id: string }>("SELECT owner_id FROM subscriber WHERE username = '101' AND domain = $1", [domainOf('acme')])).rows[0]!.owner_id;
      const creds = mintEdgeCredentials(secret, { extension: '101', extensionId: acme101Id, keyId: signingKeyId(seed), sipDomain: domainOf('acme'), expiresAt: new Date(Date.now() + 600_000) });
      const token101 = createNodePhone({ wsUrl: `ws://127.0.0.1:${port}/`, domain: domainOf('acme'), number: '101', userAgentOptions: { authorizationUsername: creds.username, authorizationPassword: creds.password } });
      phones.push(token101);
      await token101.start();
      await token101.register();
      expect((await client.query(`SELECT has_table_privilege('${role}', 'tenant_signing_keys', 'SELECT') AS ok`)).rows[0]).toEqual({ ok: false });
      for (const p of [acme101, acme102, token101]) await p.stop().catch(() => {});
    } finally {
      await second?.stop();
      await client.query(`DROP OWNED BY ${role}`).catch(() => {});
      await client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await client.end();
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);

  describe('with the routing endpoint answering (a stand-in for the platform)', () => {
    afterEach(() => {
      decide = null;
    });

    it("asks with the caller's tenant and the edge secret, and answers a reject decision with its status", async () => {
      const acme102 = phone('acme', '102');
      await acme102.start();
      await acme102.register();
      decide = () => ({ action: 'reject', status: 404, reason: 'No Such Number' });
      routingCalls.length = 0;
      expect(await withTimeout(acme102.call('555').outcome, 5000, 'no answer')).toBe(404);

      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      const edgeSecret = (await client.query<{ value: string }>("SELECT value FROM settings WHERE key = 'kamailio.edge_secret'")).rows[0]!.value;
      await client.end();
      expect(routingCalls).toHaveLength(1);
      // HTTP Basic, user `kamailio`: all Kamailio's named http_client connections (one per platform node) can send.
      expect(routingCalls[0]!.authorization).toBe(`Basic ${Buffer.from(`kamailio:${edgeSecret}`).toString('base64')}`);
      expect(SipRoutingRequest.parse(routingCalls[0]!.body)).toMatchObject({ tenantId: acmeId, source: 'extension', from: '102', to: '555', domain: domainOf('acme') });
    });

    it('rings every branch of a parallel route decision, in the tenant only', async () => {
      await addExtension(acmeId, 'acme', '104');
      const [acme101, acme102, acme104, globex101] = [phone('acme', '101'), phone('acme', '102'), phone('acme', '104'), phone('globex', '101')];
      for (const p of [acme101, acme102, acme104, globex101]) {
        await p.start();
        await p.register();
      }
      decide = (request) => ({
        action: 'route',
        version: '1.0',
        routing: 'parallel',
        routes: [{ uri: `sip:101@${request.domain}` }, { uri: `sip:104@${request.domain}` }],
      });
      const call = acme102.call('200');
      const [ringing101, ringing104] = await Promise.all([acme101.nextIncoming(5000), acme104.nextIncoming(5000)]);
      await ringing104.answer();
      expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
      await withTimeout(ringing101.ended, 5000, 'the other branch was not cancelled');
      await call.hangup();
      await withTimeout(ringing104.ended, 5000, 'no BYE');
      expect(globex101.received.filter((r) => r.method === 'INVITE')).toEqual([]);
    });
  });
});
