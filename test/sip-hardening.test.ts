/**
 * Hardening of the SIP-over-WebSocket edge: a softphone token's connection ends with the token,
 * a suspended tenant's domain answers exactly like a domain nobody has, and strangers cannot hold
 * unbounded or endless anonymous sockets.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type PlatformOptions } from '@highrise/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The API's minimum token life is 60 s; a test token of a few seconds is minted with the tenant's
// real signing key, through the platform's own issuing code, on the platform's own database.
import { issueSoftphoneToken, loadPlatformSecret } from '../packages/platform/src/domain/softphone-tokens';
import { DEFAULT_AUDIT_KEY_FILE, loadAuditKeyFile } from '../packages/platform/src/domain/audit-key';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { accessTenant } from '../packages/platform/src/domain/tenants';
import { openSourceStore, PROVIDER } from './support/source-store';
import { digestAuthorization, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type RawSip } from './support/sip-node';
import { api, createExtension, createSoftphoneToken, createTenant, type ProvisionedTenant } from './support/sip-provision';

const KEY = 'hr_test_bootstrap_key_0007';
const BASE_DOMAIN = 'sip.localhost';
const password = (tenant: ProvisionedTenant, number: string) => `hardening-${tenant.slug}-${number}`;
const contact = (name: string) => `Contact: <sip:${name}@raw.invalid;transport=ws>`;

type Running = TestPlatform;

const start = (options: PlatformOptions = {}): Promise<Running> =>
  startTestPlatform('sip-hardening', { bootstrapKey: KEY, sipDomain: BASE_DOMAIN, ...options });

async function stop(running: Running | undefined): Promise<void> {
  await running?.close();
}

async function provision(running: Running, slug: string, numbers: string[]): Promise<ProvisionedTenant> {
  const tenant = await createTenant(running.platform.url, KEY, `Tenant ${slug}`, slug);
  for (const number of numbers) await createExtension(running.platform.url, KEY, tenant.id, number, password(tenant, number));
  return tenant;
}

async function shortLivedToken(running: Running, tenant: ProvisionedTenant, extension: string, ttlSeconds: number) {
  // The tenant's signing seed is made through the platform first: a seed made by this second
  // connection would reach the edge's in-memory directory only with the next data_version poll.
  await createSoftphoneToken(running.platform.url, KEY, tenant.id, extension);
  const store = await openSourceStore(running);
  try {
    const ctx = { store, baseSipDomain: BASE_DOMAIN, now: () => new Date(), auditKey: loadAuditKeyFile(join(running.dataDir, DEFAULT_AUDIT_KEY_FILE), () => {}) };
    const access = await accessTenant(ctx, PROVIDER, tenant.id);
    return await issueSoftphoneToken(ctx, await loadPlatformSecret(store), access, { extension, ttlSeconds, edge: { wsUrls: [running.platform.wsUrl] } });
  } finally {
    await store.close();
  }
}

function register(domain: string, number: string, headers: string[]): string {
  return rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:${number}@${domain}`, to: `sip:${number}@${domain}`, headers });
}

/** REGISTER with digest on a raw socket: challenge, then credentials. Returns the final answer. */
async function digestRegister(raw: RawSip, domain: string, number: string, secret: string): Promise<string> {
  raw.send(register(domain, number, [contact(`r${number}`)]));
  const challenge = await raw.next();
  expect(statusOf(challenge)).toBe(401);
  const authorization = digestAuthorization(headerOf(challenge, 'WWW-Authenticate')!, { username: number, password: secret, method: 'REGISTER', uri: `sip:${domain}` });
  raw.send(register(domain, number, [contact(`r${number}`), authorization]));
  return raw.next();
}

/** What a response looks like with everything that legitimately differs per request masked out. */
function shape(frame: string, domain: string): string[] {
  return frame
    .split('\r\n')
    .map((line) =>
      line
        .replaceAll(domain, '<domain>')
        .replace(/nonce="[^"]*"/, 'nonce="<nonce>"')
        .replace(/tag=[^;>\s]+/g, 'tag=<tag>')
        .replace(/branch=[^;\s]+/, 'branch=<branch>')
        .replace(/^Call-ID: .*/i, 'Call-ID: <id>'),
    );
}

/** Whether `closed` is still pending after `ms`. */
async function stillOpenAfter(raw: RawSip, ms: number): Promise<boolean> {
  const open = Symbol('open');
  return (await Promise.race([raw.closed, new Promise((resolve) => setTimeout(() => resolve(open), ms))])) === open;
}

