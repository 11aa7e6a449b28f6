import { describe, expect, it } from 'vitest';
import { Authenticator } from './authenticator';
import { ChallengeResponder, extensionVerdict, trunkVerdict } from './challenge';
import { DigestAuthority } from './digest';
import { parseFrame } from './framing';
import { header, type SipRequest } from './message';
import { fakeConnection, fakeDirectory, requestFrame } from './testing';
import { TrunkAuthenticator } from './trunk-auth';

const acme = { id: 'ten_acme', slug: 'acme', sipDomain: 'acme.sip.localhost', status: 'active' as const };
const directory = fakeDirectory({
  tenants: [acme],
  users: [{ tenantId: acme.id, number: '101', password: 'secret' }],
  trunks: [{ tenantId: acme.id, trunkId: 'trk_1', username: 'trunk-1', password: 'carrier' }],
});

function request(method: string, user: string, extra: string[] = []): SipRequest {
  const aor = `<sip:${user}@${acme.sipDomain}>`;
  const parsed = parseFrame(
    requestFrame({ method, uri: method === 'REGISTER' ? `sip:${acme.sipDomain}` : `sip:102@${acme.sipDomain}`, from: `${aor};tag=1`, to: aor, headers: extra }),
  );
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad frame');
  return parsed.message;
}

function setup() {
  const digest = new DigestAuthority();
  return {
    responder: new ChallengeResponder(digest, () => {}),
    extensions: new Authenticator(directory, digest),
    trunks: new TrunkAuthenticator(directory, digest),
  };
}

describe('the challenge responder', () => {
  it.each([
    ['REGISTER', 401, 'www-authenticate'],
    ['INVITE', 407, 'proxy-authenticate'],
  ])('challenges an extension %s without credentials with %i and %s in its realm', (method, status, name) => {
    const { responder, extensions } = setup();
    const phone = fakeConnection();
    const req = request(method, '101');
    expect(responder.respond(phone.connection, req, extensionVerdict(extensions.authenticate(phone.connection, req)))).toEqual({ kind: 'answered' });
    const [answer] = phone.responses();
    expect(answer!.status).toBe(status);
    expect(header(answer!, name)).toContain(`realm="${acme.sipDomain}"`);
  });

  it.each([
    ['REGISTER', 401, 'www-authenticate'],
    ['INVITE', 407, 'proxy-authenticate'],
  ])('challenges a trunk %s the very same way', (method, status, name) => {
    const { responder, trunks } = setup();
    const carrier = fakeConnection();
    const req = request(method, 'trunk-1');
    expect(responder.respond(carrier.connection, req, trunkVerdict(trunks.authenticate(carrier.connection, req)), 'trunk')).toEqual({ kind: 'answered' });
    const [answer] = carrier.responses();
    expect(answer!.status).toBe(status);
    expect(header(answer!, name)).toMatch(new RegExp(`^Digest realm="${acme.sipDomain}", nonce="[^"]+", algorithm=MD5, qop="auth"$`));
  });

  it('answers a refusal with its status, and leaves a request that is not a trunk’s to the extension authenticator', () => {
    const { responder, trunks } = setup();
    const phone = fakeConnection();
    const bad = request('INVITE', '101', ['Proxy-Authorization: Digest nonsense']);
    expect(responder.respond(phone.connection, bad, { kind: 'refused', status: 400, problem: 'malformed credentials' })).toEqual({ kind: 'answered' });
    expect(phone.responses().map((r) => r.status)).toEqual([400]);
    const plain = request('INVITE', '101');
    expect(responder.respond(phone.connection, plain, trunkVerdict(trunks.authenticate(phone.connection, plain)))).toEqual({ kind: 'not_mine' });
    expect(phone.responses()).toHaveLength(1);
  });
});
