import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import type { SipDirectory, SipTenant, SipTrunk, SipUser, SoftphoneTokenClaims } from '../domain/sip-directory-contract';
import { Authenticator } from './authenticator';
import { SipConnection, trunkAor } from './connection';
import { DigestAuthority, md5 } from './digest';
import type { SipRequest } from './message';
import { TrunkAuthenticator } from './trunk-auth';

const domain = 'acme.sip.localhost';
const tenant: SipTenant = { id: 'ten_acme', slug: 'acme', sipDomain: domain, status: 'active' };

/** A directory over one tenant whose extensions and trunks a test changes in place. */
function directoryWith(users: Map<string, SipUser>, trunks = new Map<string, SipTrunk>()): SipDirectory {
  return {
    tenantByDomain: (d) => (d === domain ? tenant : undefined),
    user: (tenantId, number) => (tenantId === tenant.id ? users.get(number) : undefined),
    trunk: (tenantId, username) => (tenantId === tenant.id ? trunks.get(username) : undefined),
    verifyToken: async () => ({ ok: false, reason: 'token_invalid' }),
    limits: () => undefined,
    recordCalls: () => {},
  };
}

const user = (number: string, extensionId: string, password: string): SipUser => ({
  tenantId: tenant.id,
  extensionId,
  number,
  displayName: number,
  ha1: md5(`${number}:${domain}:${password}`),
  credential: `${extensionId}:${password}`,
});

const socket = { readyState: 1, OPEN: 1, send() {} } as unknown as WebSocket;
const connection = (token?: SoftphoneTokenClaims) => new SipConnection(socket, token);

function request(method: string, number: string, authorization?: string): SipRequest {
  const registering = method === 'REGISTER';
  const aor = `<sip:${number}@${domain}>`;
  return {
    kind: 'request',
    method,
    uri: registering ? `sip:${domain}` : `sip:102@${domain}`,
    headers: [
      { name: 'from', value: `${aor};tag=a` },
      { name: 'to', value: registering ? aor : `<sip:102@${domain}>` },
      ...(authorization ? [{ name: registering ? 'authorization' : 'proxy-authorization', value: authorization }] : []),
    ],
    body: Buffer.alloc(0),
  };
}

/** Answers the challenge `digest` gives `on`, as a phone would. */
function answer(digest: DigestAuthority, on: SipConnection, method: string, number: string, password: string): string {
  const challenge = digest.challenge(domain, false, on);
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const uri = request(method, number).uri;
  const response = md5(`${md5(`${number}:${domain}:${password}`)}:${nonce}:00000001:c:auth:${md5(`${method}:${uri}`)}`);
  return `Digest username="${number}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="c"`;
}

describe('Authenticator', () => {
  it('lets a digest-registered connection call unchallenged only while the extension keeps the credentials it proved', () => {
    const users = new Map([['101', user('101', 'ext_1', 'first')]]);
    const digest = new DigestAuthority();
    const auth = new Authenticator(directoryWith(users), digest);
    const on = connection();
    expect(auth.authenticate(on, request('REGISTER', '101', answer(digest, on, 'REGISTER', '101', 'first')))).toMatchObject({ ok: true });
    expect(on.credentialFor(tenant.id, '101')).toBe('ext_1:first');
    expect(auth.authenticate(on, request('MESSAGE', '101'))).toMatchObject({ ok: true });

    users.set('101', user('101', 'ext_1', 'second'));
    expect(auth.authenticate(on, request('MESSAGE', '101'))).toMatchObject({ ok: false, challenge: { realm: domain } });
    // What the old password proved is gone, registrations made under it included.
    expect(on.credentialFor(tenant.id, '101')).toBeUndefined();
    expect(auth.authenticate(on, request('MESSAGE', '101', answer(digest, on, 'MESSAGE', '101', 'first')))).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses a token connection once its number belongs to another extension row", () => {
    const users = new Map([['101', user('101', 'ext_1', 'pw')]]);
    const auth = new Authenticator(directoryWith(users), new DigestAuthority());
    const on = connection({ tenantId: tenant.id, extension: '101', extensionId: 'ext_1', expiresAt: new Date(Date.now() + 60_000) });
    expect(auth.authenticate(on, request('REGISTER', '101'))).toMatchObject({ ok: true });
    users.set('101', user('101', 'ext_2', 'pw'));
    expect(auth.authenticate(on, request('REGISTER', '101'))).toMatchObject({ ok: false, status: 403 });
  });
});

describe('TrunkAuthenticator', () => {
  it('unbinds a carrier connection whose trunk password was rotated, and refuses one whose trunk was deleted', () => {
    const trunk = (credential: string): SipTrunk => ({ tenantId: tenant.id, trunkId: 'trk_1', username: 'trunk-abc', ha1: 'x', callerId: null, credential });
    const trunks = new Map([['trunk-abc', trunk('g1')]]);
    const auth = new TrunkAuthenticator(directoryWith(new Map(), trunks), new DigestAuthority());
    const on = connection();
    auth.bind(on, { tenant, trunk: trunk('g1') });
    expect(auth.boundTo(on)).toMatchObject({ trunk: { trunkId: 'trk_1' } });
    expect(on.credentialFor(tenant.id, trunkAor('trk_1'))).toBe('g1');

    trunks.set('trunk-abc', trunk('g2'));
    expect(auth.boundTo(on)).toBeUndefined();
    expect(on.credentialFor(tenant.id, trunkAor('trk_1'))).toBeUndefined();

    auth.bind(on, { tenant, trunk: trunk('g2') });
    trunks.delete('trunk-abc');
    expect(auth.boundTo(on)).toBe('revoked');
  });
});