/** A 200 for a request a raw socket received, so its sender's transaction ends normally. */
function okFor(request: string): string {
  const lines = ['Via', 'From', 'Call-ID', 'CSeq'].map((name) => `${name}: ${headerOf(request, name)}`);
  return ['SIP/2.0 200 OK', ...lines, `To: ${headerOf(request, 'To')};tag=${randomBytes(4).toString('hex')}`, 'Content-Length: 0', '', ''].join('\r\n');
}

describe('the edge with default limits', () => {
  let running: Running;
  let acme: ProvisionedTenant;
  let initech: ProvisionedTenant;

  beforeAll(async () => {
    running = await start();
    acme = await provision(running, 'acme', ['101', '102']);
    initech = await provision(running, 'initech', ['101']);
    await api(running.platform.url, KEY, 'POST', `/v1/tenants/${initech.id}/suspend`);
  });

  afterAll(() => stop(running));

  const registrations = async (tenant: ProvisionedTenant) =>
    (await api<{ registrations: { used: number } }>(running.platform.url, KEY, 'GET', `/v1/tenants/${tenant.id}/usage`)).registrations.used;

  describe('a connection opened with a softphone token', () => {
    it('grants a REGISTER no longer than the token has left to live', async () => {
      const issued = await shortLivedToken(running, acme, '101', 30);
      const raw = await openRawSip(`${running.platform.wsUrl}?token=${encodeURIComponent(issued.token)}`);
      raw.send(register(acme.sipDomain, '101', [contact('capped'), 'Expires: 3600']));
      const answer = await raw.next();
      expect(statusOf(answer)).toBe(200);
      const granted = Number(/expires=(\d+)/.exec(headerOf(answer, 'Contact')!)![1]);
      expect(granted).toBeGreaterThan(0);
      expect(granted).toBeLessThanOrEqual(30);
      await raw.close();
    });

    it('is closed with 4401 token_expired when the token expires, and its registration goes with it', async () => {
      const issued = await shortLivedToken(running, acme, '101', 3);
      const callee = await openRawSip(`${running.platform.wsUrl}?token=${encodeURIComponent(issued.token)}`);
      const caller = await openRawSip(`${running.platform.wsUrl}?token=${encodeURIComponent(await createSoftphoneToken(running.platform.url, KEY, acme.id, '102'))}`);
      callee.send(register(acme.sipDomain, '101', [contact('expiring')]));
      expect(statusOf(await callee.next())).toBe(200);
      expect(await registrations(acme)).toBe(1);

      const message = () => rawRequest({ method: 'MESSAGE', uri: `sip:101@${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, body: 'hi' });
      caller.send(message());
      const delivered = await callee.next();
      expect(delivered).toMatch(/^MESSAGE /);
      callee.send(okFor(delivered));
      expect(statusOf(await caller.next())).toBe(200);

      const closed = await withTimeout(callee.closed, 6000, 'the socket outlived its token');
      expect(closed).toEqual({ code: 4401, reason: 'token_expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(issued.expiresAt.getTime() - 100);
      expect(await registrations(acme)).toBe(0);
      caller.send(message());
      expect(statusOf(await caller.next())).toBe(480);
      await caller.close();
    });
  });

  describe("a suspended tenant's domain", () => {
    const unknownDomain = `nobody-here.${BASE_DOMAIN}`;

    it.each([
      ['REGISTER', '101'],
      ['INVITE', '101'],
      ['MESSAGE', '101'],
      // A carrier trunk's username takes another path through the edge; it must not tell either.
      ['REGISTER', 'trunk-0123456789ab'],
      ['INVITE', 'trunk-0123456789ab'],
    ])('answers %s from %s without credentials exactly as an unknown domain does', async (method, user) => {
      const raw = await openRawSip(running.platform.wsUrl);
      const send = (domain: string) =>
        raw.send(
          rawRequest({
            method,
            uri: method === 'REGISTER' ? `sip:${domain}` : `sip:101@${domain}`,
            from: `sip:${user}@${domain}`,
            to: `sip:${method === 'REGISTER' ? user : '101'}@${domain}`,
            headers: [contact('probe')],
          }),
        );
      send(initech.sipDomain);
      const suspended = await raw.next();
      send(unknownDomain);
      const unknown = await raw.next();
      expect(statusOf(suspended)).toBe(method === 'REGISTER' ? 401 : 407);
      expect(shape(suspended, initech.sipDomain)).toEqual(shape(unknown, unknownDomain));
      await raw.close();
    });

    it('refuses the right password with the very answer a wrong password or an unknown domain gets', async () => {
      const attempt = async (domain: string, secret: string) => {
        const raw = await openRawSip(running.platform.wsUrl);
        const answer = await digestRegister(raw, domain, '101', secret);
        await raw.close();
        return answer;
      };
      const right = await attempt(initech.sipDomain, password(initech, '101'));
      const wrong = await attempt(initech.sipDomain, 'not-the-password');
      const unknown = await attempt(unknownDomain, password(initech, '101'));
      expect(statusOf(right)).toBe(403);
      expect(shape(right, initech.sipDomain)).toEqual(shape(wrong, initech.sipDomain));
      expect(shape(right, initech.sipDomain)).toEqual(shape(unknown, unknownDomain));
      expect(await registrations(initech)).toBe(0);
    });
  });
});

describe('connection limits', () => {
  let running: Running;
  const opened: RawSip[] = [];
  const open = async (localAddress: string) => {
    const raw = await openRawSip(running.platform.wsUrl, { localAddress });
    opened.push(raw);
    return raw;
  };

  beforeAll(async () => {
    running = await start({ sipLimits: { maxConnections: 5, maxConnectionsPerAddress: 3 } });
  });

  afterAll(async () => {
    await Promise.all(opened.map((raw) => raw.close()));
    await stop(running);
  });

  it('refuses a WebSocket past the per-address cap and past the global cap with HTTP 503, and admits again once one closes', async () => {
    const first = [await open('127.0.0.1'), await open('127.0.0.1'), await open('127.0.0.1')];
    await expect(open('127.0.0.1')).rejects.toThrow('upgrade refused: 503');
    // Another address is still welcome, up to the edge's total.
    await open('127.0.0.2');
    await open('127.0.0.2');
    await expect(open('127.0.0.3')).rejects.toThrow('upgrade refused: 503');

    // The sockets admitted are served normally.
    first[1]!.send(rawRequest({ method: 'OPTIONS', uri: `sip:${BASE_DOMAIN}`, from: `sip:probe@${BASE_DOMAIN}`, to: `sip:${BASE_DOMAIN}` }));
    expect(statusOf(await first[1]!.next())).toBe(200);

    await first[0]!.close();
    await vi.waitFor(() => expect(open('127.0.0.1')).resolves.toBeDefined(), { timeout: 3000 });
  });
});

describe('sockets that never authenticate', () => {
  let running: Running;
  let acme: ProvisionedTenant;

  beforeAll(async () => {
    running = await start({ sipLimits: { authenticationTimeoutMs: 500 } });
    acme = await provision(running, 'acme', ['101', '102']);
  });

  afterAll(() => stop(running));

  it('are closed with 4408 authentication_timeout, keep-alives and failed attempts notwithstanding', async () => {
    const raw = await openRawSip(running.platform.wsUrl);
    const opened = Date.now();
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:probe@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` }));
    expect(statusOf(await raw.next())).toBe(200);
    expect(statusOf(await digestRegister(raw, acme.sipDomain, '101', 'wrong-password'))).toBe(403);
    expect(await withTimeout(raw.closed, 3000, 'the anonymous socket was never closed')).toEqual({ code: 4408, reason: 'authentication_timeout' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(450);
  });

  it('stay open once a digest REGISTER succeeded, and a token-bound socket stays open from the start', async () => {
    const digest = await openRawSip(running.platform.wsUrl);
    expect(statusOf(await digestRegister(digest, acme.sipDomain, '101', password(acme, '101')))).toBe(200);
    const token = await openRawSip(`${running.platform.wsUrl}?token=${encodeURIComponent(await createSoftphoneToken(running.platform.url, KEY, acme.id, '102'))}`);
    expect(await stillOpenAfter(digest, 1200)).toBe(true);
    expect(await stillOpenAfter(token, 0)).toBe(true);
    digest.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:101@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` }));
    expect(statusOf(await digest.next())).toBe(200);
    await Promise.all([digest.close(), token.close()]);
  });

  it("stay open once a carrier trunk's REGISTER succeeded", async () => {
    const trunk = await api<{ username: string; password: string }>(running.platform.url, KEY, 'POST', `/v1/tenants/${acme.id}/trunks`, { name: 'Carrier' });
    const raw = await openRawSip(running.platform.wsUrl);
    expect(statusOf(await digestRegister(raw, acme.sipDomain, trunk.username, trunk.password))).toBe(200);
    expect(await stillOpenAfter(raw, 1200)).toBe(true);
    await raw.close();
  });
});
