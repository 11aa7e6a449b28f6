/**
 * The SIP edge answers REGISTER from its in-memory directory (issue 9), never the database: a change
 * made through the API must be what the very next REGISTER meets, with no wait and no retry. Real
 * platform, changes through the real SDK, REGISTERs as raw frames on fresh sockets, each sent the
 * moment the API call returned.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Highrise } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { headerOf, openRawSip, rawRequest, statusOf, withTimeout, type RawSip } from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_directory_cache_1';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const sockets: RawSip[] = [];
let slugs = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-directory-cache', { bootstrapKey: KEY });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await testPlatform?.close();
});

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/** The final answer to a digest REGISTER on a fresh socket (401 challenge first, then the credentials). */
async function registerStatus(domain: string, number: string, password: string): Promise<number | undefined> {
  const socket = await openRawSip(platform.wsUrl);
  sockets.push(socket);
  const request = (headers: string[]) =>
    rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:${number}@${domain}`, to: `sip:${number}@${domain}`, headers: [`Contact: <sip:c${number}@raw.invalid;transport=ws>`, ...headers] });
  socket.send(request([]));
  const challenge = await socket.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100);
  if (statusOf(challenge) !== 401) return statusOf(challenge);
  const header = headerOf(challenge, 'WWW-Authenticate')!;
  const realm = /realm="([^"]*)"/.exec(header)![1]!;
  const nonce = /nonce="([^"]*)"/.exec(header)![1]!;
  const cnonce = randomBytes(8).toString('hex');
  const uri = `sip:${domain}`;
  const response = md5(`${md5(`${number}:${realm}:${password}`)}:${nonce}:00000001:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`);
  socket.send(
    request([`Authorization: Digest username="${number}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`]),
  );
  return statusOf(await socket.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100));
}

async function newTenant() {
  const slug = `dircache-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  return { tenant, api: hr.tenant(tenant.id) };
}

describe("the edge's directory", () => {
  it('knows a tenant created a moment ago and an extension created a moment ago', async () => {
    const { tenant, api } = await newTenant();
    await api.extensions.create({ number: '301', displayName: 'New', sipPassword: 'fresh-password-301' });
    expect(await registerStatus(tenant.sipDomain, '301', 'fresh-password-301')).toBe(200);
  });

  it('holds a changed password from the next REGISTER on: the old one is refused, the new one accepted', async () => {
    const { tenant, api } = await newTenant();
    const ext = await api.extensions.create({ number: '302', displayName: 'Changing', sipPassword: 'first-password-302' });
    expect(await registerStatus(tenant.sipDomain, '302', 'first-password-302')).toBe(200);
    await api.extensions.update(ext.id, { sipPassword: 'second-password-302' });
    expect(await registerStatus(tenant.sipDomain, '302', 'first-password-302')).toBe(403);
    expect(await registerStatus(tenant.sipDomain, '302', 'second-password-302')).toBe(200);
  });

  it('refuses the next REGISTER of a suspended tenant, and accepts it again on resume', async () => {
    const { tenant, api } = await newTenant();
    await api.extensions.create({ number: '303', displayName: 'Suspended', sipPassword: 'some-password-303' });
    await hr.tenants.suspend(tenant.id);
    expect(await registerStatus(tenant.sipDomain, '303', 'some-password-303')).toBe(403);
    await hr.tenants.resume(tenant.id);
    expect(await registerStatus(tenant.sipDomain, '303', 'some-password-303')).toBe(200);
  });

  it('forgets a deleted extension at once', async () => {
    const { tenant, api } = await newTenant();
    const ext = await api.extensions.create({ number: '304', displayName: 'Gone', sipPassword: 'gone-password-304' });
    expect(await registerStatus(tenant.sipDomain, '304', 'gone-password-304')).toBe(200);
    await api.extensions.delete(ext.id);
    expect(await registerStatus(tenant.sipDomain, '304', 'gone-password-304')).not.toBe(200);
  });

  it('refuses a softphone token the moment its tenant rotates the signing key', async () => {
    const { tenant, api } = await newTenant();
    await api.extensions.create({ number: '305', displayName: 'Token', sipPassword: 'token-password-305' });
    const { token } = await api.softphoneTokens.create({ extension: '305', ttlSeconds: 600 });
    const domain = tenant.sipDomain;
    const before = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    sockets.push(before);
    before.send(rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:305@${domain}`, to: `sip:305@${domain}`, headers: ['Contact: <sip:t305@raw.invalid;transport=ws>'] }));
    expect(statusOf(await before.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100))).toBe(200);

    await api.softphoneTokens.rotateSigningKey();
    // A new socket with the same token is refused as the upgrade completes.
    const after = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    sockets.push(after);
    expect(await withTimeout(after.closed, 3000, 'the token signed with the old key was accepted')).toEqual({ code: 4401, reason: 'token_invalid' });
  });
});
